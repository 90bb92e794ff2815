package dev.torii.gateway.httprule;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.StringValue;
import com.google.protobuf.util.JsonFormat;
import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.grpc.MalformedMessageException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns an upstream answer into the body of a REST response: the whole message, or the field the
 * binding's {@code response_body} names, printed as proto3 JSON with the route's
 * {@link JsonPrintOptions} ({@code application/json}). A {@code google.api.HttpBody} answer, or
 * response_body field, is sent as its raw {@code data} with its {@code content_type}
 * ({@code application/octet-stream} when empty), as grpc-gateway's {@code HTTPBodyMarshaler}
 * does.
 *
 * <p>A response_body field that is not a message prints as its JSON value alone, as grpc-gateway's
 * marshaler prints it: an array for a repeated field, an object for a map, a number or string for
 * a scalar; an unset scalar prints its default (the field is what the client asked for), or
 * {@code null} when the field has presence ({@code optional}).
 *
 * <p>Works one message at a time, so a server stream is rendered message by message. Immutable and
 * thread-safe.
 */
public final class ResponseWriter {

    /** The Content-Type of JSON answers. */
    public static final String JSON = "application/json";

    private final Map<JsonPrintOptions, JsonFormat.Printer> printers;
    // The same options without emitDefaults: a container printed to cut one field out of it must
    // not print its other fields.
    private final Map<JsonPrintOptions, JsonFormat.Printer> sparsePrinters;

    /**
     * Creates a writer that prints {@code google.protobuf.Any} with every known type.
     *
     * @param descriptors the gateway's descriptors
     */
    public ResponseWriter(DescriptorRegistry descriptors) {
        this(descriptors.typeRegistry());
    }

    /**
     * Creates a writer that prints {@code google.protobuf.Any} with the given types.
     *
     * @param types the types {@code Any} may hold
     */
    public ResponseWriter(JsonFormat.TypeRegistry types) {
        Map<JsonPrintOptions, JsonFormat.Printer> all = new HashMap<>();
        Map<JsonPrintOptions, JsonFormat.Printer> sparse = new HashMap<>();
        for (int bits = 0; bits < 8; bits++) {
            JsonPrintOptions options = new JsonPrintOptions((bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0);
            all.put(options, printer(types, options));
            sparse.put(options, printer(types,
                    new JsonPrintOptions(options.protoFieldNames(), false, options.enumsAsInts())));
        }
        this.printers = Map.copyOf(all);
        this.sparsePrinters = Map.copyOf(sparse);
    }

    private static JsonFormat.Printer printer(JsonFormat.TypeRegistry types, JsonPrintOptions options) {
        JsonFormat.Printer printer = JsonFormat.printer().usingTypeRegistry(types).omittingInsignificantWhitespace();
        if (options.protoFieldNames()) {
            printer = printer.preservingProtoFieldNames();
        }
        if (options.emitDefaults()) {
            printer = printer.alwaysPrintFieldsWithNoPresence();
        }
        if (options.enumsAsInts()) {
            printer = printer.printingEnumsAsInts();
        }
        return printer;
    }

    /**
     * Renders one response message.
     *
     * @param method the called method
     * @param responseBody the binding's {@code response_body}: empty for the whole message, or a
     *     field path in proto names
     * @param responseMessage the upstream's message in protobuf binary
     * @param options how to print JSON
     * @return the body and its Content-Type
     * @throws MalformedMessageException when the bytes are not the method's output type
     * @throws IllegalArgumentException when {@code responseBody} names no field of the output type
     */
    public Rendered render(MethodDescriptor method, String responseBody, byte[] responseMessage,
            JsonPrintOptions options) {
        Descriptor type = method.getOutputType();
        DynamicMessage message;
        try {
            message = DynamicMessage.parseFrom(type, responseMessage);
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedMessageException("upstream answer is not a valid " + type.getFullName());
        }
        if (responseBody.isEmpty()) {
            return renderMessage(message, options);
        }
        FieldPath path = FieldPath.resolve(type, responseBody);
        if (path == null) {
            throw new IllegalArgumentException("response_body " + FieldText.quoted(responseBody) + " names no field of "
                    + type.getFullName() + " (expected: a field path of the response type)");
        }
        Message container = message;
        for (FieldDescriptor field : path.fields().subList(0, path.fields().size() - 1)) {
            container = (Message) container.getField(field);
        }
        FieldDescriptor field = path.last();
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isRepeated()) {
            // getField of an unset message field is its default instance: "{}" for JSON.
            return renderMessage((Message) container.getField(field), options);
        }
        return new Rendered(fieldJson(container, field, options), JSON);
    }

