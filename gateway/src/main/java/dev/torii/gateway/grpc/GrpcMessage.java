package dev.torii.gateway.grpc;

import java.nio.charset.StandardCharsets;

/**
 * The {@code grpc-message} header (and trailer) of the gRPC HTTP/2 protocol.
 */
public final class GrpcMessage {

    /** The header's name. */
    public static final String HEADER = "grpc-message";

    private GrpcMessage() {}

    /**
     * Encodes a message for the {@code grpc-message} header as the gRPC HTTP/2 protocol says:
     * UTF-8, with bytes outside printable ASCII and {@code %} percent-encoded.
     *
     * @param message the message
     * @return the header value
     */
    public static String percentEncode(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder encoded = null;
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean plain = b >= 0x20 && b <= 0x7e && b != '%';
            if (!plain && encoded == null) {
                encoded = new StringBuilder(bytes.length + 16);
                encoded.append(message, 0, i);
            }
            if (encoded != null) {
                if (plain) {
                    encoded.append((char) b);
                } else {
                    encoded.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
                }
            }
        }
        return encoded == null ? message : encoded.toString();
    }
}
