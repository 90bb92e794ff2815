package dev.torii.gateway.grpc;

import com.google.rpc.Status;
import io.grpc.Metadata;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.BiConsumer;

/**
 * The end of a gRPC or gRPC-Web answer: {@code grpc-status}, {@code grpc-message}
 * (percent-encoded), {@code grpc-status-details-bin} (the whole {@code google.rpc.Status}, when it
 * has details) and the upstream's relayable trailers, as one list of fields. gRPC sends them as
 * HTTP/2 trailers, gRPC-Web as its trailer frame, and both as the headers of a trailers-only
 * answer (an error before the first message).
 */
public final class GrpcTrailers {

    /** The status code field. */
    public static final String STATUS = "grpc-status";
    /** The field that carries the full status, details included, base64-encoded. */
    public static final String STATUS_DETAILS = "grpc-status-details-bin";
    /** The per-message encoding of a call's messages. */
    public static final String ENCODING = "grpc-encoding";
    /** The per-message encodings a peer accepts. */
    public static final String ACCEPT_ENCODING = "grpc-accept-encoding";
    /** The flag of gRPC-Web's trailer frame. */
    public static final int TRAILER_FRAME = 0x80;

    private static final Status OK = Status.newBuilder().setCode(io.grpc.Status.Code.OK.value()).build();

    private GrpcTrailers() {}

    /**
     * Visits the fields that end a call with a status.
     *
     * @param status the status the client reads (OK for a success)
     * @param upstreamTrailers the upstream's trailers, possibly null; only the relayable ones are
     *     visited (see {@link CallMetadata#forEachRelayable})
     * @param visitor receives each field's lower-case name and value
     */
    public static void forEach(Status status, Metadata upstreamTrailers, BiConsumer<String, String> visitor) {
        visitor.accept(STATUS, Integer.toString(status.getCode()));
        if (!status.getMessage().isEmpty()) {
            visitor.accept(GrpcMessage.HEADER, GrpcMessage.percentEncode(status.getMessage()));
        }
        if (status.getDetailsCount() > 0) {
            // gRPC asks senders for unpadded base64 and receivers to take both.
            visitor.accept(STATUS_DETAILS, Base64.getEncoder().withoutPadding().encodeToString(status.toByteArray()));
        }
        CallMetadata.forEachRelayable(upstreamTrailers, visitor);
    }

    /**
     * Writes gRPC-Web's trailer frame: flag 0x80, then the fields as an HTTP/1.1 header block
     * ({@code name: value} lines ending in CRLF).
     *
     * @param status the status the client reads
     * @param upstreamTrailers the upstream's trailers, possibly null
     * @return the frame, prefix included
     */
    public static byte[] webTrailerFrame(Status status, Metadata upstreamTrailers) {
        StringBuilder block = new StringBuilder(64);
        forEach(status, upstreamTrailers, (name, value) -> block.append(name).append(": ").append(value).append("\r\n"));
        return MessageFrames.frame(TRAILER_FRAME, block.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * The status of a call that ended well.
     *
     * @return status OK, without message
     */
    public static Status ok() {
        return OK;
    }
}
