package dev.torii.gateway.protocol;

import com.google.rpc.Status;
import dev.torii.gateway.error.GatewayErrors;
import dev.torii.gateway.exchange.GatewayExchange;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Writes a server stream as JSON text for plain HTTP clients, message by message as the messages
 * arrive, in one of two forms:
 *
 * <ul>
 *   <li>NDJSON ({@code application/x-ndjson}), grpc-gateway's form: a line
 *       {@code {"result":<message>}} per message, and a failure after the first message as a
 *       last line {@code {"error":<google.rpc.Status>}}; a failure before it is answered as any
 *       error, with its HTTP status, since the headers go with the first line;</li>
 *   <li>Server-Sent Events ({@code text/event-stream}): a {@code data: <message>} event per
 *       message, and a failure as an {@code event: error} whose data is the status; the stream
 *       opens at once, as EventSource clients expect, so every failure travels as an event.</li>
 * </ul>
 *
 * A stream that ends without an error line or event ended OK.
 */
final class JsonStream {

    /** The media type of newline-delimited JSON. */
    static final String NDJSON = "application/x-ndjson";
    /** The media type of Server-Sent Events. */
    static final String EVENT_STREAM = "text/event-stream";

    private static final byte[] RESULT = "{\"result\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] ERROR = "{\"error\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] LINE_END = "}\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] SSE_DATA = "data: ".getBytes(StandardCharsets.UTF_8);
    private static final byte[] SSE_ERROR = "event: error\ndata: ".getBytes(StandardCharsets.UTF_8);
    private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.UTF_8);

    private JsonStream() {}

    /**
     * Answers with a stream.
     *
     * @param exchange the exchange
     * @param state the request's state, counting the messages and recording the outcome
     * @param messages the upstream's messages, protobuf bytes
     * @param toJson prints one message as compact JSON (no raw line breaks)
     * @param statusJson prints the status of a failure
     * @param events Server-Sent Events rather than NDJSON
     * @return completion of the stream
     */
    static Mono<Void> write(ServerWebExchange exchange, GatewayExchange state, Flux<byte[]> messages,
            Function<byte[], byte[]> toJson, StatusJson statusJson, boolean events) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.OK);
        response.getHeaders().set(HttpHeaders.CONTENT_TYPE, events ? EVENT_STREAM : NDJSON);
        response.getHeaders().set(HttpHeaders.CACHE_CONTROL, "no-store");
        Flux<DataBuffer> parts = messages
                .map(message -> {
                    byte[] json = toJson.apply(message);
                    state.messageSent();
                    return events ? wrap(response, SSE_DATA, json, EVENT_END) : wrap(response, RESULT, json, LINE_END);
                })
                .doOnComplete(() -> state.outcome(io.grpc.Status.Code.OK))
                .onErrorResume(failure -> {
                    if (state.messagesSent() == 0 && !events) {
                        return Flux.error(failure);
                    }
                    Status status = GatewayErrors.from(exchange, failure).status();
                    state.outcome(io.grpc.Status.fromCodeValue(status.getCode()).getCode());
                    byte[] json = statusJson.print(status).getBytes(StandardCharsets.UTF_8);
                    return Flux.just(events ? wrap(response, SSE_ERROR, json, EVENT_END)
                            : wrap(response, ERROR, json, LINE_END));
                });
        // An empty first buffer sends an event stream's headers at once.
        return response.writeWith(events
                ? Flux.concat(Mono.fromSupplier(() -> response.bufferFactory().wrap(new byte[0])), parts) : parts);
    }

    private static DataBuffer wrap(ServerHttpResponse response, byte[] head, byte[] json, byte[] tail) {
        byte[] part = new byte[head.length + json.length + tail.length];
        System.arraycopy(head, 0, part, 0, head.length);
        System.arraycopy(json, 0, part, head.length, json.length);
        System.arraycopy(tail, 0, part, head.length + json.length, tail.length);
        return response.bufferFactory().wrap(part);
    }
}
