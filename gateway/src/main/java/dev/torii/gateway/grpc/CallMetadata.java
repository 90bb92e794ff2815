package dev.torii.gateway.grpc;

import io.grpc.Metadata;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * What an upstream call sent besides its messages: the response headers and the trailers, kept
 * as they arrive (from a gRPC thread) for the protocol that relays them to the client. Also the
 * one rule of which metadata crosses the edge: gRPC's own and HTTP's connection-level keys never
 * do.
 */
public final class CallMetadata {

    // Keys the gRPC or HTTP layers own; relaying them would confuse the client's protocol.
    private static final Set<String> RESERVED = Set.of("content-type", "content-length", "content-encoding",
            "transfer-encoding", "connection", "keep-alive", "te", "trailer", "upgrade", "host", "user-agent",
            "date", "server", "accept-encoding");

    private volatile Metadata headers;
    private volatile Metadata trailers;

    /**
     * Records the upstream's response headers.
     *
     * @param headers the headers
     */
    public void headers(Metadata headers) {
        this.headers = headers;
    }

    /**
     * Records the upstream's trailers.
     *
     * @param trailers the trailers
     */
    public void trailers(Metadata trailers) {
        this.trailers = trailers;
    }

    /**
     * Returns the upstream's response headers.
     *
     * @return the headers, or null before (or without) any
     */
    public Metadata headers() {
        return headers;
    }

    /**
     * Returns the upstream's trailers.
     *
     * @return the trailers, or null before the call ended
     */
    public Metadata trailers() {
        return trailers;
    }

    /**
     * Visits the entries of metadata that may be relayed to a client: every key but gRPC's own
     * ({@code grpc-*}), pseudo-headers and HTTP connection headers; binary ({@code -bin}) values
     * are given base64-encoded without padding, as gRPC and Connect carry them.
     *
     * @param metadata the metadata, possibly null
     * @param visitor receives each key (lower case) and value
     */
    public static void forEachRelayable(Metadata metadata, BiConsumer<String, String> visitor) {
        if (metadata == null) {
            return;
        }
        for (String key : metadata.keys()) {
            String lower = key.toLowerCase(Locale.ROOT);
            if (lower.startsWith("grpc-") || lower.startsWith(":") || RESERVED.contains(lower)) {
                continue;
            }
            if (lower.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                Iterable<byte[]> values = metadata.getAll(Metadata.Key.of(lower, Metadata.BINARY_BYTE_MARSHALLER));
                if (values != null) {
                    for (byte[] value : values) {
                        visitor.accept(lower, Base64.getEncoder().withoutPadding().encodeToString(value));
                    }
                }
            } else {
                Iterable<String> values = metadata.getAll(Metadata.Key.of(lower, Metadata.ASCII_STRING_MARSHALLER));
                if (values != null) {
                    for (String value : values) {
                        visitor.accept(lower, value);
                    }
                }
            }
        }
    }
}
