package dev.torii.gateway.httprule;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.util.Map;

/**
 * Parses a JSON request body into the whole request or into the one field the binding's
 * {@code body} names, by the proto3 JSON mapping (either name form, unknown fields refused, as
 * grpc-gateway's default {@code JSONPb} marshaler with {@code DiscardUnknown} off). A refusal names
 * the field at fault: JsonFormat's own messages do not, so the body is then read again as a
 * {@code google.protobuf.Struct} and each member tried alone until the culprit is found.
 */
final class JsonBodyReader {

    private final JsonFormat.Parser parser;
    private final JsonFormat.Printer structPrinter;

    JsonBodyReader(JsonFormat.Parser parser) {
        this.parser = parser;
        this.structPrinter = JsonFormat.printer().omittingInsignificantWhitespace();
    }

    /**
     * Merges a JSON object into a message builder; a blank body leaves it as it is.
     *
     * @param message the builder
     * @param json the body
     * @param path the body's field path in proto names, empty for the whole request
     * @throws BindingException when the body is not the message's JSON form
     */
    void mergeMessage(Message.Builder message, byte[] json, String path) {
        String text = utf8(json, path);
        if (text.isBlank()) {
            return;
        }
        try {
            parser.merge(text, message);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw refusal(message.getDescriptorForType(), text, path, e);
        }
        refuseTrailingContent(text, path);
    }

    /**
     * Sets one non-message field (scalar, repeated or map) from a JSON value; a blank body leaves it
     * unset.
     *
     * @param container the builder of the message that holds the field
     * @param field the field
     * @param json the body: the field's JSON value
     * @param path the field's path in proto names
     * @throws BindingException when the body is not one JSON value of the field's type
     */
    void mergeField(Message.Builder container, FieldDescriptor field, byte[] json, String path) {
        String text = utf8(json, path);
        if (text.isBlank()) {
            return;
        }
        // The value goes into a fresh message as its only member, by the mapping's own rules for the
        // field; the check for trailing content keeps "1, \"other\": 2" from setting a second member.
        refuseTrailingContent(text, path);
        Descriptor type = container.getDescriptorForType();
        DynamicMessage.Builder alone = DynamicMessage.newBuilder(type);
        try {
            parser.merge("{\"" + field.getName() + "\":" + text + "}", alone);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new BindingException(path, "body for " + path + ": " + concise(e) + " (expected: the JSON form of "
                    + describe(field) + ")");
        }
        container.mergeFrom(alone.build());
    }

    // JsonFormat reads the first JSON value and ignores what follows it; a body of two values, or
    // of one and some junk, is a client's mistake worth telling rather than half-reading.
    private static void refuseTrailingContent(String text, String path) {
        int end = endOfFirstValue(text);
        if (!text.substring(end).isBlank()) {
            throw new BindingException(path, "body has content after its JSON value, at character " + end
                    + " (expected: one JSON value)");
        }
    }

    // Where the first JSON value of the text ends; the text is known to start with a valid one.
    private static int endOfFirstValue(String text) {
        int i = 0;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return i;
        }
        char first = text.charAt(i);
        if (first != '{' && first != '[' && first != '"') {
            // A number or a literal runs to the first whitespace or structural character.
            while (i < text.length() && !Character.isWhitespace(text.charAt(i)) && ",:]}[{\"".indexOf(text.charAt(i)) < 0) {
                i++;
            }
            return i;
        }
        int depth = 0;
        boolean inString = false;
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                    if (depth == 0) {
                        return i + 1;
                    }
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return i + 1;
            }
        }
        return text.length();
    }

    private BindingException refusal(Descriptor type, String text, String path, Exception cause) {
        String culprit = culprit(type, text, path, 0);
        String where = culprit.isEmpty() ? "body" : culprit;
        return new BindingException(culprit, where + ": " + concise(cause) + " (expected: the proto3 JSON form of "
                + (culprit.equals(path) ? type.getFullName() : "the field") + ")");
    }

    // The deepest member of the JSON object that fails alone, in proto names; the object's own path
    // when the text is no JSON object or no member fails alone.
    private String culprit(Descriptor type, String text, String path, int depth) {
        if (depth >= FieldPath.MAX_DEPTH) {
            return path;
        }
        Struct.Builder object = Struct.newBuilder();
        try {
            parser.merge(text, object);
        } catch (InvalidProtocolBufferException | RuntimeException notAnObject) {
            return path;
        }
        for (Map.Entry<String, Value> member : object.getFieldsMap().entrySet()) {
            FieldDescriptor field = findField(type, member.getKey());
            String memberPath = (path.isEmpty() ? "" : path + ".") + (field == null ? member.getKey() : field.getName());
            if (field == null) {
                return memberPath;
            }
            String value;
            try {
                value = structPrinter.print(member.getValue());
            } catch (InvalidProtocolBufferException unprintable) {
                return memberPath;
            }
            try {
                parser.merge("{\"" + field.getName() + "\":" + value + "}", DynamicMessage.newBuilder(type));
            } catch (InvalidProtocolBufferException | RuntimeException fails) {
                boolean plainMessage = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isRepeated()
                        && !field.getMessageType().getFullName().startsWith("google.protobuf.");
                return plainMessage && member.getValue().hasStructValue()
                        ? culprit(field.getMessageType(), value, memberPath, depth + 1)
                        : memberPath;
            }
        }
        return path;
    }

    private static FieldDescriptor findField(Descriptor type, String name) {
        FieldDescriptor field = type.findFieldByName(name);
        if (field != null) {
            return field;
        }
        return type.getFields().stream().filter(f -> f.getJsonName().equals(name)).findFirst().orElse(null);
    }

    private static String describe(FieldDescriptor field) {
        String kind = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                ? field.getMessageType().getFullName()
                : field.getJavaType() == FieldDescriptor.JavaType.ENUM ? field.getEnumType().getFullName()
                : field.getType().name().toLowerCase(java.util.Locale.ROOT);
        return field.isMapField() ? "a map" : field.isRepeated() ? "a JSON array of " + kind : kind;
    }

    private static String utf8(byte[] json, String path) {
        return Utf8Text.decode(json).orElseThrow(() -> new BindingException(path,
                "request body is not UTF-8 text (expected: JSON in UTF-8)"));
    }

    private static String concise(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // Gson wraps the useful part: "java.io.EOFException: End of input at line 1 column 2 path $."
        int colon = message.lastIndexOf("Exception: ");
        if (colon >= 0) {
            message = message.substring(colon + "Exception: ".length());
        }
        return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    }
}
