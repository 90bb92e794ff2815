package dev.torii.gateway.httprule;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Converts the text of one path variable or query parameter into a value of its field, the way
 * grpc-gateway's {@code runtime.parseField} does (runtime/query.go): integers in decimal, floats
 * with {@code NaN} and {@code Infinity}, booleans as Go's {@code strconv.ParseBool} reads them,
 * enums by name or number, bytes in base64 of either alphabet, and the well-known types by their
 * proto3 JSON string form.
 */
final class FieldText {

    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");
    // Go's strconv.ParseBool, which grpc-gateway uses: clients written against it send these.
    private static final Set<String> TRUE = Set.of("true", "True", "TRUE", "t", "T", "1");
    private static final Set<String> FALSE = Set.of("false", "False", "FALSE", "f", "F", "0");
    // The well-known types whose proto3 JSON form is one string: parsed by JsonFormat as a JSON string.
    private static final Set<String> JSON_STRING_TYPES = Set.of("google.protobuf.Timestamp",
            "google.protobuf.Duration", "google.protobuf.FieldMask");
    // The well-known types whose JSON form is any JSON: the text is that JSON (grpc-gateway does the same).
    private static final Set<String> JSON_TEXT_TYPES = Set.of("google.protobuf.Struct", "google.protobuf.Value",
            "google.protobuf.ListValue");
    private static final Set<String> WRAPPER_TYPES = Set.of("google.protobuf.DoubleValue",
            "google.protobuf.FloatValue", "google.protobuf.Int64Value", "google.protobuf.UInt64Value",
            "google.protobuf.Int32Value", "google.protobuf.UInt32Value", "google.protobuf.BoolValue",
            "google.protobuf.StringValue", "google.protobuf.BytesValue");

    private final JsonFormat.Parser parser;

    FieldText(JsonFormat.Parser parser) {
        this.parser = parser;
    }

