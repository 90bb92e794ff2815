package dev.torii.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torii.examples.offer.v1.OfferProto;
import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.upstream.UpstreamChannels;
import dev.torii.gateway.reload.ReloadStatus;
import dev.torii.gateway.routefile.RouteFileLoader;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.reload.RouteReloader;
import dev.torii.gateway.reload.RouteSetActivator;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.traffic.UpstreamGuards;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.scheduling.concurrent.ConcurrentTaskScheduler;

class RoutesHealthIndicatorTest {

    // Port 1 on the loopback: nothing listens, so the upstream is down from the first call.
    private static final String OFFERS = """
            service: examples.offer.v1.OfferService
            upstream: {target: "127.0.0.1:1"}
            auth: public
            methods: [GetOffer, CreateOffer]
            """;

    @TempDir
    Path dir;

    private final RouteFileLoader loader = new RouteFileLoader(DescriptorRegistry.of(List.of(OfferProto.getDescriptor())),
            new MockEnvironment(), Clock.systemUTC());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final UpstreamChannels channels = new UpstreamChannels(1024 * 1024, Duration.ofSeconds(1), new ConcurrentTaskScheduler(timer));
    private final ReloadStatus status = new ReloadStatus();
    private RouteRegistry registry;
    private RoutesHealthIndicator indicator;

    @BeforeEach
    void loadRoutes() throws IOException {
        Files.writeString(dir.resolve("offers.yaml"), OFFERS);
        RouteTable table = loader.load(dir);
        registry = new RouteRegistry(table);
        indicator = new RoutesHealthIndicator(registry, channels, status);
        status.started(table, RouteReloader.digest(dir), table.loadedAt());
    }

    @AfterEach
    void closeChannels() {
        channels.close();
        timer.shutdownNow();
    }

    @Test
    void isDownUntilTheUpstreamsOfTheRoutesHaveChannels() {
        Health before = indicator.health();
        assertThat(before.getStatus()).isEqualTo(Status.DOWN);
        assertThat(before.getDetails().get("reason").toString()).isEqualTo("no channel yet for 1 of 1 upstream(s)");

        channels.open(registry.current().upstreams());

        assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void isUpWithAnUnreachableUpstreamAndSaysWhyInItsDetails() {
        channels.open(registry.current().upstreams());

        Health health = indicator.health();

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("methods", 2).containsEntry("upstreams", 1)
                .containsEntry("services", List.of("examples.offer.v1.OfferService"))
                .containsEntry("reloadsSucceeded", 0L).containsEntry("reloadsRejected", 0L)
                .containsEntry("upstreamsNote", RoutesHealthIndicator.UPSTREAMS_NOTE)
                .doesNotContainKey("reloadNote");
        assertThat(lastReload(health)).containsEntry("result", "started");
    }

    @Test
    void staysUpAfterARejectedReloadAndSaysTheLastGoodSetIsInForce() throws IOException {
        channels.open(registry.current().upstreams());
        RouteSetActivator activator = new RouteSetActivator(loader, dir, table -> { }, channels,
                new UpstreamGuards(0.2, 10), status, Clock.systemUTC());
        registry = activator.start();
        indicator = new RoutesHealthIndicator(registry, channels, status);
        RouteReloader reloader = new RouteReloader(dir, activator, status);
        Files.writeString(dir.resolve("offers.yaml"), OFFERS.replace("GetOffer", "DeleteOffer"));

        assertThat(reloader.reloadIfChanged()).isTrue();
        Health health = indicator.health();

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("methods", 2).containsEntry("reloadsRejected", 1L)
                .containsEntry("reloadNote", RoutesHealthIndicator.REJECTED_NOTE);
        assertThat(lastReload(health)).containsEntry("result", "rejected")
                .containsEntry("problems", 1);
    }

    @Test
    void isDownOnceTheChannelsAreClosing() {
        channels.open(registry.current().upstreams());

        channels.close();

        Health health = indicator.health();
        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails().get("reason").toString()).contains("shutting down");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> lastReload(Health health) {
        return (Map<String, Object>) health.getDetails().get("lastReload");
    }
}
