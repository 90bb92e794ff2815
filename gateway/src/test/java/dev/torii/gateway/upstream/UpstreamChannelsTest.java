package dev.torii.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.torii.gateway.route.UpstreamTarget;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.scheduling.concurrent.ConcurrentTaskScheduler;

class UpstreamChannelsTest {

    private static final UpstreamTarget KEPT = new UpstreamTarget("127.0.0.1:1", UpstreamTarget.Tls.PLAINTEXT);
    private static final UpstreamTarget DROPPED = new UpstreamTarget("127.0.0.1:2", UpstreamTarget.Tls.PLAINTEXT);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final UpstreamChannels channels = new UpstreamChannels(1024, Duration.ofSeconds(1), new ConcurrentTaskScheduler(timer));

    @AfterEach
    void close() {
        channels.close();
        timer.shutdownNow();
    }

    @Test
    void retiresAnUnusedChannelOnlyAfterTheSettleTime() throws InterruptedException {
        channels.open(List.of(KEPT, DROPPED));
        ManagedChannel dropped = channels.channel(DROPPED);

        channels.retainOnly(Set.of(KEPT), Duration.ofMillis(300));

        Thread.sleep(100);
        assertThat(dropped.isShutdown()).as("still serving requests matched before the reload").isFalse();
        assertThat(channels.state(DROPPED)).isPresent();
        await().atMost(Duration.ofSeconds(5)).until(dropped::isTerminated);
        assertThat(channels.targets()).containsExactly(KEPT);
        assertThat(channels.state(DROPPED)).isEmpty();
        assertThat(channels.channel(KEPT).isShutdown()).isFalse();
    }

    @Test
    void keepsAChannelWhoseUpstreamComesBackBeforeItIsRetired() throws InterruptedException {
        channels.open(List.of(KEPT, DROPPED));
        ManagedChannel dropped = channels.channel(DROPPED);

        channels.retainOnly(Set.of(KEPT), Duration.ofMillis(200));
        channels.open(List.of(KEPT, DROPPED));
        channels.retainOnly(Set.of(KEPT, DROPPED), Duration.ofMillis(200));

        Thread.sleep(600);
        assertThat(dropped.isShutdown()).isFalse();
        assertThat(channels.channel(DROPPED)).isSameAs(dropped);
    }

    @Test
    void closeCancelsARetirementStillWaiting() {
        channels.open(List.of(DROPPED));
        ManagedChannel dropped = channels.channel(DROPPED);
        channels.retainOnly(Set.of(), Duration.ofHours(1));

        channels.close();

        assertThat(dropped.isShutdown()).isTrue();
    }
}
