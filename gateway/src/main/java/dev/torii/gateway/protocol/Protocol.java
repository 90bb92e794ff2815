package dev.torii.gateway.protocol;

import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.exchange.GatewayExchange;
import dev.torii.gateway.exchange.WireProtocol;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteTable;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One wire protocol the gateway speaks with clients, owning both directions over the same
 * upstream call: it reads the request message, writes the answer (one message, or a stream
 * message by message) and writes errors in its own envelope (Armeria's
 * {@code UnframedGrpcService} with its error handler is the model). A new protocol is a new
 * implementation, not a branch in every step.
 *
 * <p>Every method is called on an event-loop thread and must not block.
 */
public interface Protocol {

    /**
     * Names the protocol.
     *
     * @return its name
     */
    WireProtocol id();

    /**
     * Tells whether this protocol speaks a request, by its content type, headers or path shape.
     * Protocols are asked in a fixed order and the first that claims a request serves it.
     *
     * @param request the request
     * @return whether this protocol serves it
     */
    boolean claims(ServerHttpRequest request);

    /**
     * Tells whether this protocol speaks a request, as {@link #claims(ServerHttpRequest)}, and
     * records in {@code state} what it learnt on the way, so that later steps need not learn it
     * again (REST matches the path once, here).
     *
     * @param request the request
     * @param state the request's state
     * @return whether this protocol serves it
     */
    default boolean claims(ServerHttpRequest request, GatewayExchange state) {
        return claims(request);
    }

    /**
     * Checks what the protocol needs of a request before any other step runs, such as the HTTP
     * version; nothing, unless the protocol says otherwise (gRPC needs HTTP/2).
     *
     * @param request the request this protocol claimed
     * @throws GatewayError when the protocol cannot serve the request
     */
    default void admit(ServerHttpRequest request) {}

    /**
     * Finds the route a request calls in the table in force: by its RPC path
     * ({@code /package.Service/Method}), unless the protocol says otherwise (REST matches path
     * templates, and records the match in {@code state}).
     *
     * @param table the table in force
     * @param request the request
     * @param state the request's state
     * @return the route, or null when none matches
     * @throws GatewayError when the protocol can tell more than "not found", such as a path
     *     that matches under other HTTP methods only (405)
     */
    default MethodRoute findRoute(RouteTable table, ServerHttpRequest request, GatewayExchange state) {
        return table.find(request.getPath().value());
    }

    /**
     * Tells whether the protocol calls a route with an HTTP method; POST, unless the protocol
     * says otherwise (Connect's GET form, REST's verbs).
     *
     * @param method the request's method
     * @param route the matched route
     * @return whether the request may proceed
     */
    default boolean accepts(HttpMethod method, MethodRoute route) {
        return HttpMethod.POST.equals(method);
    }

    /**
     * Names the HTTP methods {@link #accepts} takes for a route, for the {@code Allow} header of a
     * 405.
     *
     * @param route the route
     * @return for example {@code POST}
     */
    default String allowedMethods(MethodRoute route) {
        return "POST";
    }

    /**
     * Reads the timeout the client asked for in the protocol's own header, if any.
     *
     * @param request the request
     * @return the timeout in nanoseconds, or -1 when the client set none
     * @throws GatewayError INVALID_ARGUMENT when the header is malformed
     */
    long clientTimeoutNanos(ServerHttpRequest request);

    /**
     * Reads the request's one message as protobuf bytes, checking its content type and size and
     * recording the message format in {@code state}.
     *
     * @param exchange the exchange
     * @param state the request's state
     * @param maxBytes the request size limit
     * @return the message bytes, or a {@link GatewayError}
     */
    Mono<byte[]> readRequest(ServerWebExchange exchange, GatewayExchange state, int maxBytes);

    /**
     * Answers a unary call with its one response message.
     *
     * @param exchange the exchange
     * @param state the request's state
     * @param message the upstream's answer, protobuf bytes
     * @return completion of the write
     */
    Mono<Void> writeMessage(ServerWebExchange exchange, GatewayExchange state, byte[] message);

    /**
     * Answers a server-streaming call message by message, as the messages arrive; a failure of
     * {@code messages} ends the stream in the protocol's own form (before the first message it is
     * answered as any error). Implementations hand the whole stream to one
     * {@code writeWith}: Reactor Netty then flushes once for the messages that arrived together
     * and right away when no more are waiting, where {@code writeAndFlushWith} would pay a flush
     * (a system call) for every message of a busy stream.
     *
     * @param exchange the exchange
     * @param state the request's state
     * @param messages the upstream's messages, protobuf bytes, demanded as the client reads
     * @return completion of the stream
     */
    Mono<Void> writeStream(ServerWebExchange exchange, GatewayExchange state, Flux<byte[]> messages);

    /**
     * Answers with an error in the protocol's envelope, unless the answer is already on its way.
     *
     * @param exchange the exchange
     * @param state the request's state
     * @param error the error
     * @return completion of the write
     */
    Mono<Void> writeError(ServerWebExchange exchange, GatewayExchange state, GatewayError error);
}