    private Rendered renderMessage(Message message, JsonPrintOptions options) {
        if (HttpBodies.is(message.getDescriptorForType())) {
            return new Rendered(HttpBodies.data(message), HttpBodies.contentType(message));
        }
        return new Rendered(print(printers.get(options), message).getBytes(StandardCharsets.UTF_8), JSON);
    }

    // The JSON value of a repeated, map or scalar field.
    private byte[] fieldJson(Message container, FieldDescriptor field, JsonPrintOptions options) {
        String value;
        boolean messages = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE;
        if (field.isMapField()) {
            FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
            boolean messageValues = valueField.getJavaType() == FieldDescriptor.JavaType.MESSAGE;
            value = messageValues && options.emitDefaults() ? mapOfMessages(container, field, options)
                    : container.getRepeatedFieldCount(field) == 0 ? "{}" : cutOut(container, field, options);
        } else if (field.isRepeated()) {
            value = messages ? arrayOfMessages(container, field, options)
                    : container.getRepeatedFieldCount(field) == 0 ? "[]" : cutOut(container, field, options);
        } else if (container.hasField(field)) {
            value = cutOut(container, field, options);
        } else {
            value = field.hasPresence() ? "null" : defaultJson(field, options);
        }
        return value.getBytes(StandardCharsets.UTF_8);
    }

    // The field printed in a copy of its container that holds nothing else: {"name":VALUE} -> VALUE.
    private String cutOut(Message container, FieldDescriptor field, JsonPrintOptions options) {
        DynamicMessage alone = DynamicMessage.newBuilder(container.getDescriptorForType())
                .setField(field, container.getField(field)).build();
        String printed = print(sparsePrinters.get(options), alone);
        return printed.substring(printed.indexOf("\":") + 2, printed.length() - 1);
    }

    private String arrayOfMessages(Message container, FieldDescriptor field, JsonPrintOptions options) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < container.getRepeatedFieldCount(field); i++) {
            json.append(i == 0 ? "" : ",").append(print(printers.get(options),
                    (Message) container.getRepeatedField(field, i)));
        }
        return json.append(']').toString();
    }

    // A map of messages whose values must show their defaults: each value printed alone, each key
    // as the JSON string the mapping makes of it.
    private String mapOfMessages(Message container, FieldDescriptor field, JsonPrintOptions options) {
        FieldDescriptor keyField = field.getMessageType().findFieldByName("key");
        FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < container.getRepeatedFieldCount(field); i++) {
            Message entry = (Message) container.getRepeatedField(field, i);
            json.append(i == 0 ? "" : ",").append(print(printers.get(options), StringValue.of(keyText(keyField,
                    entry.getField(keyField))))).append(':').append(print(printers.get(options),
                    (Message) entry.getField(valueField)));
        }
        return json.append('}').toString();
    }

    private static String keyText(FieldDescriptor keyField, Object key) {
        return switch (keyField.getType()) {
            case UINT32, FIXED32 -> Integer.toUnsignedString((Integer) key);
            case UINT64, FIXED64 -> Long.toUnsignedString((Long) key);
            default -> String.valueOf(key);
        };
    }

    // What the proto3 JSON mapping prints for an unset field without presence: its default.
    private static String defaultJson(FieldDescriptor field, JsonPrintOptions options) {
        return switch (field.getJavaType()) {
            case STRING, BYTE_STRING -> "\"\"";
            case BOOLEAN -> "false";
            case INT -> "0";
            case LONG -> "\"0\"";
            case FLOAT, DOUBLE -> "0.0";
            case ENUM -> options.enumsAsInts() ? String.valueOf(((EnumValueDescriptor) field.getDefaultValue()).getNumber())
                    : "\"" + ((EnumValueDescriptor) field.getDefaultValue()).getName() + "\"";
            case MESSAGE -> "{}";
        };
    }

    private static String print(JsonFormat.Printer printer, Message message) {
        try {
            return printer.print(message);
        } catch (InvalidProtocolBufferException e) {
            // Only an Any of a type no descriptor set knows gets here.
            throw new MalformedMessageException("upstream answer cannot be printed as JSON: " + e.getMessage());
        }
    }
}
