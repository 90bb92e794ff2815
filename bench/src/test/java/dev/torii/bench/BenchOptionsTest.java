package dev.torii.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void readsTargetsDurationsAndWatchedProcessesInOrder() {
        BenchOptions options = BenchOptions.parse("--direct=127.0.0.1:50051", "--gateway=http://127.0.0.1:8080",
                "--concurrency=16", "--warmup-seconds=3", "--max-warmup-seconds=30", "--measure-seconds=5",
                "--watch=gateway:42", "--watch=offer-service:7");

        assertThat(options.directHost()).isEqualTo("127.0.0.1");
        assertThat(options.directPort()).isEqualTo(50051);
        assertThat(options.gateway().getPort()).isEqualTo(8080);
        assertThat(options.concurrency()).isEqualTo(16);
        assertThat(options.warmup()).isEqualTo(Duration.ofSeconds(3));
        assertThat(options.maxWarmup()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.window()).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.rounds()).isEqualTo(2);
        assertThat(options.watched()).containsExactly(
                Map.entry("gateway", 42L), Map.entry("offer-service", 7L));
        assertThat(options.gatewayAuth()).isEmpty();
        assertThat(options.gatewayTraffic()).isEmpty();
        assertThat(options.createOfferCredential()).isEmpty();
    }

    @Test
    void readsTheSmallGatewayTheColdStartAndTheLatencyRates() {
        BenchOptions defaults = BenchOptions.parse("--direct=h:1", "--gateway=http://h:2");
        assertThat(defaults.gatewaySmall()).isEmpty();
        assertThat(defaults.coldStart()).isEqualTo(Duration.ofSeconds(60));
        assertThat(defaults.latencyRates()).containsExactly(100, 1000);
        assertThat(defaults.latencyWindow()).isEqualTo(Duration.ofSeconds(10));

        BenchOptions options = BenchOptions.parse("--direct=h:1", "--gateway=http://h:2",
                "--gateway-small=http://h:3", "--cold-start-seconds=30", "--latency-rates=50,500,5000",
                "--latency-seconds=4");
        assertThat(options.gatewaySmall()).hasValueSatisfying(uri -> assertThat(uri.getPort()).isEqualTo(3));
        assertThat(options.coldStart()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.latencyRates()).containsExactly(50, 500, 5000);
        assertThat(options.latencyWindow()).isEqualTo(Duration.ofSeconds(4));
        assertThat(BenchOptions.parse("--direct=h:1", "--gateway=http://h:2", "--latency-rates=0").latencyRates())
                .isEmpty();
        assertThatThrownBy(() -> BenchOptions.parse("--direct=h:1", "--gateway=http://h:2", "--latency-rates=100,"))
                .hasMessageContaining("--latency-rates: ''");
    }

    @Test
    void readsTheTrafficControlGatewayBesideTheOthers() {
        BenchOptions options = BenchOptions.parse("--direct=127.0.0.1:50051", "--gateway=http://127.0.0.1:8080",
                "--gateway-auth=http://127.0.0.1:8090", "--gateway-auth-credential=dummy:bench-user",
                "--gateway-traffic=http://127.0.0.1:8100", "--watch=gateway-traffic:43", "--watch=redis:44");

        assertThat(options.gatewayTraffic()).hasValueSatisfying(uri -> assertThat(uri.getPort()).isEqualTo(8100));
        assertThat(options.gatewayAuth()).hasValueSatisfying(g -> assertThat(g.uri().getPort()).isEqualTo(8090));
        assertThat(options.watched()).containsExactly(Map.entry("gateway-traffic", 43L), Map.entry("redis", 44L));
        assertThatThrownBy(() -> BenchOptions.parse("--direct=h:1", "--gateway=http://h:1",
                "--gateway-traffic=https://h:3"))
                .hasMessage("--gateway-traffic: 'https://h:3' (expected: http://HOST:PORT)");
    }

    @Test
    void readsTheAuthenticatedGatewayWithItsCredential() {
        BenchOptions options = BenchOptions.parse("--direct=127.0.0.1:50051", "--gateway=http://127.0.0.1:8080",
                "--gateway-auth=http://127.0.0.1:8090", "--gateway-auth-credential=dummy:bench-user",
                "--create-offer-credential=dummy:bench-user:offers.write");

        assertThat(options.gatewayAuth()).hasValueSatisfying(g -> {
            assertThat(g.uri().getPort()).isEqualTo(8090);
            assertThat(g.credential()).isEqualTo("dummy:bench-user");
            assertThat(g.toString()).doesNotContain("bench-user");
        });
        assertThat(options.createOfferCredential()).contains("dummy:bench-user:offers.write");
    }

    @Test
    void authenticatedGatewayNeedsACredentialThatFitsInAHeader() {
        assertThatThrownBy(() -> BenchOptions.parse("--direct=h:1", "--gateway=http://h:1",
                "--gateway-auth=http://h:2"))
                .hasMessage("--gateway-auth and --gateway-auth-credential go together"
                        + " (got only --gateway-auth=http://h:2)");
        assertThatThrownBy(() -> BenchOptions.parse("--direct=h:1", "--gateway=http://h:1",
                "--gateway-auth-credential=dummy:bench-user"))
                .hasMessage("--gateway-auth and --gateway-auth-credential go together (got only the credential)");
        assertThatThrownBy(() -> BenchOptions.parse("--direct=h:1", "--gateway=http://h:1",
                "--gateway-auth=h:2", "--gateway-auth-credential=dummy:bench-user"))
                .hasMessage("--gateway-auth: 'h:2' (expected: http://HOST:PORT)");
        assertThatThrownBy(() -> BenchOptions.parse("--direct=h:1", "--gateway=http://h:1",
                "--gateway-auth=http://h:2", "--gateway-auth-credential=dummy:bench user"))
                .hasMessage("--gateway-auth-credential: character 12 of 16 is a space (expected: printable ASCII"
                        + " without spaces, sent as Authorization: Bearer <credential>)");
        assertThatThrownBy(() -> BenchOptions.parse("--direct=h:1", "--gateway=http://h:1",
                "--create-offer-credential="))
                .hasMessageStartingWith("--create-offer-credential: empty");
    }

    @Test
    void readsThePeersAndTheStreamingTargetsWithTheirDefaults() {
        BenchOptions options = BenchOptions.parse("--direct=127.0.0.1:50051", "--gateway=http://127.0.0.1:8080",
                "--nginx=127.0.0.1:8443", "--haproxy=127.0.0.1:8444", "--authority=127.0.0.1:9090",
                "--stream-credential=dummy:bench-user:offers.write");

        assertThat(options.nginx()).hasValueSatisfying(n -> assertThat(n.port()).isEqualTo(8443));
        assertThat(options.haproxy()).hasValueSatisfying(h -> assertThat(h.toString()).isEqualTo("127.0.0.1:8444"));
        assertThat(options.h2Connections()).isEqualTo(8);
        assertThat(options.streaming()).hasValueSatisfying(s -> {
            assertThat(s.authority().port()).isEqualTo(9090);
            assertThat(s.streams()).isEqualTo(32);
            assertThat(s.creates()).isEqualTo(8);
            assertThat(s.toString()).doesNotContain("bench-user");
        });
        assertThat(BenchOptions.parse("--direct=h:1", "--gateway=http://h:1").streaming()).isEmpty();
        assertThat(BenchOptions.parse("--direct=h:1", "--gateway=http://h:1", "--h2-connections=2", "--streams=4",
                "--stream-creates=3", "--authority=h:2", "--stream-credential=c").streaming())
                .hasValueSatisfying(s -> assertThat(s.streams() * 10 + s.creates()).isEqualTo(43));
    }

    @Test
    void streamingNeedsTheAuthorityAndACredentialTogether() {
        assertThatThrownBy(() -> BenchOptions.parse("--direct=h:1", "--gateway=http://h:1", "--authority=h:2"))
                .hasMessage("--authority and --stream-credential go together (got only --authority=h:2)");
        assertThatThrownBy(() -> BenchOptions.parse("--direct=h:1", "--gateway=http://h:1", "--stream-credential=c"))
                .hasMessage("--authority and --stream-credential go together (got only the credential)");
        assertThatThrownBy(() -> BenchOptions.parse("--direct=h:1", "--gateway=http://h:1", "--nginx=8443"))
                .hasMessage("--nginx: '8443' (expected: HOST:PORT)");
        assertThatThrownBy(() -> BenchOptions.parse("--direct=h:1", "--gateway=http://h:1", "--streams=0"))
                .hasMessage("--streams: '0' (expected: an integer >= 1)");
    }

    @Test
    void usageNamesTheTargetsThePlainGatewayCarriesAndTheOrderOfARound() {
        // json and rest need nothing beyond --gateway: the usage is where they are told apart.
        assertThat(BenchOptions.USAGE.lines().filter(line -> line.startsWith("  --gateway=")))
                .singleElement().asString().contains("targets gateway (protobuf), gateway-h2c, grpc, connect, json");
        assertThat(BenchOptions.USAGE).contains("json (JSON\n                         bodies, legacy dialect) and rest"
                + " (GET /v1/offers/{id})");
        assertThat(BenchOptions.USAGE.lines().filter(line -> line.startsWith("  --rounds=")))
                .singleElement().asString().contains("grpc, gateway, gateway-h2c, connect, json, rest");
    }

    @Test
    void errorsNameTheArgumentAndWhatWasExpected() {
        assertThatThrownBy(() -> BenchOptions.parse("--gateway=http://h:1"))
                .hasMessageContaining("--direct and --gateway are required");
        assertThatThrownBy(() -> BenchOptions.parse("--direct=h:1", "--gateway=h:1"))
                .hasMessage("--gateway: 'h:1' (expected: http://HOST:PORT)");
        assertThatThrownBy(() -> BenchOptions.parse("--direct=h:1", "--gateway=http://h :1"))
                .hasMessage("--gateway: 'http://h :1' (expected: http://HOST:PORT)");
        assertThatThrownBy(() -> BenchOptions.parse("--direct=h:1", "--gateway=http://h:1", "--concurrency=0"))
                .hasMessage("--concurrency: '0' (expected: an integer >= 1)");
        assertThatThrownBy(() -> BenchOptions.parse("--direct=h:1", "--gateway=http://h:1", "--warmup-seconds=30",
                "--max-warmup-seconds=10"))
                .hasMessage("--max-warmup-seconds: 10 (expected: at least --warmup-seconds, 30)");
        assertThatThrownBy(() -> BenchOptions.parse("--seconds=3"))
                .hasMessageContaining("unknown option --seconds");
    }
}
