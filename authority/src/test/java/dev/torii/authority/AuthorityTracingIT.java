package dev.torii.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.torii.authority.config.GrpcServerLifecycle;
import dev.torii.authority.testing.FakeEndpoint;
import dev.torii.authority.testing.FakeEndpoint.Reply;
import dev.torii.authority.v1.AuthorityGrpc;
import dev.torii.authority.v1.ExchangeTokenRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Sends the real Authority exchanges that carry a W3C {@code traceparent}, as the gateway does,
 * and checks that the trace goes on in the Authority: a server span for the gRPC call or the HTTP
 * request in the caller's trace, a client span for the call to the identity provider, and the
 * trace context sent on to the identity provider. Spans are caught in process by a recording
 * span processor; nothing is exported, as no OTLP endpoint is set.
 */
@SpringBootTest(classes = {AuthorityApplication.class, AuthorityTracingIT.RecordedSpans.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AuthorityTracingIT {

    private static final String AUDIENCE = "examples.offer.v1.OfferService";
    private static final List<SpanData> SPANS = new CopyOnWriteArrayList<>();

    private static FakeEndpoint identityProvider;

    @Autowired
    private GrpcServerLifecycle grpcServer;

    @Autowired
    private Environment environment;

    @Autowired
    private ApplicationContext context;

    /** Records every span the Authority ends, beside the exporters Spring Boot configures. */
    @TestConfiguration
    static class RecordedSpans {
        @Bean
        SpanProcessor recordingSpanProcessor() {
            return new SpanProcessor() {
                @Override
                public void onStart(Context parentContext, ReadWriteSpan span) {
                }

                @Override
                public boolean isStartRequired() {
                    return false;
                }

                @Override
                public void onEnd(ReadableSpan span) {
                    SPANS.add(span.toSpanData());
                }

                @Override
                public boolean isEndRequired() {
                    return true;
                }
            };
        }
    }

    @DynamicPropertySource
    static void authority(DynamicPropertyRegistry registry) {
        identityProvider = FakeEndpoint.start();
        identityProvider.serve(request -> Reply.json("{\"active\":true,\"sub\":\"alice\",\"exp\":"
                + (System.currentTimeMillis() / 1000 + 3600) + "}"));
        registry.add("torii.authority.grpc.port", () -> "0");
        registry.add("torii.authority.users.verifier", () -> "introspection");
        registry.add("torii.authority.users.introspection.endpoint", () -> identityProvider.uri("/introspect").toString());
        registry.add("torii.authority.users.introspection.client-id", () -> "authority");
        registry.add("torii.authority.users.introspection.client-secret", () -> "test-secret");
    }

    @AfterAll
    static void stopFakes() {
        identityProvider.close();
    }

    @Test
    void aGrpcExchangeContinuesTheCallersTraceIntoTheAuthorityAndOnToTheIdentityProvider() {
        String traceId = randomHex(16);
        String parentSpanId = randomHex(8);
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
                "00-" + traceId + "-" + parentSpanId + "-01");
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", grpcServer.port()).usePlaintext().build();
        try {
            AuthorityGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .exchangeToken(ExchangeTokenRequest.newBuilder().setSubjectToken("grpc-traced-" + traceId)
                            .setAudience(AUDIENCE).build());
        } finally {
            channel.shutdownNow();
        }

        SpanData server = awaitSpan(traceId, SpanKind.SERVER);
        assertThat(server.getName()).isEqualTo("torii.authority.v1.Authority/ExchangeToken");
        assertThat(server.getParentSpanId()).as("the caller's span is the parent").isEqualTo(parentSpanId);
        SpanData client = awaitSpan(traceId, SpanKind.CLIENT);
        assertThat(client.getParentSpanId()).as("the introspection call is a child of the gRPC call")
                .isEqualTo(server.getSpanId());
        assertThat(client.getAttributes().asMap().toString()).contains("/introspect");
        assertThat(identityProvider.lastRequest().header("traceparent"))
                .as("the trace context reaches the identity provider").startsWith("00-" + traceId + "-");
    }

    @Test
    void anHttpTokenExchangeContinuesTheCallersTraceToo() throws Exception {
        String traceId = randomHex(16);
        String parentSpanId = randomHex(8);

        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://localhost:" + environment.getRequiredProperty("local.server.port") + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("traceparent", "00-" + traceId + "-" + parentSpanId + "-01")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange"
                        + "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token"
                        + "&subject_token=http-traced-" + traceId + "&audience=" + AUDIENCE))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        SpanData server = awaitSpan(traceId, SpanKind.SERVER);
        assertThat(server.getParentSpanId()).isEqualTo(parentSpanId);
        SpanData client = awaitSpan(traceId, SpanKind.CLIENT);
        assertThat(client.getParentSpanId()).isEqualTo(server.getSpanId());
        assertThat(identityProvider.lastRequest().header("traceparent")).startsWith("00-" + traceId + "-");
    }

    @Test
    void grpcCallsAndCallsToTheIdentityProviderAreTimed() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", grpcServer.port()).usePlaintext().build();
        try {
            AuthorityGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .exchangeToken(ExchangeTokenRequest.newBuilder().setSubjectToken("grpc-timed").setAudience(AUDIENCE)
                            .build());
        } finally {
            channel.shutdownNow();
        }

        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:"
                + environment.getRequiredProperty("local.server.port") + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();

        assertThat(metrics)
                .containsPattern("grpc_server_seconds_count\\{[^}]*rpc_method=\"ExchangeToken\"[^}]*} [1-9]")
                .containsPattern("http_client_requests_seconds_count\\{[^}]*method=\"POST\"[^}]*} [1-9]")
                .doesNotContain("grpc-timed");
    }

    @Test
    void nothingIsExportedWithoutAnOtlpEndpoint() {
        assertThat(context.getBeansOfType(SpanExporter.class)).isEmpty();
    }

    private static SpanData awaitSpan(String traceId, SpanKind kind) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> SPANS.stream()
                .filter(span -> span.getTraceId().equals(traceId) && span.getKind() == kind)
                .findFirst().orElse(null), span -> span != null);
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
