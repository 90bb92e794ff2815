package dev.torii.gateway.edge;

import dev.torii.gateway.config.FilterOrder;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Gives every request an id: the client's {@code x-request-id} when it is sane, a new UUID
 * otherwise. The id is echoed on every answer and forwarded to the backend. Also notes when the
 * request arrived, for the deadline.
 */
public final class RequestIdFilter implements GatewayFilter, Ordered {

    /** The header carrying the id, in both directions. */
    public static final String HEADER = "x-request-id";
    /** Exchange attribute holding the id. */
    public static final String ATTRIBUTE = "torii.requestId";
    /** Exchange attribute holding {@link System#nanoTime()} when the request arrived. */
    public static final String STARTED_NANOS_ATTRIBUTE = "torii.startedNanos";

    private static final int MAX_LENGTH = 128;

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        exchange.getAttributes().put(STARTED_NANOS_ATTRIBUTE, System.nanoTime());
        String id = requestId(exchange);
        exchange.getResponse().getHeaders().set(HEADER, id);
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return FilterOrder.REQUEST_ID;
    }

    /**
     * Returns the request id of an exchange, assigning one if no step did yet.
     *
     * @param exchange the exchange
     * @return the id
     */
    public static String requestId(ServerWebExchange exchange) {
        String id = exchange.getAttribute(ATTRIBUTE);
        if (id == null) {
            String offered = exchange.getRequest().getHeaders().getFirst(HEADER);
            id = acceptable(offered) ? offered : newId();
            exchange.getAttributes().put(ATTRIBUTE, id);
        }
        return id;
    }

    /**
     * Tells whether a client-supplied id can be reused: 1 to 128 characters of letters, digits
     * and {@code - _ . :}, so it is safe in logs and headers.
     */
    static boolean acceptable(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    // A random (version 4) UUID from ThreadLocalRandom: ids must be unique, not unguessable, and
    // SecureRandom would serialise every event-loop thread on one lock.
    private static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & ~(0xC000000000000000L)) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
