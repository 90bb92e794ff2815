package dev.torii.gateway.httprule;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
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
 * a scalar (its default when unset: the field is what the client asked for).
 *
 * <p>Works one message at a time, so a server stream is rendered message by message. Immutable and
 * thread-safe.
 */
public final class ResponseWriter {

    /** The Content-Type of JSON answers. */
    public static final String JSON = "application/json";

    private final Map<JsonPrintOptions, JsonFormat.Printer> printers;
    private final Map<JsonPrintOptions, JsonFormat.Printer> scalarPrinters;

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
        Map<JsonPrintOptions, JsonFormat.Printer> scalars = new HashMap<>();
        for (int bits = 0; bits < 8; bits++) {
            JsonPrintOptions options = new JsonPrintOptions((bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0);
            all.put(options, printer(types, options));
            scalars.put(options, printer(types,
                    new JsonPrintOptions(options.protoFieldNames(), true, options.enumsAsInts())));
        }
        this.printers = Map.copyOf(all);
        this.scalarPrinters = Map.copyOf(scalars);
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

    // The field's JSON value, cut out of its container printed with that field alone:
    // {"name":VALUE} -> VALUE.
    private byte[] fieldJson(Message container, FieldDescriptor field, JsonPrintOptions options) {
        DynamicMessage.Builder alone = DynamicMessage.newBuilder(container.getDescriptorForType());
        if (field.isRepeated() ? container.getRepeatedFieldCount(field) > 0 : container.hasField(field)) {
            alone.setField(field, container.getField(field));
        }
        String printed = print(printers.get(options), alone.build());
        if (printed.equals("{}") && !field.isRepeated()) {
            printed = print(scalarPrinters.get(options), alone.build());
        }
        String value;
        if (printed.equals("{}")) {
            value = field.isMapField() ? "{}" : field.isRepeated() ? "[]" : "null";
        } else {
            value = printed.substring(printed.indexOf("\":") + 2, printed.length() - 1);
        }
        return value.getBytes(StandardCharsets.UTF_8);
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
