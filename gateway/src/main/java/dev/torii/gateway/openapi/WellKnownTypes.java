package dev.torii.gateway.openapi;

import com.google.protobuf.Descriptors.Descriptor;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Knows the JSON forms that the proto3 JSON mapping gives the well-known types instead of an
 * object of their fields: timestamps and durations as strings, wrappers as their bare value (or
 * null), Struct, Value and ListValue as free JSON, Any as an object named by {@code @type}.
 */
final class WellKnownTypes {

    private WellKnownTypes() {}

    /**
     * Writes the schema of a well-known type, if the message is one.
     *
     * @param fullName the message's full name
     * @param schema the schema to fill
     * @return true when the message is a well-known type with a JSON form of its own
     */
    static boolean describe(String fullName, ObjectNode schema) {
        switch (fullName) {
            case "google.protobuf.Timestamp" -> schema.put("type", "string").put("format", "date-time")
                    .put("description", "An RFC 3339 time in UTC, for example 2026-12-03T10:15:30.5Z.");
            case "google.protobuf.Duration" -> schema.put("type", "string")
                    .put("pattern", "^-?[0-9]+(\\.[0-9]{1,9})?s$")
                    .put("description", "Seconds with up to nine decimals and the suffix s, for example 1.5s.");
            case "google.protobuf.FieldMask" -> schema.put("type", "string")
                    .put("description", "Field paths in lowerCamelCase, separated by commas, for example"
                            + " title,price.units.");
            case "google.protobuf.Struct" -> schema.put("type", "object").put("additionalProperties", true)
                    .put("description", "Any JSON object.");
            case "google.protobuf.Value" -> schema.put("description", "Any JSON value.");
            case "google.protobuf.ListValue" -> {
                schema.put("type", "array").putObject("items");
                schema.put("description", "Any JSON array.");
            }
            case "google.protobuf.Empty" -> schema.put("type", "object").put("additionalProperties", false)
                    .put("description", "An empty object.");
            case "google.protobuf.Any" -> {
                schema.put("type", "object").put("additionalProperties", true)
                        .put("description", "A message of any type: its fields beside @type, which names it"
                                + " (a well-known type carries its JSON form in value).");
                schema.putArray("required").add("@type");
                schema.putObject("properties").putObject("@type").put("type", "string")
                        .put("description", "type.googleapis.com/ and the message's full name, for example"
                                + " type.googleapis.com/google.rpc.BadRequest.");
            }
            case "google.protobuf.DoubleValue" -> nullable(schema, "number", "double");
            case "google.protobuf.FloatValue" -> nullable(schema, "number", "float");
            case "google.protobuf.Int64Value" -> nullable(schema, "string", "int64");
            case "google.protobuf.UInt64Value" -> nullable(schema, "string", "uint64");
            case "google.protobuf.Int32Value" -> nullable(schema, "integer", "int32");
            case "google.protobuf.UInt32Value" -> nullable(schema, "integer", "int64").put("minimum", 0)
                    .put("maximum", 4_294_967_295L);
            case "google.protobuf.BoolValue" -> nullable(schema, "boolean", null);
            case "google.protobuf.StringValue" -> nullable(schema, "string", null);
            case "google.protobuf.BytesValue" -> nullable(schema, "string", "byte").put("contentEncoding", "base64");
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * Tells whether a message is a well-known type with a JSON form of its own.
     *
     * @param message the message
     * @return true for the types {@link #describe} knows
     */
    static boolean isWellKnown(Descriptor message) {
        return describe(message.getFullName(), JsonNodeFactory.instance.objectNode());
    }

    // A wrapper is its bare value, or null when unset.
    private static ObjectNode nullable(ObjectNode schema, String type, String format) {
        schema.putArray("type").add(type).add("null");
        if (format != null) {
            schema.put("format", format);
        }
        return schema;
    }
}
