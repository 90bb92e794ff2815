package dev.torii.gateway.openapi;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.HashSet;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Documents the parameters of a REST binding: each path variable as its request field, and every
 * request field that neither the path nor the body carries as a query parameter, as
 * {@code google.api.http} defines them. Query parameters are named by their JSON names, joined by
 * dots into nested messages ({@code price.currencyCode}); a repeated field is an array
 * ({@code ?tags=a&tags=b}); maps, repeated messages and free-form JSON types cannot be sent there
 * and are left out.
 */
final class RestParameters {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    // Well-known messages whose JSON form is a single string, number or boolean: they fit a query value.
    private static final Set<String> SCALAR_MESSAGES = Set.of("google.protobuf.Timestamp", "google.protobuf.Duration",
            "google.protobuf.FieldMask", "google.protobuf.DoubleValue", "google.protobuf.FloatValue",
            "google.protobuf.Int64Value", "google.protobuf.UInt64Value", "google.protobuf.Int32Value",
            "google.protobuf.UInt32Value", "google.protobuf.BoolValue", "google.protobuf.StringValue",
            "google.protobuf.BytesValue");

    private final MessageSchemas schemas;

    /**
     * Creates the parameter writer of one document.
     *
     * @param schemas the document's schemas
     */
    RestParameters(MessageSchemas schemas) {
        this.schemas = schemas;
    }

    /**
     * Finds a request or response field by its path of proto field names.
     *
     * @param message the message the path starts in
     * @param path for example {@code price.currency_code}
     * @return the field
     * @throws IllegalArgumentException when a step names no field, or a non-message field has steps after it
     */
    static FieldDescriptor resolve(Descriptor message, String path) {
        Descriptor current = message;
        FieldDescriptor field = null;
        for (String name : path.split("\\.", -1)) {
            if (current == null) {
                throw new IllegalArgumentException("field path '" + path + "' of " + message.getFullName()
                        + ": " + field.getName() + " is not a message (expected: a message field before '" + name + "')");
            }
            field = current.findFieldByName(name);
            if (field == null) {
                throw new IllegalArgumentException("field path '" + path + "' of " + message.getFullName()
                        + ": no field '" + name + "' in " + current.getFullName());
            }
            current = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isRepeated()
                    ? field.getMessageType() : null;
        }
        return field;
    }

    /**
     * Lists a binding's parameters: its path variables first, then its query parameters.
     *
     * @param request the request message
     * @param binding the binding
     * @return the parameters
     */
    ArrayNode parameters(Descriptor request, RestOperation binding) {
        ArrayNode parameters = NODES.arrayNode();
        for (String path : binding.pathFieldPaths()) {
            FieldDescriptor field = resolve(request, path);
            ObjectNode parameter = parameters.addObject().put("name", path).put("in", "path").put("required", true);
            ObjectNode schema = schemas.singular(field);
            describe(parameter, schemas.field(field));
            parameter.set("schema", schema);
        }
        if (!binding.wholeRequestInBody()) {
            Set<String> bound = new HashSet<>(binding.pathFieldPaths());
            if (!binding.body().isEmpty()) {
                resolve(request, binding.body());
                bound.add(binding.body());
            }
            query(request, "", "", bound, new HashSet<>(Set.of(request.getFullName())), parameters);
        }
        return parameters;
    }

    private void query(Descriptor message, String jsonPrefix, String protoPrefix, Set<String> bound,
            Set<String> enclosing, ArrayNode parameters) {
        for (FieldDescriptor field : message.getFields()) {
            String protoPath = protoPrefix + field.getName();
            if (bound.contains(protoPath) || field.isMapField()) {
                continue;
            }
            String name = jsonPrefix + field.getJsonName();
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                    && !SCALAR_MESSAGES.contains(field.getMessageType().getFullName())) {
                Descriptor type = field.getMessageType();
                // A message that contains itself would have endless query names: the first level is enough.
                if (!field.isRepeated() && !enclosing.contains(type.getFullName()) && !WellKnownTypes.isWellKnown(type)) {
                    enclosing.add(type.getFullName());
                    query(type, name + ".", protoPath + ".", bound, enclosing, parameters);
                    enclosing.remove(type.getFullName());
                }
                continue;
            }
            ObjectNode parameter = parameters.addObject().put("name", name).put("in", "query");
            parameter.set("schema", describe(parameter, schemas.field(field)));
        }
    }

    // Moves the field's description and deprecation from its schema to the parameter.
    private static ObjectNode describe(ObjectNode parameter, ObjectNode fieldSchema) {
        JsonNode description = fieldSchema.remove("description");
        if (description != null) {
            parameter.set("description", description);
        }
        if (fieldSchema.remove("deprecated") != null) {
            parameter.put("deprecated", true);
        }
        return fieldSchema;
    }
}
