package dev.torii.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.route.UpstreamTarget;
import dev.torii.gateway.routefile.RouteFileLoader;
import dev.torii.gateway.test.v1.TestServiceOuterClass;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.scheduling.concurrent.ConcurrentTaskScheduler;

/**
 * The one health checker against real gRPC servers: what the status page reads and what the
 * local/remote selector decides by are the same answers.
 */
class UpstreamHealthCheckerTest {

    @TempDir
    Path dir;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final UpstreamChannels channels = new UpstreamChannels(1024 * 1024, Duration.ofSeconds(1),
            new ConcurrentTaskScheduler(timer));
    private final HealthStatusManager health = new HealthStatusManager();
    private Server local;
    private int remotePort;
    private MethodRoute route;
    private RouteRegistry routes;
    private UpstreamHealthChecker checker;
    private LocalUpstreamSelector selector;

    @BeforeEach
    void start() throws IOException {
        local = ServerBuilder.forPort(0).addService(health.getHealthService()).build().start();
        try (ServerSocket free = new ServerSocket(0)) {
            remotePort = free.getLocalPort();
        }
        Files.writeString(dir.resolve("tests.yaml"), """
                service: torii.test.v1.TestService
                upstream:
                  local: {target: "localhost:%d"}
                  remote: {target: "localhost:%d"}
                auth: public
                methods: [Echo]
                """.formatted(local.getPort(), remotePort));
        RouteTable table = new RouteFileLoader(DescriptorRegistry.of(List.of(TestServiceOuterClass.getDescriptor())),
                new MockEnvironment(), Clock.systemUTC()).load(dir);
        route = table.find("/torii.test.v1.TestService/Echo");
        channels.open(table.upstreams());
        routes = new RouteRegistry(table);
    }

    // The remote target every 5s, the local one more often: one schedule, each on its own interval.
    private void startChecking(Duration localInterval) {
        checker = new UpstreamHealthChecker(channels, routes, Duration.ofSeconds(5), Duration.ofSeconds(1),
                localInterval, new ConcurrentTaskScheduler(timer), Clock.systemUTC());
        selector = new LocalUpstreamSelector(checker, routes);
    }

    @AfterEach
    void stop() {
        if (checker != null) {
            checker.close();
        }
        channels.close();
        local.shutdownNow();
        timer.shutdownNow();
    }

    @Test
    void theSelectorAndTheStatusPageReadTheSameAnswers() {
        startChecking(Duration.ofMillis(100));
        UpstreamTarget localTarget = route.localUpstream().orElseThrow();

        await().atMost(Duration.ofSeconds(5)).until(() -> selector.select(route).equals(localTarget));
        assertThat(checker.health(localTarget).state()).isEqualTo(UpstreamHealthChecker.State.SERVING);
        assertThat(selector.localTargets().get(localTarget).reason()).isEqualTo("answers its health check (SERVING)");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> checker.health(route.upstream()).state() == UpstreamHealthChecker.State.DOWN);
        assertThat(checker.health(route.upstream()).detail()).startsWith("UNAVAILABLE");

        health.setStatus("", ServingStatus.NOT_SERVING);

        await().atMost(Duration.ofSeconds(5)).until(() -> selector.select(route).equals(route.upstream()));
        assertThat(checker.health(localTarget).state()).isEqualTo(UpstreamHealthChecker.State.NOT_SERVING);
        assertThat(selector.localTargets().get(localTarget).reason())
                .isEqualTo("answers its health check with NOT_SERVING");
    }

    @Test
    void aFailoverMarksTheLocalTargetDownAtOnceUntilItAnswersAgain() {
        // Long enough that no check lands between the failover and the assertions on it.
        startChecking(Duration.ofSeconds(1));
        UpstreamTarget localTarget = route.localUpstream().orElseThrow();
        await().atMost(Duration.ofSeconds(5)).until(() -> selector.select(route).equals(localTarget));

        assertThat(selector.failover(route, localTarget)).hasValue(route.upstream());

        assertThat(selector.select(route)).isEqualTo(route.upstream());
        assertThat(checker.health(localTarget).state()).isEqualTo(UpstreamHealthChecker.State.DOWN);
        assertThat(checker.health(localTarget).detail()).isEqualTo("could not be reached by a call");
        assertThat(selector.localTargets().get(localTarget).reason()).isEqualTo("could not be reached by a call");
        assertThat(selector.failover(route, route.upstream())).as("the remote target has nothing to fail over to")
                .isEmpty();
        await("the next check finds it serving").atMost(Duration.ofSeconds(5))
                .until(() -> selector.select(route).equals(localTarget));
    }
}
