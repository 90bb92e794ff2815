package dev.torii.gateway.protocol;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.Status;
import dev.torii.gateway.grpc.DescriptorRegistry;
import java.util.Base64;

/**
 * Prints {@code google.rpc.Status} as proto3 JSON with its details, for the protocols whose error
 * envelope is that JSON.
 */
public final class StatusJson {

    private final JsonFormat.Printer printer;

    /**
     * Creates a printer of details of any type the descriptor sets know.
     *
     * @param descriptors the known message types
     */
    public StatusJson(DescriptorRegistry descriptors) {
        this.printer = JsonFormat.printer().usingTypeRegistry(descriptors.typeRegistry()).omittingInsignificantWhitespace();
    }

    /**
     * Prints a status as proto3 JSON; a detail whose type no descriptor set knows keeps its
     * {@code @type} and carries its bytes as base64 {@code value}, so nothing is lost.
     *
     * @param status the status
     * @return the JSON text
     */
    public String print(Status status) {
        try {
            return printer.print(status);
        } catch (InvalidProtocolBufferException unknownDetailType) {
            StringBuilder json = new StringBuilder();
            try {
                String head = printer.print(status.toBuilder().clearDetails().build());
                json.append(head, 0, head.length() - 1);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("google.rpc.Status without details always prints", e);
            }
            json.append(json.length() > 1 ? "," : "").append("\"details\":[");
            for (int i = 0; i < status.getDetailsCount(); i++) {
                Any detail = status.getDetails(i);
                json.append(i > 0 ? "," : "");
                try {
                    json.append(printer.print(detail));
                } catch (InvalidProtocolBufferException e) {
                    json.append("{\"@type\":").append(quote(detail.getTypeUrl()))
                            .append(",\"value\":\"").append(Base64.getEncoder().encodeToString(detail.getValue().toByteArray()))
                            .append("\"}");
                }
            }
            return json.append("]}").toString();
        }
    }

    private static String quote(String value) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }
}
