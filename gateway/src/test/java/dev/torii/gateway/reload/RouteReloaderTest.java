package dev.torii.gateway.reload;

import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.route.UpstreamTarget;
import dev.torii.gateway.routefile.RouteFileLoader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.torii.examples.offer.v1.OfferProto;
import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.upstream.UpstreamChannels;
import dev.torii.gateway.test.v1.TestServiceOuterClass;
import dev.torii.gateway.traffic.UpstreamGuards;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.scheduling.concurrent.ConcurrentTaskScheduler;

class RouteReloaderTest {

    private static final DescriptorRegistry DESCRIPTORS = DescriptorRegistry.of(List.of(
            OfferProto.getDescriptor(), TestServiceOuterClass.getDescriptor()));
    private static final String OFFERS = """
            service: examples.offer.v1.OfferService
            upstream: {target: "127.0.0.1:1"}
            timeout: 50ms
            auth: public
            methods: [GetOffer]
            """;
    private static final String TESTS = """
            service: torii.test.v1.TestService
            upstream: {target: "127.0.0.1:2"}
            auth: public
            methods: [Echo]
            """;

    @TempDir
    Path dir;

    private final RouteFileLoader loader = new RouteFileLoader(DESCRIPTORS, new MockEnvironment(), Clock.systemUTC());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final UpstreamChannels channels = new UpstreamChannels(1024 * 1024, Duration.ofSeconds(1), new ConcurrentTaskScheduler(timer));
    private final UpstreamGuards guards = new UpstreamGuards(0.2, 10);
    private final ReloadStatus status = new ReloadStatus();
    private final AtomicBoolean refuseAll = new AtomicBoolean();
    private RouteRegistry registry;
    private RouteReloader reloader;

    @BeforeEach
    void startWithOffers() throws IOException {
        Files.writeString(dir.resolve("offers.yaml"), OFFERS);
        RouteSetActivator activator = new RouteSetActivator(loader, dir, candidate -> {
            if (refuseAll.get()) {
                throw new IllegalStateException("torii.gateway.authority.target is not set");
            }
        }, channels, guards, status, Clock.systemUTC());
        registry = activator.start();
        reloader = new RouteReloader(dir, activator, status);
    }

    @AfterEach
    void closeChannels() {
        channels.close();
        timer.shutdownNow();
    }

    @Test
    void anUnchangedFolderIsNotLoadedAgain() {
        assertThat(reloader.reloadIfChanged()).isFalse();
        assertThat(status.snapshot().last().outcome()).isEqualTo(ReloadStatus.Outcome.STARTED);
    }

    @Test
    void aValidChangeIsPutInForceWithChannelsForNewUpstreams() throws IOException {
        RouteTable before = registry.current();
        Files.writeString(dir.resolve("tests.yaml"), TESTS);

        assertThat(reloader.reloadIfChanged()).isTrue();

        assertThat(registry.current()).isNotSameAs(before);
        assertThat(registry.current().find("/torii.test.v1.TestService/Echo")).isNotNull();
        assertThat(registry.current().find("/examples.offer.v1.OfferService/GetOffer")).isNotNull();
        assertThat(channels.targets()).extracting(UpstreamTarget::target).contains("127.0.0.1:1", "127.0.0.1:2");
        ReloadStatus.Snapshot snapshot = status.snapshot();
        assertThat(snapshot.succeeded()).isEqualTo(1);
        assertThat(snapshot.failed()).isZero();
        assertThat(snapshot.last().outcome()).isEqualTo(ReloadStatus.Outcome.LOADED);
        assertThat(snapshot.last().routes()).isEqualTo(2);
        assertThat(snapshot.inForce()).isEqualTo(snapshot.last());
        assertThat(reloader.reloadIfChanged()).isFalse();
    }

    @Test
    void anInvalidChangeKeepsTheSetInForceAndSaysWhy() throws IOException {
        RouteTable before = registry.current();
        Files.writeString(dir.resolve("tests.yaml"), TESTS.replace("[Echo]", "[Echo, Missing]"));

        assertThat(reloader.reloadIfChanged()).isTrue();

        assertThat(registry.current()).isSameAs(before);
        ReloadStatus.Snapshot snapshot = status.snapshot();
        assertThat(snapshot.failed()).isEqualTo(1);
        assertThat(snapshot.last().outcome()).isEqualTo(ReloadStatus.Outcome.REJECTED);
        assertThat(snapshot.last().problems()).singleElement().asString().startsWith(
                dir.resolve("tests.yaml") + ":4: methods[1]: unknown method 'Missing' in torii.test.v1.TestService");
        assertThat(snapshot.inForce().outcome()).isEqualTo(ReloadStatus.Outcome.STARTED);
        // The same broken content is not tried (and logged) again; a fix is.
        assertThat(reloader.reloadIfChanged()).isFalse();
        Files.writeString(dir.resolve("tests.yaml"), TESTS);
        assertThat(reloader.reloadIfChanged()).isTrue();
        assertThat(status.snapshot().succeeded()).isEqualTo(1);
    }

