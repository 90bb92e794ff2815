package dev.torii.gateway.protocol;

import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.exchange.WireProtocol;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The protocols the gateway speaks, in the order they are asked to claim a request, ending with
 * the one that takes whatever no other claims.
 */
public final class Protocols {

    private final List<Protocol> inOrder;
    private final Map<WireProtocol, Protocol> byId = new EnumMap<>(WireProtocol.class);
    private final Protocol fallback;

    /**
     * Creates the set.
     *
     * @param inOrder the protocols, most specific first; the last one is the fallback and must
     *     claim every request
     */
    public Protocols(List<Protocol> inOrder) {
        if (inOrder.isEmpty()) {
            throw new IllegalArgumentException("protocols: [] (expected: at least the fallback protocol)");
        }
        this.inOrder = List.copyOf(inOrder);
        this.fallback = inOrder.get(inOrder.size() - 1);
        inOrder.forEach(protocol -> byId.put(protocol.id(), protocol));
    }

    /**
     * Picks the protocol that serves a request.
     *
     * @param request the request
     * @param state the request's state, where a protocol may record what it learnt
     * @return the first protocol that claims it, or the fallback
     */
    public Protocol select(ServerHttpRequest request, GatewayExchange state) {
        for (Protocol protocol : inOrder) {
            if (protocol.claims(request, state)) {
                return protocol;
            }
        }
        return fallback;
    }

    /**
     * Returns the protocol a request speaks, the fallback when no step has told yet (a failure
     * before the protocol step is answered in the plainest envelope).
     *
     * @param state the request's state
     * @return the protocol
     */
    public Protocol of(GatewayExchange state) {
        WireProtocol id = state.protocol();
        return id == null ? fallback : byId.get(id);
    }
}
