package dev.torii.gateway.protocol;

import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.grpc.CallMetadata;
import dev.torii.gateway.grpc.GrpcTimeout;
import dev.torii.gateway.grpc.GrpcTrailers;
import dev.torii.gateway.grpc.Gzip;
import io.grpc.Status.Code;
import java.util.Locale;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * What gRPC and gRPC-Web share on the client's side of the edge: the {@code grpc-timeout} header,
 * the per-message encodings ({@code grpc-encoding} in, {@code grpc-accept-encoding} out) and the
 * headers of a trailers-only answer.
 */
final class GrpcCodec {

    private GrpcCodec() {}

    /**
     * Reads {@code grpc-timeout}.
     *
     * @return nanoseconds, or -1 without the header
     * @throws GatewayError INVALID_ARGUMENT for a malformed value
     */
    static long timeoutNanos(ServerHttpRequest request) {
        String header = request.getHeaders().getFirst(GrpcTimeout.HEADER);
        if (header == null) {
            return -1;
        }
        try {
            return GrpcTimeout.parseNanos(header.trim());
        } catch (IllegalArgumentException e) {
            throw GatewayError.of(Code.INVALID_ARGUMENT, e.getMessage());
        }
    }

    /**
     * Returns the request's message encoding, refusing one the gateway cannot inflate with
     * UNIMPLEMENTED and the encodings it can, as the gRPC protocol asks.
     *
     * @return the encoding, possibly null (none)
     */
    static String requestEncoding(ServerHttpRequest request) {
        String encoding = request.getHeaders().getFirst(GrpcTrailers.ENCODING);
        if (!MessageCodec.knownEncoding(encoding)) {
            String shown = encoding.length() > 40 ? encoding.substring(0, 40) + "..." : encoding;
            throw GatewayError.of(Code.UNIMPLEMENTED, GrpcTrailers.ENCODING + ": " + shown
                    + " (expected: gzip or identity)").header(GrpcTrailers.ACCEPT_ENCODING, Gzip.NAME);
        }
        return encoding;
    }

    /**
     * Tells whether the client takes gzip-compressed messages ({@code grpc-accept-encoding}).
     */
    static boolean acceptsGzip(ServerHttpRequest request) {
        return ConnectProtocol.acceptsGzip(request.getHeaders().getFirst(GrpcTrailers.ACCEPT_ENCODING));
    }

    /**
     * Sets the headers of a trailers-only answer: those every error carries, the upstream's
     * headers and trailers, and the status fields.
     */
    static void trailersOnly(HttpHeaders headers, GatewayExchange state, GatewayError error) {
        MessageCodec.errorHeaders(headers, state, error);
        CallMetadata.forEachRelayable(state.received().headers(), headers::add);
        GrpcTrailers.forEach(error.status(), state.received().trailers(), headers::add);
        state.outcome(code(error));
    }

    /**
     * Returns the gRPC code of an error.
     */
    static Code code(GatewayError error) {
        return io.grpc.Status.fromCodeValue(error.status().getCode()).getCode();
    }

    /**
     * Returns a media type without parameters, in lower case.
     *
     * @return the type, or null when absent
     */
    static String baseType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }
}
