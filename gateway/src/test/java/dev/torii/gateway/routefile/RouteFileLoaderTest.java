package dev.torii.gateway.routefile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torii.examples.offer.v1.OfferProto;
import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.route.AuthPolicy;
import dev.torii.gateway.route.CorsPolicy;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.route.TrafficPolicy;
import dev.torii.gateway.test.v1.TestServiceOuterClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.mock.env.MockEnvironment;

class RouteFileLoaderTest {

    private static final DescriptorRegistry DESCRIPTORS = DescriptorRegistry.of(List.of(
            OfferProto.getDescriptor(), TestServiceOuterClass.getDescriptor()));

    @TempDir
    Path dir;

    private final MockEnvironment environment = new MockEnvironment().withProperty("BACKEND", "backend:9000");
    private final RouteFileLoader loader = new RouteFileLoader(DESCRIPTORS, environment, Clock.systemUTC());

    @Test
    void loadsAValidFileWithDefaultsAndOverrides() throws IOException {
        write("offers.yaml", """
                service: examples.offer.v1.OfferService
                upstream:
                  target: ${BACKEND}
                timeout: 3s
                auth:
                  users:
                    scopes: [offers.read]
                  serviceAccounts:
                    roles: [support.reader]
                methods:
                  - CreateOffer
                  - name: GetOffer
                    timeout: 250ms
                    auth: public
                """);
        write("tests.yml", """
                service: torii.test.v1.TestService
                audience: tests
                upstream: {target: "${TEST_TARGET:localhost:7000}", tls: true}
                auth: {serviceAccounts: {}}
                methods: [Echo]
                """);

        RouteTable table = loader.load(dir);

        assertThat(table.size()).isEqualTo(3);
        MethodRoute create = table.find("/examples.offer.v1.OfferService/CreateOffer");
        assertThat(create.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(create.upstream().target()).isEqualTo("backend:9000");
        assertThat(create.source().line()).isEqualTo(11);
        assertThat(create.grpcMethod().getFullMethodName()).isEqualTo("examples.offer.v1.OfferService/CreateOffer");
        assertThat(table.find("/examples.offer.v1.OfferService/GetOffer").timeout()).isEqualTo(Duration.ofMillis(250));
        MethodRoute echo = table.find("/torii.test.v1.TestService/Echo");
        assertThat(echo.timeout()).isEqualTo(RouteFileLoader.DEFAULT_TIMEOUT);
        assertThat(echo.upstream().target()).isEqualTo("localhost:7000");
        assertThat(echo.upstream().tls().enabled()).isTrue();
        assertThat(table.find("/examples.offer.v1.OfferService/WhoAmI")).isNull();
        assertThat(table.upstreams()).hasSize(2);
        assertThat(create.auth().describe()).isEqualTo("users(scopes: offers.read) + service-accounts(roles: support.reader)");
        assertThat(create.audience()).isEqualTo("examples.offer.v1.OfferService");
        assertThat(table.find("/examples.offer.v1.OfferService/GetOffer").auth()).isEqualTo(AuthPolicy.PUBLIC);
        assertThat(echo.auth().describe()).isEqualTo("service-accounts");
        assertThat(echo.audience()).isEqualTo("tests");
    }

    @Test
    void ignoresHiddenEntriesAndOtherFiles() throws IOException {
        Files.createDirectories(dir.resolve("..2026_11_21"));
        write("..2026_11_21/offers.yaml", "not: routes");
        write("README.md", "# not a route file");
        write(".hidden.yaml", "broken: [");
        write("offers.yaml", """
                service: examples.offer.v1.OfferService
                upstream: {target: "localhost:50051"}
                auth: public
                methods: [GetOffer]
                """);

        assertThat(loader.load(dir).size()).isEqualTo(1);
    }

    static Stream<Arguments> brokenFiles() {
        return Stream.of(
                Arguments.of("not YAML", "service: [a\n", 2, "not valid YAML"),
                Arguments.of("empty", "", 0, "empty (expected: service, upstream and methods)"),
                Arguments.of("a list at the top", "- a\n- b\n", 1, "a list (expected: a mapping of fields)"),
                Arguments.of("two documents", "service: a\n---\nservice: b\n", 3, "more than one document"),
                Arguments.of("unknown top-level field", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:1"}
                        methods: [GetOffer]
                        timout: 3s
                        auth: public
                        """, 4, "timout: unknown field (expected one of: audience, auth, cors, idempotent, jsonPrint, methods, rateLimit, retry, service, timeout, upstream)"),
                Arguments.of("missing service", """
                        upstream: {target: "localhost:1"}
                        methods: [GetOffer]
                        auth: public
                        """, 1, "service: missing (expected: a value)"),
                Arguments.of("unknown service", """
                        service: examples.offer.v1.NoSuchService
                        upstream: {target: "localhost:1"}
                        methods: [GetOffer]
                        auth: public
                        """, 1, "service: unknown service 'examples.offer.v1.NoSuchService'"),
                Arguments.of("missing upstream", """
                        service: examples.offer.v1.OfferService
                        methods: [GetOffer]
                        """, 1, "upstream: missing (expected: a mapping with target)"),
                Arguments.of("target without port", """
                        service: examples.offer.v1.OfferService
                        upstream:
                          target: localhost
                        methods: [GetOffer]
                        auth: public
                        """, 3, "upstream.target: 'localhost' (expected: host:port"),
                Arguments.of("port out of range", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:70000"}
                        methods: [GetOffer]
                        auth: public
                        """, 2, "upstream.target: 'localhost:70000'"),
                Arguments.of("unresolvable placeholder", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "${NO_SUCH_VARIABLE}"}
                        methods: [GetOffer]
                        """, 2, "upstream.target: '${NO_SUCH_VARIABLE}' has a placeholder with no value"),
                Arguments.of("tls not a boolean", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:1", tls: yes-please}
                        methods: [GetOffer]
                        auth: public
                        """, 2, "upstream.tls: 'yes-please' (expected: true or false)"),
                Arguments.of("tls a quoted boolean, which only the schema refused before", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:1", tls: "false"}
                        methods: [GetOffer]
                        auth: public
                        """, 2, "upstream.tls: string found, boolean expected"),
                Arguments.of("tls ca file missing", """
                        service: examples.offer.v1.OfferService
                        upstream:
                          target: localhost:1
                          tls:
                            ca: /no/such/ca.pem
                        methods: [GetOffer]
                        auth: public
                        """, 5, "upstream.tls.ca: '/no/such/ca.pem' is not a readable file"),
                Arguments.of("bad timeout", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:1"}
                        timeout: soon
                        methods: [GetOffer]
                        auth: public
                        """, 3, "timeout: 'soon' (expected: a duration such as 500ms, 5s or 1m)"),
                Arguments.of("zero timeout", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:1"}
                        methods:
                          - name: GetOffer
                            timeout: 0s
                        auth: public
                        """, 5, "methods[0].timeout: '0s' (expected: between 1ms and 1h)"),
                Arguments.of("no methods", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:1"}
                        methods: []
                        auth: public
                        """, 3, "methods: a list with no entries"),
                Arguments.of("unknown method", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:1"}
                        methods:
                          - GetOffer
                          - DeleteOffer
                        auth: public
                        """, 5, "methods[1]: unknown method 'DeleteOffer' in examples.offer.v1.OfferService"
                                + " (expected one of: CreateOffer, GetOffer, WhoAmI, WatchOffers)"),
                Arguments.of("client-streaming method", """
                        service: torii.test.v1.TestService
                        upstream: {target: "localhost:1"}
                        methods: [Echo, Collect]
                        auth: public
                        """, 3, "methods[1]: 'Collect' is a client-streaming method (expected: a unary or"
                                + " server-streaming method"),
                Arguments.of("bidirectional-streaming method", """
                        service: torii.test.v1.TestService
                        upstream: {target: "localhost:1"}
                        methods: [Chat]
                        auth: public
                        """, 3, "methods[0]: 'Chat' is a bidirectional-streaming method"),
                Arguments.of("method listed twice", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:1"}
                        methods:
                          - GetOffer
                          - name: GetOffer
                        auth: public
                        """, 5, "methods[1]: 'GetOffer' is listed twice (first at line 4"),
                Arguments.of("unknown method field", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:1"}
                        methods:
                          - name: GetOffer
                            retries: 3
                        auth: public
                        """, 5, "methods[0].retries: unknown field"),
                Arguments.of("no auth policy anywhere", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:2"}
                        methods:
                          - GetOffer
                        """, 4, "methods[0]: no auth policy (expected: auth at the top of the file or on the method"),
                Arguments.of("auth admitting nobody", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:2"}
                        auth: {}
                        methods: [GetOffer]
                        """, 3, "auth: admits nobody"),
                Arguments.of("auth scalar other than public", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:2"}
                        auth: everyone
                        methods: [GetOffer]
                        """, 3, "auth: 'everyone' (expected: public, or a mapping with users and/or serviceAccounts)"),
                Arguments.of("unknown auth field", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:2"}
                        auth:
                          users: {}
                          admins: {}
                        methods: [GetOffer]
                        """, 5, "auth.admins: unknown field (expected one of: serviceAccounts, users)"),
                Arguments.of("scopes not a list", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:2"}
                        auth:
                          users:
                            scopes: offers.read
                        methods: [GetOffer]
                        """, 5, "auth.users.scopes: a single value (expected: a list such as [a, b])"),
                Arguments.of("bad audience", """
                        service: examples.offer.v1.OfferService
                        audience: "has spaces"
                        upstream: {target: "localhost:2"}
                        auth: public
                        methods: [GetOffer]
                        """, 2, "audience: 'has spaces'"),
                Arguments.of("rate limit with an unknown key", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:2"}
                        auth: public
                        rateLimit: {key: tenant, rate: 10}
                        methods: [GetOffer]
                        """, 4, "rateLimit.key: 'tenant' (expected: principal, user, serviceAccount, clientIp, route or header:<Name>)"),
                Arguments.of("rate limit that can never pass", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:2"}
                        auth: public
                        rateLimit: {key: clientIp, rate: 10, burst: 5, cost: 6}
                        methods: [GetOffer]
                        """, 4, "rateLimit.burst: burst 5 is less than cost 6 (expected: burst >= cost"),
                Arguments.of("rate limit by principal on a public route", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:2"}
                        auth: public
                        rateLimit: {key: principal, rate: 10}
                        methods: [GetOffer]
                        """, 5, "methods[0]: rate limit key principal on a public route"),
                Arguments.of("too many retry attempts", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:2"}
                        auth: public
                        methods:
                          - name: GetOffer
                            retry: {attempts: 9}
                        """, 6, "methods[0].retry.attempts: 9 (expected: between 1 and 5)"),
                Arguments.of("circuit breaker window too small", """
                        service: examples.offer.v1.OfferService
                        upstream:
                          target: localhost:2
                          circuitBreaker: {slidingWindowSize: 5, minimumNumberOfCalls: 10}
                        auth: public
                        methods: [GetOffer]
                        """, 4, "upstream.circuitBreaker.minimumNumberOfCalls: 10 (expected: at most slidingWindowSize 5"),
                Arguments.of("local without remote", """
                        service: examples.offer.v1.OfferService
                        upstream:
                          local: {target: "localhost:2"}
                        auth: public
                        methods: [GetOffer]
                        """, 3, "upstream.remote: missing (expected: the remote target"),
                Arguments.of("target beside local and remote", """
                        service: examples.offer.v1.OfferService
                        upstream:
                          target: localhost:2
                          remote: {target: "remote:443", tls: true}
                        auth: public
                        methods: [GetOffer]
                        """, 3, "upstream: target and tls go inside local and remote"),
                Arguments.of("CORS origin with a path", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:1"}
                        auth: public
                        cors:
                          allowedOrigins:
                            - http://localhost:5173
                            - ${WEB_ORIGIN:https://app.example.com/}
                        methods: [GetOffer]
                        """, 7, "cors.allowedOrigins[1]: 'https://app.example.com/' (expected: an origin such as"),
                Arguments.of("CORS credentials for any origin", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:1"}
                        auth: public
                        cors:
                          allowedOrigins: ["*"]
                          allowCredentials: true
                        methods: [GetOffer]
                        """, 6, "cors.allowCredentials: true with allowedOrigins '*'"),
                Arguments.of("CORS without origins", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:1"}
                        auth: public
                        cors:
                          maxAge: 1m
                        methods: [GetOffer]
                        """, 5, "cors.allowedOrigins: missing"),
                Arguments.of("CORS max age over a day", """
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:1"}
                        auth: public
                        cors:
                          allowedOrigins: [https://app.example.com]
                          maxAge: 2d
                        methods: [GetOffer]
                        """, 6, "cors.maxAge: '2d' (expected: between 0ms and 24h)"),
                Arguments.of("duplicate key", """
                        service: examples.offer.v1.OfferService
                        service: examples.offer.v1.OfferService
                        upstream: {target: "localhost:1"}
                        methods: [GetOffer]
                        auth: public
                        """, 2, "service: appears twice"));
    }

    @Test
    void readsACorsPolicyThatEveryMethodOfTheFileShares() throws IOException {
        write("offers.yaml", """
                service: examples.offer.v1.OfferService
                upstream: {target: "localhost:1"}
                auth: public
                cors:
                  allowedOrigins: [HTTPS://App.Example.com, "https://*.example.org", "http://localhost:*"]
                  allowedMethods: [get, POST, PUT]
                  allowedHeaders: [X-Custom]
                  exposedHeaders: [trailer-x-backend]
                  allowCredentials: true
                  maxAge: 10m
                methods: [GetOffer, WhoAmI]
                """);
        write("plain.yaml", """
                service: torii.test.v1.TestService
                upstream: {target: "localhost:1"}
                auth: public
                methods: [Echo]
                """);

        RouteTable table = loader.load(dir);

        CorsPolicy expected = new CorsPolicy(List.of("https://app.example.com", "https://*.example.org",
                "http://localhost:*"), List.of("GET", "POST", "PUT"), List.of("x-custom"), List.of("trailer-x-backend"),
                true, Duration.ofMinutes(10));
        assertThat(table.find("/examples.offer.v1.OfferService/GetOffer").cors()).hasValue(expected);
        assertThat(table.find("/examples.offer.v1.OfferService/WhoAmI").cors()).hasValue(expected);
        assertThat(table.find("/torii.test.v1.TestService/Echo").cors()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    void reportsFileLineAndField(String name, String content, int line, String message) throws IOException {
        Path file = write("broken.yaml", content);

        assertThatThrownBy(() -> loader.load(dir))
                .isInstanceOfSatisfying(RouteFileException.class, e -> {
                    assertThat(e.problems()).anySatisfy(problem -> {
                        assertThat(problem.file()).isEqualTo(file);
                        assertThat(problem.line()).isEqualTo(line);
                        assertThat(problem.toString()).contains(message);
                    });
                    assertThat(e.getMessage()).contains(file + (line > 0 ? ":" + line : "") + ": ");
                });
    }

    @Test
    void reportsEveryProblemOfEveryFileAtOnce() throws IOException {
        write("a.yaml", """
                service: examples.offer.v1.OfferService
                upstream: {target: "nowhere"}
                auth: public
                methods: [Nope]
                """);
        write("b.yaml", "service: [");

        assertThatThrownBy(() -> loader.load(dir))
                .isInstanceOfSatisfying(RouteFileException.class, e ->
                        assertThat(e.problems()).extracting(p -> p.file().getFileName().toString())
                                .containsExactly("a.yaml", "a.yaml", "b.yaml"));
    }

    @Test
    void readsTrafficSettingsWithDefaultsAndOverrides() throws IOException {
        write("offers.yaml", """
                service: examples.offer.v1.OfferService
                upstream:
                  local: {target: "localhost:50051"}
                  remote: {target: "offers.dev.example.com:443", tls: true}
                  maxConcurrentCalls: 50
                  circuitBreaker: {failureRateThreshold: 25, waitInOpenState: 2s}
                auth: {users: {}}
                rateLimit: {key: principal, rate: 100, period: 1m}
                retry: {attempts: 3, backoff: 10ms}
                methods:
                  - CreateOffer
                  - name: GetOffer
                    idempotent: true
                    rateLimit: none
                  - name: WhoAmI
                    rateLimit: {key: "header:X-Api-Key", rate: 5, burst: 10, cost: 2}
                    retry: {attempts: 1}
                """);

        RouteTable table = loader.load(dir);

        MethodRoute create = table.find("/examples.offer.v1.OfferService/CreateOffer");
        assertThat(create.upstream().target()).isEqualTo("offers.dev.example.com:443");
        assertThat(create.upstream().tls().enabled()).isTrue();
        assertThat(create.localUpstream()).hasValueSatisfying(local -> assertThat(local.target()).isEqualTo("localhost:50051"));
        assertThat(create.traffic().maxConcurrentCalls()).isEqualTo(50);
        assertThat(create.traffic().circuitBreaker().failureRateThreshold()).isEqualTo(25);
        assertThat(create.traffic().circuitBreaker().waitInOpenState()).isEqualTo(Duration.ofSeconds(2));
        assertThat(create.traffic().circuitBreaker().slidingWindowSize())
                .isEqualTo(TrafficPolicy.CircuitBreaker.DEFAULT.slidingWindowSize());
        assertThat(create.traffic().rateLimit()).hasValueSatisfying(limit -> {
            assertThat(limit.describe()).isEqualTo("100/1m burst 100 per principal");
        });
        assertThat(create.traffic().retry().attempts()).isEqualTo(3);
        assertThat(create.traffic().idempotent()).isFalse();
        MethodRoute get = table.find("/examples.offer.v1.OfferService/GetOffer");
        assertThat(get.traffic().rateLimit()).isEmpty();
        assertThat(get.traffic().idempotent()).isTrue();
        MethodRoute whoAmI = table.find("/examples.offer.v1.OfferService/WhoAmI");
        assertThat(whoAmI.traffic().rateLimit().orElseThrow().describe()).isEqualTo("5/1s burst 10 cost 2 per header:x-api-key");
        assertThat(whoAmI.traffic().retry().attempts()).isEqualTo(1);
        assertThat(table.upstreams()).hasSize(2);
    }

    @Test
    void refusesDifferentBreakerSettingsForOneUpstream() throws IOException {
        write("a.yaml", """
                service: examples.offer.v1.OfferService
                upstream: {target: "shared:50051", maxConcurrentCalls: 10}
                auth: public
                methods: [GetOffer]
                """);
        write("b.yaml", """
                service: torii.test.v1.TestService
                upstream: {target: "shared:50051", maxConcurrentCalls: 20}
                auth: public
                methods: [Echo]
                """);

        assertThatThrownBy(() -> loader.load(dir)).hasMessageContaining("b.yaml:4: upstream: circuitBreaker or"
                + " maxConcurrentCalls of shared:50051 (plaintext) differ from " + dir.resolve("a.yaml") + ":4");
    }

    @Test
    void refusesDifferentBreakerSettingsForOneLocalTarget() throws IOException {
        write("a.yaml", """
                service: examples.offer.v1.OfferService
                upstream:
                  local: {target: "localhost:50051"}
                  remote: {target: "offers.dev:443"}
                auth: public
                methods: [GetOffer]
                """);
        write("b.yaml", """
                service: torii.test.v1.TestService
                upstream:
                  local: {target: "localhost:50051"}
                  remote: {target: "tests.dev:443"}
                  circuitBreaker: {enabled: false}
                auth: public
                methods: [Echo]
                """);

        assertThatThrownBy(() -> loader.load(dir)).hasMessageContaining("b.yaml:7: upstream: circuitBreaker or"
                + " maxConcurrentCalls of localhost:50051 (plaintext) differ from " + dir.resolve("a.yaml") + ":6");
    }

    @Test
    void refusesTheSameMethodInTwoFiles() throws IOException {
        String content = """
                service: examples.offer.v1.OfferService
                upstream: {target: "localhost:1"}
                auth: public
                methods: [GetOffer]
                """;
        write("a.yaml", content);
        write("b.yaml", content);

        assertThatThrownBy(() -> loader.load(dir))
                .hasMessageContaining("b.yaml:4: methods: duplicate route /examples.offer.v1.OfferService/GetOffer"
                        + " (already defined at " + dir.resolve("a.yaml") + ":4");
    }

    @Test
    void reportsAMissingFolder() {
        assertThatThrownBy(() -> loader.load(dir.resolve("absent")))
                .hasMessageContaining("absent: not a readable folder");
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }
}
