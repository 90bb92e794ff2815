package dev.torii.gateway.httprule;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Reads the REST bindings of an RPC method from its {@code google.api.http} rule (AIP-127) and
 * checks them against the method's request and response messages, so a rule that could never
 * serve a request is refused when routes are loaded rather than on the first call.
 *
 * <p>The checks: the rule has a pattern and a non-empty path that parses as a {@link PathTemplate};
 * a custom kind is an HTTP method token; every path variable names a field of the request
 * message, reached through singular message fields, whose leaf is singular and a scalar, an enum,
 * a wrapper, {@code Timestamp}, {@code Duration} or {@code FieldMask} (what a path segment can
 * carry as text); no field is bound twice; {@code body} is none, {@code *} or a top-level request
 * field, and none on {@code GET} or {@code DELETE} (AIP-127); {@code response_body} is none or a
 * top-level response field (http.proto); {@code additional_bindings} nest one level only.
 */
public final class HttpBindings {

    private static final ExtensionRegistry HTTP_EXTENSION = httpExtension();

    // Message types a path segment can carry as text: the wrappers and the types whose JSON form is
    // a string (grpc-gateway's runtime parses all of them from a path parameter).
    private static final Set<String> TEXT_MESSAGES = Set.of(
            "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
            "google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
            "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue",
            "google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask");

    private HttpBindings() {}

    /**
     * Returns the bindings a method's {@code google.api.http} option declares: the rule itself,
     * then its {@code additional_bindings} in order. The option is read whether the descriptor was
     * built with the extension known (generated code) or from a descriptor set, where it arrives
     * as an unknown field of {@code MethodOptions}.
     *
     * @param method the method
     * @return the bindings; empty when the method has no {@code google.api.http} option
     * @throws InvalidHttpRuleException naming the method when a binding is invalid
     */
    public static List<HttpBinding> of(MethodDescriptor method) {
        MethodOptions options = method.getOptions();
        if (!options.hasExtension(AnnotationsProto.http)) {
            if (options.getUnknownFields().getField(AnnotationsProto.HTTP_FIELD_NUMBER).getLengthDelimitedList().isEmpty()) {
                return List.of();
            }
            try {
                options = MethodOptions.parseFrom(options.toByteString(), HTTP_EXTENSION);
            } catch (InvalidProtocolBufferException e) {
                throw new InvalidHttpRuleException(subject(method) + ": the google.api.http option does not parse ("
                        + e.getMessage() + ")", e);
            }
        }
        return of(options.getExtension(AnnotationsProto.http), method);
    }

    /**
     * Checks a rule against a method, as {@link #of(MethodDescriptor)} does; for rules a route file
     * declares instead of the proto.
     *
     * @param rule the rule, with its {@code additional_bindings}
     * @param method the method it binds
     * @return the rule's binding, then those of its {@code additional_bindings}
     * @throws InvalidHttpRuleException naming the method when a binding is invalid
     */
    public static List<HttpBinding> of(HttpRule rule, MethodDescriptor method) {
        Objects.requireNonNull(rule, "rule");
        List<HttpBinding> bindings = new ArrayList<>();
        bindings.add(binding(rule, method, "google.api.http"));
        for (int i = 0; i < rule.getAdditionalBindingsCount(); i++) {
            HttpRule additional = rule.getAdditionalBindings(i);
            String where = "google.api.http additional_bindings[" + i + "]";
            if (additional.getAdditionalBindingsCount() > 0) {
                throw new InvalidHttpRuleException(subject(method) + ": " + where
                        + " has additional_bindings of its own (expected: only the top-level rule has them)");
            }
            bindings.add(binding(additional, method, where));
        }
        return List.copyOf(bindings);
    }

