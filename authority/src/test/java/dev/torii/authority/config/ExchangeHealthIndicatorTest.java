package dev.torii.authority.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import dev.torii.authority.mint.KeyRing;
import dev.torii.authority.mint.SigningKeys;
import dev.torii.authority.verify.KeyFetchMonitor;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

class ExchangeHealthIndicatorTest {

    private final JWK key = SigningKeys.generate("RS256");
    private final KeyRing ring = new KeyRing(key, Duration.ofMinutes(15), Clock.systemUTC());
    private final GrpcServerLifecycle grpcServer = new GrpcServerLifecycle(0, Duration.ofSeconds(1), List.of());
    private final ExchangeHealthIndicator indicator = new ExchangeHealthIndicator(grpcServer, ring, "1 key file(s)",
            new KeyFetchMonitor(Clock.systemUTC()));

    @AfterEach
    void stop() {
        grpcServer.stop();
    }

    @Test
    void isUpOnlyWhileTheGrpcServerListens() {
        assertThat(indicator.health().getStatus()).as("before start").isEqualTo(Status.DOWN);

        grpcServer.start();
        Health running = indicator.health();
        assertThat(running.getStatus()).isEqualTo(Status.UP);
        assertThat(running.getDetails()).containsEntry("grpcPort", grpcServer.port())
                .containsEntry("signingKeyId", key.getKeyID()).containsEntry("publishedKeys", 1)
                .containsEntry("keySource", "1 key file(s)");

        grpcServer.stop();
        Health stopped = indicator.health();
        assertThat(stopped.getStatus()).as("after stop").isEqualTo(Status.DOWN);
        assertThat(stopped.getDetails().get("reason").toString()).contains("not listening");
    }

    @Test
    void namesTheKeyThatSignsAfterARotation() {
        grpcServer.start();
        JWK next = SigningKeys.generate("RS256");

        ring.rotate(next);

        assertThat(indicator.health().getDetails()).containsEntry("signingKeyId", next.getKeyID())
                .containsEntry("publishedKeys", 2);
    }
}