    @Test
    void aFileTheSchemaRefusesIsRefusedByAReloadAsByTheCheckCommand() throws IOException {
        RouteTable before = registry.current();
        // A quoted "false" is a string, not the boolean the schema asks for: the check command and
        // editors refuse it, so the running gateway must too.
        Files.writeString(dir.resolve("tests.yaml"), TESTS.replace("{target: \"127.0.0.1:2\"}",
                "{target: \"127.0.0.1:2\", tls: \"false\"}"));

        assertThat(reloader.reloadIfChanged()).isTrue();

        assertThat(registry.current()).isSameAs(before);
        assertThat(status.snapshot().last().outcome()).isEqualTo(ReloadStatus.Outcome.REJECTED);
        assertThat(status.snapshot().last().problems()).singleElement().asString().startsWith(
                dir.resolve("tests.yaml") + ":2: upstream.tls: string found, boolean expected")
                .endsWith("(route-file.schema.json)");
        assertThat(channels.targets()).extracting(UpstreamTarget::target).doesNotContain("127.0.0.1:2");
    }

    @Test
    void aSetRefusedByTheGatewaysOwnChecksIsNotPutInForce() throws IOException {
        RouteTable before = registry.current();
        refuseAll.set(true);
        Files.writeString(dir.resolve("tests.yaml"), TESTS);

        reloader.reloadIfChanged();

        assertThat(registry.current()).isSameAs(before);
        assertThat(status.snapshot().last().problems()).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("torii.gateway.authority.target is not set"));
        assertThat(channels.targets()).extracting(UpstreamTarget::target).doesNotContain("127.0.0.1:2");
    }

    @Test
    void theChannelOfARemovedUpstreamIsClosedOnceItsRoutesCannotUseItAnyMore() throws IOException {
        UpstreamTarget offers = registry.current().upstreams().iterator().next();
        ManagedChannel channel = channels.channel(offers);
        Files.delete(dir.resolve("offers.yaml"));
        Files.writeString(dir.resolve("tests.yaml"), TESTS);

        reloader.reloadIfChanged();

        assertThat(registry.current().find("/examples.offer.v1.OfferService/GetOffer")).isNull();
        await().atMost(Duration.ofSeconds(5)).until(channel::isTerminated);
        assertThat(channels.targets()).extracting(UpstreamTarget::target).containsExactly("127.0.0.1:2");
    }

    @Test
    void anUpstreamThatStaysKeepsItsOpenCircuitAndARemovedOneLosesItsBreaker() throws IOException {
        UpstreamTarget offers = registry.current().upstreams().iterator().next();
        CircuitBreaker breaker = guards.find(offers).orElseThrow().breaker();
        assertThat(breaker.getState()).as("made at start-up, before any call").isEqualTo(CircuitBreaker.State.CLOSED);
        breaker.transitionToOpenState();
        Files.writeString(dir.resolve("tests.yaml"), TESTS);

        reloader.reloadIfChanged();

        UpstreamTarget tests = registry.current().find("/torii.test.v1.TestService/Echo").upstream();
        assertThat(guards.find(offers).orElseThrow().breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(guards.find(tests).orElseThrow().breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);

        Files.writeString(dir.resolve("offers.yaml"), OFFERS.replace("timeout: 50ms", "timeout: 60ms"));
        reloader.reloadIfChanged();
        assertThat(guards.find(offers).orElseThrow().breaker()).as("other settings, same breaker").isSameAs(breaker);

        Files.writeString(dir.resolve("offers.yaml"), OFFERS.replace("{target: \"127.0.0.1:1\"}",
                "{target: \"127.0.0.1:1\", circuitBreaker: {waitInOpenState: 1s}}"));
        reloader.reloadIfChanged();
        assertThat(guards.find(offers).orElseThrow().breaker().getState())
                .as("new breaker settings start afresh").isEqualTo(CircuitBreaker.State.CLOSED);

        Files.delete(dir.resolve("offers.yaml"));
        reloader.reloadIfChanged();
        assertThat(guards.find(offers)).isEmpty();
        assertThat(guards.find(tests)).isPresent();
    }

    @Test
    void aRefusedSetLeavesTheBreakersAlone() throws IOException {
        UpstreamTarget offers = registry.current().upstreams().iterator().next();
        Files.delete(dir.resolve("offers.yaml"));
        Files.writeString(dir.resolve("tests.yaml"), TESTS.replace("[Echo]", "[Echo, Missing]"));

        reloader.reloadIfChanged();

        assertThat(guards.find(offers)).isPresent();
    }
}