    private static HttpBinding binding(HttpRule rule, MethodDescriptor method, String where) {
        String verb;
        String path;
        switch (rule.getPatternCase()) {
            case GET -> { verb = "GET"; path = rule.getGet(); }
            case PUT -> { verb = "PUT"; path = rule.getPut(); }
            case POST -> { verb = "POST"; path = rule.getPost(); }
            case DELETE -> { verb = "DELETE"; path = rule.getDelete(); }
            case PATCH -> { verb = "PATCH"; path = rule.getPatch(); }
            case CUSTOM -> { verb = rule.getCustom().getKind(); path = rule.getCustom().getPath(); }
            default -> throw new InvalidHttpRuleException(subject(method) + ": " + where
                    + " has no pattern (expected: one of get, put, post, delete, patch, custom)");
        }
        String context = subject(method) + ": " + where + " " + (verb.isEmpty() ? "custom" : verb);
        if (!verb.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
            throw new InvalidHttpRuleException(context + ": custom kind '" + verb
                    + "' (expected: an HTTP method token such as SEARCH)");
        }
        if (path.isEmpty()) {
            throw new InvalidHttpRuleException(context + ": the path is empty (expected: a template such as /v1/{name})");
        }
        PathTemplate template;
        try {
            template = PathTemplate.parse(path);
        } catch (TemplateSyntaxException e) {
            throw new InvalidHttpRuleException(context + ": " + e.getMessage(), e);
        }
        context = subject(method) + ": " + where + " " + verb + " " + path;
        Descriptor input = method.getInputType();
        for (String fieldPath : template.fieldPaths()) {
            checkPathField(input, fieldPath, context);
        }
        String body = rule.getBody();
        checkBody(verb, body, template, input, context);
        String responseBody = rule.getResponseBody();
        if (!responseBody.isEmpty()) {
            topLevelField(method.getOutputType(), responseBody, context + ": response_body");
        }
        return new HttpBinding(verb, template, body, responseBody);
    }

    private static void checkPathField(Descriptor input, String fieldPath, String context) {
        FieldDescriptor leaf = resolve(input, fieldPath, context + ": path variable");
        if (leaf.isRepeated()) {
            throw new InvalidHttpRuleException(context + ": path variable '" + fieldPath + "' is a repeated field of "
                    + leaf.getContainingType().getFullName() + " (expected: a singular field)");
        }
        if (leaf.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                && !TEXT_MESSAGES.contains(leaf.getMessageType().getFullName())) {
            throw new InvalidHttpRuleException(context + ": path variable '" + fieldPath + "' is a message of type "
                    + leaf.getMessageType().getFullName()
                    + " (expected: a scalar, an enum, a wrapper, Timestamp, Duration or FieldMask)");
        }
    }

    private static void checkBody(String verb, String body, PathTemplate template, Descriptor input, String context) {
        if (body.isEmpty()) {
            return;
        }
        // AIP-127: "a GET or DELETE method must not have a body"; HTTP gives such a body no meaning.
        if (verb.equals("GET") || verb.equals("DELETE")) {
            throw new InvalidHttpRuleException(context + ": body '" + body + "' on " + verb
                    + " (expected: no body, AIP-127)");
        }
        if (body.equals("*")) {
            return;
        }
        topLevelField(input, body, context + ": body");
        if (template.fieldPaths().contains(body)) {
            throw new InvalidHttpRuleException(context + ": field '" + body
                    + "' is bound twice, by the path and by the body (expected: each field once)");
        }
    }

    // http.proto: "the referred field must be present at the top-level of the request (response)
    // message type", for body and response_body alike.
    private static void topLevelField(Descriptor message, String name, String context) {
        if (message.findFieldByName(name) == null) {
            throw new InvalidHttpRuleException(context + " '" + name + "': " + message.getFullName()
                    + " has no field '" + name + "' (expected: a top-level field of the message, or "
                    + (context.endsWith("response_body") ? "none for the whole message)" : "'*' for the whole message)"));
        }
    }

    // Follows a field path through singular message fields; returns the leaf.
    private static FieldDescriptor resolve(Descriptor message, String fieldPath, String context) {
        String[] names = fieldPath.split("\\.", -1);
        Descriptor current = message;
        FieldDescriptor field = null;
        for (int i = 0; i < names.length; i++) {
            if (field != null) {
                if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || field.isRepeated()) {
                    throw new InvalidHttpRuleException(context + " '" + fieldPath + "': " + field.getName()
                            + " is not a singular message field of " + current.getFullName()
                            + " (expected: a path through singular message fields)");
                }
                current = field.getMessageType();
            }
            field = current.findFieldByName(names[i]);
            if (field == null) {
                throw new InvalidHttpRuleException(context + " '" + fieldPath + "': " + current.getFullName()
                        + " has no field '" + names[i] + "'");
            }
        }
        return field;
    }

    private static String subject(MethodDescriptor method) {
        return "method " + method.getFullName();
    }

    private static ExtensionRegistry httpExtension() {
        ExtensionRegistry registry = ExtensionRegistry.newInstance();
        registry.add(AnnotationsProto.http);
        return registry.getUnmodifiable();
    }
}
