package dev.torii.gateway.upstream;

import dev.torii.authority.v1.ExchangeTokenResponse;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.exchange.RequestIds;
import dev.torii.gateway.traffic.ClientAddressResolver;
import io.grpc.Metadata;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

/**
 * Builds the gRPC metadata a backend receives: the allow-listed client headers, the request id,
 * {@code x-forwarded-for} with the client's address appended, and, on authenticated routes,
 * {@code authorization: Bearer <private token>}. Nothing else the client sent reaches the
 * backend; in particular never the client's own credential.
 */
public final class ForwardedMetadata {

    private static final Metadata.Key<String> REQUEST_ID =
            Metadata.Key.of(RequestIds.HEADER, Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> FORWARDED_FOR =
            Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER);
    /** The metadata carrying the private token to the backend: {@code authorization: Bearer <token>}. */
    public static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final List<Metadata.Key<String>> allowed;

    /**
     * Creates a builder forwarding the given headers.
     *
     * @param headers lower-case header names, already checked not to be reserved
     */
    public ForwardedMetadata(List<String> headers) {
        this.allowed = headers.stream().map(h -> Metadata.Key.of(h, Metadata.ASCII_STRING_MARSHALLER)).toList();
    }

    /**
     * Builds the metadata of one upstream call.
     *
     * @param exchange the client exchange
     * @param state the request's state: its id and, when authenticated, its private token
     * @return fresh metadata the caller may add to
     */
    public Metadata build(ServerWebExchange exchange, GatewayExchange state) {
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = request.getHeaders();
        Metadata metadata = new Metadata();
        for (Metadata.Key<String> key : allowed) {
            List<String> values = headers.get(key.name());
            if (values != null) {
                for (String value : values) {
                    if (printableAscii(value)) {
                        metadata.put(key, value);
                    }
                }
            }
        }
        metadata.put(REQUEST_ID, state.requestId());
        ExchangeTokenResponse identity = state.identity();
        if (identity != null) {
            // The private token, never the client's own credential.
            metadata.put(AUTHORIZATION, "Bearer " + identity.getPrivateToken());
        }
        String peer = ClientAddressResolver.peerAddress(request);
        List<String> forwarded = headers.get("x-forwarded-for");
        String chain = forwarded == null ? null : String.join(", ", forwarded);
        if (chain != null && printableAscii(chain) && !chain.isBlank()) {
            metadata.put(FORWARDED_FOR, peer == null ? chain : chain + ", " + peer);
        } else if (peer != null) {
            metadata.put(FORWARDED_FOR, peer);
        }
        return metadata;
    }

    // gRPC ASCII metadata carries printable ASCII only; anything else is dropped rather than
    // mangled or allowed to fail the call.
    private static boolean printableAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
