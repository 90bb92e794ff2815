package dev.torii.gateway.openapi;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns protobuf message and enum descriptors into the JSON Schemas of their proto3 JSON form,
 * each kept once under {@code components/schemas} by its full name and referred to with
 * {@code $ref}, so recursive messages end. Fields take their JSON names; 64-bit integers are
 * strings, enums the strings of their value names, bytes base64, maps objects, and the
 * well-known types their special forms (a Timestamp is an RFC 3339 string, a Struct any object).
 */
final class MessageSchemas {

    /** Where every schema of a document lives, for {@code $ref}. */
    static final String REF_PREFIX = "#/components/schemas/";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ObjectNode schemas = NODES.objectNode();
    private final SourceComments comments;

    /**
     * Creates an empty set of schemas.
     *
     * @param comments the comments of the descriptors, for descriptions
     */
    MessageSchemas(SourceComments comments) {
        this.comments = comments;
    }

    /**
     * Returns the schemas written so far, for {@code components/schemas}.
     *
     * @return the schemas by full name
     */
    ObjectNode schemas() {
        return schemas;
    }

    /**
     * Returns a reference to a message's schema, writing it (and those it uses) on first use.
     *
     * @param message the message
     * @return a schema holding only the {@code $ref}
     */
    ObjectNode ref(Descriptor message) {
        String name = message.getFullName();
        if (!schemas.has(name)) {
            // Taken before the fields are walked, so a message that contains itself refers back.
            ObjectNode schema = schemas.putObject(name);
            describeMessage(message, schema);
        }
        return reference(name);
    }

    /**
     * Returns the schema of one field's value as it appears in JSON: an array for a repeated
     * field, an object for a map.
     *
     * @param field the field
     * @return the schema, with the field's comment as its description
     */
    ObjectNode field(FieldDescriptor field) {
        ObjectNode schema;
        if (field.isMapField()) {
            FieldDescriptor value = field.getMessageType().findFieldByName("value");
            schema = NODES.objectNode().put("type", "object");
            schema.set("additionalProperties", singular(value));
            FieldDescriptor key = field.getMessageType().findFieldByName("key");
            if (key.getJavaType() != FieldDescriptor.JavaType.STRING) {
                schema.putObject("propertyNames").put("pattern", key.getJavaType() == FieldDescriptor.JavaType.BOOLEAN
                        ? "^(true|false)$" : "^-?[0-9]+$");
            }
        } else if (field.isRepeated()) {
            schema = NODES.objectNode().put("type", "array");
            schema.set("items", singular(field));
        } else {
            schema = singular(field);
        }
        String description = fieldDescription(field);
        if (!description.isEmpty()) {
            schema.put("description", description);
        }
        if (field.getOptions().getDeprecated()) {
            schema.put("deprecated", true);
        }
        return schema;
    }

    /**
     * Returns the schema of one value of a field, ignoring whether it repeats.
     *
     * @param field the field
     * @return the schema of a single value
     */
    ObjectNode singular(FieldDescriptor field) {
        return switch (field.getType()) {
            case INT32, SINT32, SFIXED32 -> integer("int32");
            case UINT32, FIXED32 -> integer("int64").put("minimum", 0).put("maximum", 4_294_967_295L);
            case INT64, SINT64, SFIXED64 -> NODES.objectNode().put("type", "string").put("format", "int64");
            case UINT64, FIXED64 -> NODES.objectNode().put("type", "string").put("format", "uint64");
            case FLOAT -> NODES.objectNode().put("type", "number").put("format", "float");
            case DOUBLE -> NODES.objectNode().put("type", "number").put("format", "double");
            case BOOL -> NODES.objectNode().put("type", "boolean");
            case STRING -> NODES.objectNode().put("type", "string");
            case BYTES -> bytes();
            case ENUM -> ref(field.getEnumType());
            case MESSAGE, GROUP -> ref(field.getMessageType());
        };
    }

    private ObjectNode ref(EnumDescriptor type) {
        String name = type.getFullName();
        if (!schemas.has(name)) {
            ObjectNode schema = schemas.putObject(name);
            if (name.equals("google.protobuf.NullValue")) {
                schema.put("type", "null");
                return reference(name);
            }
            schema.put("type", "string");
            ArrayNode values = schema.putArray("enum");
            List<String> valueNotes = new ArrayList<>();
            for (EnumValueDescriptor value : type.getValues()) {
                values.add(value.getName());
                String comment = comments.of(value);
                if (!comment.isEmpty()) {
                    valueNotes.add("- `" + value.getName() + "`: " + comment.replace('\n', ' '));
                }
            }
            String description = Stream.of(comments.of(type), String.join("\n", valueNotes))
                    .filter(text -> !text.isEmpty()).collect(Collectors.joining("\n\n"));
            if (!description.isEmpty()) {
                schema.put("description", description);
            }
        }
        return reference(name);
    }

    private void describeMessage(Descriptor message, ObjectNode schema) {
        String comment = comments.of(message);
        if (WellKnownTypes.describe(message.getFullName(), schema)) {
            if (!comment.isEmpty() && !schema.has("description")) {
                schema.put("description", comment);
            }
            return;
        }
        schema.put("type", "object");
        if (!comment.isEmpty()) {
            schema.put("description", comment);
        }
        ObjectNode properties = schema.putObject("properties");
        for (FieldDescriptor field : message.getFields()) {
            properties.set(field.getJsonName(), field(field));
        }
    }

    private String fieldDescription(FieldDescriptor field) {
        String comment = comments.of(field);
        OneofDescriptor oneof = field.getRealContainingOneof();
        if (oneof == null) {
            return comment;
        }
        String members = oneof.getFields().stream().map(FieldDescriptor::getJsonName)
                .collect(Collectors.joining(", "));
        String note = "One of `" + oneof.getName() + "`: at most one of " + members + " is set.";
        return comment.isEmpty() ? note : comment + "\n\n" + note;
    }

    private static ObjectNode reference(String name) {
        return NODES.objectNode().put("$ref", REF_PREFIX + name);
    }

    private static ObjectNode integer(String format) {
        return NODES.objectNode().put("type", "integer").put("format", format);
    }

    private static ObjectNode bytes() {
        return NODES.objectNode().put("type", "string").put("format", "byte").put("contentEncoding", "base64");
    }
}