    /**
     * Converts text into a value {@code DynamicMessage.Builder.setField} takes for the field (one
     * element, for a repeated field).
     *
     * @param field the field, or a map entry's key or value field
     * @param text the decoded text
     * @param path the field path as the client wrote it, for the error
     * @return the value
     * @throws BindingException when the text is not a value of the field's type
     */
    Object parse(FieldDescriptor field, String text, String path) {
        try {
            return switch (field.getType()) {
                case STRING -> text;
                case BOOL -> parseBool(text);
                case INT32, SINT32, SFIXED32 -> Math.toIntExact(parseLong(text));
                case INT64, SINT64, SFIXED64 -> parseLong(text);
                case UINT32, FIXED32 -> parseUint32(text);
                case UINT64, FIXED64 -> parseUint64(text);
                case FLOAT -> parseFloat(text);
                case DOUBLE -> parseDouble(text);
                case BYTES -> parseBytes(text);
                case ENUM -> parseEnum(field, text);
                case MESSAGE, GROUP -> parseMessage(field.getMessageType(), text, path);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            throw new BindingException(path, path + ": " + quoted(text) + " is not a valid " + typeName(field)
                    + " (expected: " + expected(field) + ")");
        }
    }

    private static boolean parseBool(String text) {
        if (TRUE.contains(text)) {
            return true;
        }
        if (FALSE.contains(text)) {
            return false;
        }
        throw new NumberFormatException(text);
    }

    private static long parseLong(String text) {
        // Long.parseLong also reads non-ASCII digits; the pattern keeps to 0-9.
        if (!INTEGER.matcher(text).matches()) {
            throw new NumberFormatException(text);
        }
        return Long.parseLong(text);
    }

    private static int parseUint32(String text) {
        long value = parseUint64(text);
        if (Long.compareUnsigned(value, 0xFFFF_FFFFL) > 0) {
            throw new NumberFormatException(text);
        }
        return (int) value;
    }

    private static long parseUint64(String text) {
        if (!INTEGER.matcher(text).matches() || text.startsWith("-")) {
            throw new NumberFormatException(text);
        }
        return Long.parseUnsignedLong(text);
    }

    private static float parseFloat(String text) {
        double value = parseDouble(text);
        float narrowed = (float) value;
        if (Float.isInfinite(narrowed) && !Double.isInfinite(value)) {
            throw new NumberFormatException(text);
        }
        return narrowed;
    }

    // Decimal notation, or NaN and [+-]Inf[inity] in any case as Go's strconv.ParseFloat reads them
    // (the proto3 JSON mapping's "NaN", "Infinity" and "-Infinity" among them). Double.parseDouble
    // alone would also take hexadecimal and "1d".
    private static double parseDouble(String text) {
        if (DECIMAL.matcher(text).matches()) {
            return Double.parseDouble(text);
        }
        String lower = text.toLowerCase(Locale.ROOT);
        boolean negative = lower.startsWith("-");
        String unsigned = lower.startsWith("-") || lower.startsWith("+") ? lower.substring(1) : lower;
        if (unsigned.equals("inf") || unsigned.equals("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (lower.equals("nan")) {
            return Double.NaN;
        }
        throw new NumberFormatException(text);
    }

    // grpc-gateway's runtime.Bytes tries the standard alphabet, then the URL-safe one; padding is
    // optional here, as the proto3 JSON mapping allows for bytes.
    private static ByteString parseBytes(String text) {
        try {
            return ByteString.copyFrom(Base64.getDecoder().decode(text));
        } catch (IllegalArgumentException standard) {
            try {
                return ByteString.copyFrom(Base64.getUrlDecoder().decode(text));
            } catch (IllegalArgumentException urlSafe) {
                throw new NumberFormatException(text);
            }
        }
    }

    private static EnumValueDescriptor parseEnum(FieldDescriptor field, String text) {
        EnumValueDescriptor value = field.getEnumType().findValueByName(text);
        if (value == null && INTEGER.matcher(text).matches()) {
            value = field.getEnumType().findValueByNumber(Math.toIntExact(Long.parseLong(text)));
        }
        if (value == null) {
            throw new NumberFormatException(text);
        }
        return value;
    }

    private DynamicMessage parseMessage(Descriptor type, String text, String path) {
        String name = type.getFullName();
        DynamicMessage.Builder message = DynamicMessage.newBuilder(type);
        if (WRAPPER_TYPES.contains(name)) {
            FieldDescriptor value = type.findFieldByName("value");
            return message.setField(value, parse(value, text, path)).build();
        }
        if (!JSON_STRING_TYPES.contains(name) && !JSON_TEXT_TYPES.contains(name)) {
            throw new BindingException(path, path + ": is a " + name + " message, which one text cannot set"
                    + " (expected: one parameter per field, as " + path + ".<field>=value)");
        }
        try {
            parser.merge(JSON_STRING_TYPES.contains(name) ? jsonString(text) : text, message);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new BindingException(path, path + ": " + quoted(text) + " is not a valid " + name
                    + " (expected: " + wellKnownForm(name) + ")");
        }
        return message.build();
    }

    private static String typeName(FieldDescriptor field) {
        return field.getType() == FieldDescriptor.Type.ENUM ? field.getEnumType().getFullName()
                : field.getType().name().toLowerCase(Locale.ROOT);
    }

    private static String expected(FieldDescriptor field) {
        return switch (field.getType()) {
            case BOOL -> "true or false";
            case INT32, SINT32, SFIXED32 -> "a decimal integer from -2147483648 to 2147483647";
            case INT64, SINT64, SFIXED64 -> "a decimal integer from -9223372036854775808 to 9223372036854775807";
            case UINT32, FIXED32 -> "a decimal integer from 0 to 4294967295";
            case UINT64, FIXED64 -> "a decimal integer from 0 to 18446744073709551615";
            case FLOAT, DOUBLE -> "a decimal number, NaN, Infinity or -Infinity";
            case BYTES -> "base64, standard or URL-safe alphabet";
            case ENUM -> "one of " + field.getEnumType().getValues().stream().map(EnumValueDescriptor::getName).toList()
                    + " or its number";
            default -> "a " + field.getType().name().toLowerCase(Locale.ROOT);
        };
    }

    private static String wellKnownForm(String name) {
        return switch (name) {
            case "google.protobuf.Timestamp" -> "RFC 3339 with a Z or offset, as 2024-05-01T12:00:00.5Z";
            case "google.protobuf.Duration" -> "seconds with an s suffix, as 1.5s";
            case "google.protobuf.FieldMask" -> "comma-separated field paths, as title,author.name";
            default -> "its proto3 JSON form";
        };
    }

    // The text as a JSON string literal, so JsonFormat reads it as the well-known type's JSON form.
    private static String jsonString(String text) {
        StringBuilder json = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        return json.append('"').toString();
    }

    // Long values are cut in error messages: a message that repeats a megabyte helps no one.
    static String shortened(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }

    static String quoted(String text) {
        return "\"" + shortened(text) + "\"";
    }
}
