package dev.torii.gateway.httprule;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.torii.gateway.grpc.DescriptorRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the gRPC request message of a REST call matched to a {@code google.api.http} binding
 * (AIP-127) from its path variables, query and body, as grpc-gateway's generated handlers do:
 *
 * <ol>
 *   <li>The body first. {@code body: "*"} parses the whole JSON body into the request; a field path
 *       parses it into that field (a message, a JSON array for a repeated field, or a scalar); an
 *       empty body leaves the request, or the field, empty. When the request type, or the body
 *       field's, is {@code google.api.HttpBody}, the raw bytes go into its {@code data} and the
 *       Content-Type into its {@code content_type}, with no JSON parsing (as Envoy's
 *       grpc_json_transcoder and httpbody.proto describe).
 *   <li>Then the path variables, each converted by its field's type as grpc-gateway's
 *       {@code parseField} converts it (see {@code FieldText}): integers in decimal (int64 too),
 *       floats with {@code NaN} and {@code Infinity}, booleans as Go's {@code strconv.ParseBool}
 *       reads them, enums by name or number, bytes in base64 of either alphabet with or without
 *       padding, and Timestamp, Duration, FieldMask, the wrappers and Struct by their proto3 JSON
 *       forms ({@code 2024-05-01T12:00:00Z}, {@code 1.5s}, {@code a,b.c}). They win
 *       over the body: a variable overwrites the same field set in the body and merges into a
 *       message the body set ({@code book.id} into the body's {@code book}), because grpc-gateway
 *       decodes the body before it populates path parameters. google.api.http allows no repeated
 *       or map field in a path, and neither does this.
 *   <li>Last the query, for every field neither bound by the path nor by the body
 *       (see {@code QueryBinder}). With {@code body: "*"} "there is no URL query parameter"
 *       (google.api.http), and grpc-gateway generates no query parsing for such a binding: the query
 *       is ignored, not refused.
 * </ol>
 *
 * <p>Hostile input is refused before it costs anything: a query longer than 64 KiB or with more
 * than 1,000 parameters, and a field path of more than 32 segments, are {@link BindingException}s
 * (a 400); so is a JSON body nested deeper than the JSON parser's limit. The body's size is the
 * caller's to limit, before the bytes reach the binder.
 *
 * <p>Immutable and thread-safe; one serves every route of the gateway.
 */
public final class RequestBinder {

    private final FieldText text;
    private final QueryBinder query;
    private final JsonBodyReader json;

    /**
     * Creates a binder that resolves {@code google.protobuf.Any} in bodies with every known type.
     *
     * @param descriptors the gateway's descriptors
     */
    public RequestBinder(DescriptorRegistry descriptors) {
        this(descriptors.typeRegistry());
    }

    /**
     * Creates a binder that resolves {@code google.protobuf.Any} in bodies with the given types.
     *
     * @param types the types {@code Any} may hold
     */
    public RequestBinder(JsonFormat.TypeRegistry types) {
        JsonFormat.Parser parser = JsonFormat.parser().usingTypeRegistry(types);
        this.text = new FieldText(parser);
        this.query = new QueryBinder(text);
        this.json = new JsonBodyReader(parser);
    }

    /**
     * Builds the request message.
     *
     * @param method the matched method
     * @param body the binding's {@code body}: empty (or null) for none, {@code "*"} for the whole
     *     message, or a field path
     * @param pathVariables field paths to their percent-decoded values; null for none
     * @param rawQuery the query without {@code ?}, still encoded; null or empty when there is none
     * @param requestBody the request body bytes; null or empty when there is none
     * @param contentType the request's Content-Type, possibly null; used only for HttpBody
     * @return the request message in protobuf binary, for the upstream call
     * @throws BindingException when the request does not fit the method's request type
     */
    public byte[] bind(MethodDescriptor method, String body, Map<String, String> pathVariables, String rawQuery,
            byte[] requestBody, String contentType) {
        Descriptor type = method.getInputType();
        String bodyRule = body == null ? "" : body;
        Map<String, String> variables = pathVariables == null ? Map.of() : pathVariables;
        DynamicMessage.Builder request = DynamicMessage.newBuilder(type);
        byte[] bytes = requestBody == null ? new byte[0] : requestBody;
        List<FieldPath> bound = new ArrayList<>(variables.size() + 1);
        if (bodyRule.equals("*")) {
            readBody(request, bytes, contentType, "");
        } else if (!bodyRule.isEmpty()) {
            FieldPath bodyPath = boundPath(type, bodyRule, "body");
            bound.add(bodyPath);
            readBodyField(request, bodyPath, bytes, contentType);
        }
        for (Map.Entry<String, String> variable : variables.entrySet()) {
            FieldPath path = boundPath(type, variable.getKey(), "path variable");
            bound.add(path);
            setPathVariable(request, path, variable.getValue());
        }
        if (!bodyRule.equals("*")) {
            query.bind(request, rawQuery, bound);
        }
        return request.build().toByteArray();
    }

    /**
     * Tells whether a binding's body goes into a {@code google.api.HttpBody} as raw bytes, of any
     * content type, rather than being read as JSON: the rule {@link #bind} follows.
     *
     * @param method the matched method
     * @param body the binding's {@code body}: empty for none, {@code "*"} or a field path
     * @return whether the body is raw bytes
     */
    public boolean takesRawBody(MethodDescriptor method, String body) {
        Descriptor type = method.getInputType();
        if (body.equals("*")) {
            return HttpBodies.is(type);
        }
        FieldPath path = body.isEmpty() ? null : FieldPath.resolve(type, body);
        if (path == null) {
            return false;
        }
        FieldDescriptor field = path.last();
        return field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isRepeated()
                && HttpBodies.is(field.getMessageType());
    }

    private static FieldPath boundPath(Descriptor type, String path, String role) {
        FieldPath resolved = FieldPath.resolve(type, path);
        if (resolved == null) {
            throw new BindingException(path, role + " " + FieldText.quoted(path) + " names no field of "
                    + type.getFullName() + " (expected: a field path of the request type)");
        }
        return resolved;
    }

    private void readBody(Message.Builder message, byte[] bytes, String contentType, String path) {
        if (HttpBodies.is(message.getDescriptorForType())) {
            HttpBodies.fill(message, bytes, contentType);
        } else {
            json.mergeMessage(message, bytes, path);
        }
    }

    private void readBodyField(Message.Builder request, FieldPath path, byte[] bytes, String contentType) {
        FieldDescriptor field = path.last();
        Message.Builder container = path.containerIn(request);
        boolean singularMessage = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isRepeated();
        if (singularMessage && HttpBodies.is(field.getMessageType())) {
            HttpBodies.fill(container.getFieldBuilder(field), bytes, contentType);
        } else if (singularMessage) {
            if (bytes.length > 0) {
                json.mergeMessage(container.getFieldBuilder(field), bytes, path.protoNames());
            }
        } else {
            json.mergeField(container, field, bytes, path.protoNames());
        }
    }

    private void setPathVariable(Message.Builder request, FieldPath path, String value) {
        FieldDescriptor field = path.last();
        String where = path.protoNames();
        if (field.isRepeated()) {
            throw new BindingException(where, "path variable " + where + " is a repeated or map field"
                    + " (expected: a singular field, as google.api.http requires of path variables)");
        }
        path.containerIn(request).setField(field, text.parse(field, value, where));
    }
}
