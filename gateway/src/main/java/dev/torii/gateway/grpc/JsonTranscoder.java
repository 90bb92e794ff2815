package dev.torii.gateway.grpc;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Transcodes between proto3 JSON and protobuf binary with the service descriptors, following the
 * standard proto3 JSON mapping in both directions (lowerCamelCase names on output; either name
 * form accepted on input; unknown fields refused).
 */
public final class JsonTranscoder {

    private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.UTF_8);

    private final JsonFormat.Parser parser;
    private final JsonFormat.Printer printer;

    /**
     * Creates a transcoder that resolves {@code google.protobuf.Any} with every known type.
     *
     * @param descriptors the known message types
     */
    public JsonTranscoder(DescriptorRegistry descriptors) {
        this.parser = JsonFormat.parser().usingTypeRegistry(descriptors.typeRegistry());
        this.printer = JsonFormat.printer().usingTypeRegistry(descriptors.typeRegistry()).omittingInsignificantWhitespace();
    }

    /**
     * Turns a JSON request body into the protobuf encoding of {@code type}; an empty body is the
     * empty message.
     *
     * @param json the UTF-8 body
     * @param type the method's input type
     * @return the protobuf bytes
     * @throws MalformedMessageException when the body is not valid JSON for the type
     */
    public byte[] toProtobuf(byte[] json, Descriptor type) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(json.length == 0 ? EMPTY_OBJECT : json))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedMessageException("request body is not UTF-8 text (expected: JSON in UTF-8)");
        }
        if (text.isBlank()) {
            text = "{}";
        }
        DynamicMessage.Builder message = DynamicMessage.newBuilder(type);
        try {
            parser.merge(text, message);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            // JsonFormat reports syntax errors as unchecked Gson exceptions with the position.
            throw new MalformedMessageException("malformed JSON for " + type.getFullName() + ": "
                    + conciseMessage(e) + " (expected: the proto3 JSON form of " + type.getFullName() + ")");
        }
        return message.build().toByteArray();
    }

    /**
     * Turns an upstream answer into JSON.
     *
     * @param protobuf the response message bytes
     * @param type the method's output type
     * @return the UTF-8 JSON
     * @throws MalformedMessageException when the bytes are not a {@code type}
     */
    public byte[] toJson(byte[] protobuf, Descriptor type) {
        try {
            return printer.print(DynamicMessage.parseFrom(type, protobuf)).getBytes(StandardCharsets.UTF_8);
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedMessageException("upstream answer is not a valid " + type.getFullName());
        }
    }

    private static String conciseMessage(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // Gson wraps the useful part: "java.io.EOFException: End of input at line 1 column 2 path $."
        int colon = message.lastIndexOf("Exception: ");
        if (colon >= 0) {
            message = message.substring(colon + "Exception: ".length());
        }
        return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    }
}
