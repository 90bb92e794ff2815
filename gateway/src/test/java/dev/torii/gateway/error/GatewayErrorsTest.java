package dev.torii.gateway.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status.Code;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.netty.channel.AbortedException;

class GatewayErrorsTest {

    private final MockServerWebExchange exchange = MockServerWebExchange.from(
            MockServerHttpRequest.get("/v1/sellers/s/offers:watch"));

    @Test
    void aClientThatClosedItsConnectionIsCancelledNotAnInternalError() {
        assertThat(GatewayErrors.from(exchange, new AbortedException("connection closed")).status().getCode())
                .isEqualTo(Code.CANCELLED.value());
        assertThat(GatewayErrors.from(exchange, new IOException("Connection reset by peer")).status().getCode())
                .isEqualTo(Code.CANCELLED.value());
    }

    @Test
    void anythingElseUnexpectedStaysAnInternalError() {
        assertThat(GatewayErrors.from(exchange, new IllegalStateException("a bug")).status().getCode())
                .isEqualTo(Code.INTERNAL.value());
    }
}
