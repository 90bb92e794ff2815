package dev.torii.gateway.protocol;

import dev.torii.gateway.error.GatewayError;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.Status;
import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.grpc.WireFormat;
import dev.torii.gateway.edge.RequestIdFilter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Writes the one error envelope: the HTTP status, a {@code google.rpc.Status} body (protobuf when
 * the request was protobuf, JSON otherwise, details preserved), and the {@code grpc-status},
 * {@code grpc-message} and {@code x-request-id} headers.
 */
public final class ErrorEnvelopeWriter {

    private static final Logger log = LoggerFactory.getLogger(ErrorEnvelopeWriter.class);

    /** Exchange attribute: the wire format the client speaks, once the request was decoded. */
    public static final String WIRE_FORMAT_ATTRIBUTE = "torii.wireFormat";

    private final JsonFormat.Printer printer;

    /**
     * Creates a writer that prints details of any type the descriptor sets know.
     *
     * @param descriptors the known message types
     */
    public ErrorEnvelopeWriter(DescriptorRegistry descriptors) {
        this.printer = JsonFormat.printer().usingTypeRegistry(descriptors.typeRegistry()).omittingInsignificantWhitespace();
    }

    /**
     * Answers the exchange with {@code error}, unless the response is already on its way.
     *
     * @param exchange the exchange
     * @param error the failure
     * @return completion of the write
     */
    public Mono<Void> write(ServerWebExchange exchange, GatewayError error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            log.debug("response already committed; cannot report {}", error.getMessage());
            return Mono.empty();
        }
        WireFormat format = exchange.getAttribute(WIRE_FORMAT_ATTRIBUTE);
        if (format == null) {
            format = WireFormat.forErrors(exchange.getRequest().getHeaders().getFirst(HttpHeaders.CONTENT_TYPE));
        }
        Status status = error.status();
        byte[] body;
        String contentType;
        String accept = exchange.getRequest().getHeaders().getFirst(HttpHeaders.ACCEPT);
        if (error.html() != null && format == WireFormat.JSON && accept != null && accept.contains("text/html")) {
            body = error.html().getBytes(StandardCharsets.UTF_8);
            contentType = "text/html;charset=utf-8";
        } else if (format == WireFormat.PROTOBUF) {
            body = status.toByteArray();
            String requested = WireFormat.supportedMediaType(
                    exchange.getRequest().getHeaders().getFirst(HttpHeaders.CONTENT_TYPE));
            contentType = requested != null ? requested : WireFormat.APPLICATION_X_PROTOBUF;
        } else {
            body = json(status).getBytes(StandardCharsets.UTF_8);
            contentType = WireFormat.APPLICATION_JSON;
        }
        response.setStatusCode(HttpStatusCode.valueOf(error.httpStatus()));
        HttpHeaders headers = response.getHeaders();
        headers.set(HttpHeaders.CONTENT_TYPE, contentType);
        headers.setContentLength(body.length);
        headers.set("grpc-status", Integer.toString(status.getCode()));
        headers.set("grpc-message", percentEncode(status.getMessage()));
        headers.set(HttpHeaders.CACHE_CONTROL, "no-store");
        String requestId = RequestIdFilter.requestId(exchange);
        headers.set(RequestIdFilter.HEADER, requestId);
        for (Map.Entry<String, String> header : error.headers().entrySet()) {
            headers.set(header.getKey(), header.getValue());
        }
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }

    /**
     * Prints a status as proto3 JSON; a detail whose type no descriptor set knows keeps its
     * {@code @type} and carries its bytes as base64 {@code value}, so nothing is lost.
     */
    String json(Status status) {
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
