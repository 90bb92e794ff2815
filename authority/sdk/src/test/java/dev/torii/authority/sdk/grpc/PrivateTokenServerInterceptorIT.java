package dev.torii.authority.sdk.grpc;

import static dev.torii.authority.sdk.testing.TestTokens.AUDIENCE;
import static dev.torii.authority.sdk.testing.TestTokens.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.jwk.RSAKey;
import dev.torii.authority.sdk.PrivateTokenVerifier;
import dev.torii.authority.sdk.VerifiedPrincipal;
import dev.torii.authority.sdk.testing.JwksServer;
import dev.torii.authority.sdk.testing.TestTokens;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Calls a real grpc-java server (Netty, ephemeral port) whose service sits behind
 * {@link PrivateTokenServerInterceptor}, with the JWKS served over real HTTP.
 */
@Timeout(30)
class PrivateTokenServerInterceptorIT {

    /** A one-method service that answers with what {@link ToriiContext} says about the caller. */
    private static final MethodDescriptor<String, String> WHO_AM_I = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("torii.test.Probe/WhoAmI")
            .setRequestMarshaller(Utf8.INSTANCE)
            .setResponseMarshaller(Utf8.INSTANCE)
            .build();

    private static JwksServer authority;
    private static RSAKey key;

    private final AtomicInteger served = new AtomicInteger();
    private final AtomicReference<String> interceptorThread = new AtomicReference<>();
    private final List<LogRecord> logs = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logs.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger interceptorLogger = Logger.getLogger(PrivateTokenServerInterceptor.class.getName());
    private ExecutorService executor;
    private Server server;
    private ManagedChannel channel;

    @BeforeAll
    static void startAuthority() throws IOException {
        authority = JwksServer.start();
        key = TestTokens.rsaKey("k1");
        authority.publish(key);
    }

    @AfterAll
    static void stopAuthority() {
        authority.close();
    }

    @BeforeEach
    void captureLogs() {
        interceptorLogger.setLevel(Level.ALL);
        interceptorLogger.setUseParentHandlers(false);
        interceptorLogger.addHandler(capture);
    }

    @AfterEach
    void stopServer() throws InterruptedException {
        interceptorLogger.removeHandler(capture);
        interceptorLogger.setLevel(null);
        interceptorLogger.setUseParentHandlers(true);
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    @Test
    void letsAValidTokenThroughAndExposesTheCaller() throws IOException {
        start(authority.jwksUri());
        String token = sign(key, TestTokens.userClaims(authority.issuer()).build());

        String answer = call("Bearer " + token);

        assertThat(answer).isEqualTo("USER user-42 [offers.read, offers.write]");
        assertThat(served).hasValue(1);
    }

    @Test
    void acceptsTheBearerSchemeInAnyCase() throws IOException {
        start(authority.jwksUri());
        String token = sign(key, TestTokens.serviceAccountClaims(authority.issuer()).build());

        assertThat(call("bearer " + token)).startsWith("SERVICE_ACCOUNT batch@project.iam.gserviceaccount.com");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedCredentials")
    void refusesAndNeverReachesTheService(String name, List<String> authorization, String reason) throws IOException {
        start(authority.jwksUri());

        StatusRuntimeException refusal = catchThrowableOfType(StatusRuntimeException.class,
                () -> call(authorization.toArray(String[]::new)));

        assertThat(refusal).as(name).isNotNull();
        assertThat(refusal.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(refusal.getStatus().getDescription()).contains(reason);
        assertThat(served).hasValue(0);
        assertNoLogMentions(authorization);
        // The refusal was logged (so the check above looked at something), just not the token.
        assertThat(logs).isNotEmpty();
    }

    static Stream<Arguments> refusedCredentials() {
        String expired = sign(key, TestTokens.userClaims(authority.issuer())
                .expirationTime(new java.util.Date(System.currentTimeMillis() - 600_000)).build());
        String otherAudience = sign(key, TestTokens.userClaims(authority.issuer())
                .audience("examples.other.v1.Other").build());
        String good = sign(key, TestTokens.userClaims(authority.issuer()).build());
        return Stream.of(
                Arguments.of("no authorization", List.of(), "no authorization metadata"),
                Arguments.of("Basic credentials", List.of("Basic dXNlcjpwYXNz"), "not a Bearer credential"),
                Arguments.of("Bearer without a token", List.of("Bearer "), "not a Bearer credential"),
                Arguments.of("two Bearer tokens", List.of("Bearer " + good, "Bearer " + good),
                        "2 authorization metadata entries (expected: exactly one)"),
                Arguments.of("garbage token", List.of("Bearer not-a-jwt"), "private token is malformed"),
                Arguments.of("expired token", List.of("Bearer " + expired), "token expired at"),
                Arguments.of("token for another service", List.of("Bearer " + otherAudience),
                        "aud is [\"examples.other.v1.Other\"]"));
    }

    @Test
    void answersUnavailableWhenTheJwksCannotBeFetched() throws IOException {
        URI closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = URI.create("http://127.0.0.1:" + socket.getLocalPort() + JwksServer.JWKS_PATH);
        }
        start(closed);
        String token = sign(key, TestTokens.userClaims(authority.issuer()).build());

        StatusRuntimeException refusal = catchThrowableOfType(StatusRuntimeException.class, () -> call("Bearer " + token));

        assertThat(refusal.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(refusal.getStatus().getDescription()).contains("cannot fetch the JWKS at " + closed);
        assertThat(served).hasValue(0);
        assertThat(logs).anySatisfy(log -> assertThat(log.getLevel()).isEqualTo(Level.WARNING));
        assertNoLogMentions(List.of(token));
    }

    @Test
    void verifiesOnTheApplicationExecutorNotOnANettyThread() throws IOException {
        start(authority.jwksUri());

        call("Bearer " + sign(key, TestTokens.userClaims(authority.issuer()).build()));

        assertThat(interceptorThread.get()).startsWith("probe-app-");
    }

    @Test
    void hasNoPrincipalOutsideAnInterceptedCall() {
        assertThat(ToriiContext.PRINCIPAL.get()).isNull();
        assertThat(catchThrowableOfType(IllegalStateException.class, ToriiContext::principal))
                .hasMessageStartingWith("no VerifiedPrincipal in the current gRPC Context");
    }

    @Test
    void anAnonymousMethodTakesCallsWithoutATokenButStillChecksOne() throws IOException {
        start(authority.jwksUri(), java.util.Set.of(WHO_AM_I.getFullMethodName()));

        assertThat(call()).isEqualTo("ANONYMOUS");
        String token = sign(key, TestTokens.userClaims(authority.issuer()).build());
        assertThat(call("Bearer " + token)).isEqualTo("USER user-42 [offers.read, offers.write]");
        assertThat(catchThrowableOfType(io.grpc.StatusRuntimeException.class, () -> call("Bearer not-a-token"))
                .getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAUTHENTICATED);
    }

    private void start(URI jwksUri) throws IOException {
        start(jwksUri, java.util.Set.of());
    }

    private void start(URI jwksUri, java.util.Set<String> anonymousMethods) throws IOException {
        PrivateTokenVerifier verifier = PrivateTokenVerifier.builder()
                .jwksUri(jwksUri)
                .issuer(authority.issuer())
                .audience(AUDIENCE)
                .build();
        ServerServiceDefinition probe = ServerServiceDefinition.builder("torii.test.Probe")
                .addMethod(WHO_AM_I, ServerCalls.asyncUnaryCall((request, response) -> {
                    served.incrementAndGet();
                    VerifiedPrincipal caller = ToriiContext.PRINCIPAL.get();
                    response.onNext(caller == null ? "ANONYMOUS"
                            : caller.type() + " " + caller.id() + " " + caller.scopes().stream().sorted().toList());
                    response.onCompleted();
                }))
                .build();
        // Added last, so it runs first: it records the thread the interceptors run on.
        ServerInterceptor threadProbe = new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                    ServerCallHandler<ReqT, RespT> next) {
                interceptorThread.set(Thread.currentThread().getName());
                return Contexts.interceptCall(Context.current(), call, headers, next);
            }
        };
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newCachedThreadPool(r -> new Thread(r, "probe-app-" + threads.incrementAndGet()));
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .executor(executor)
                .addService(ServerInterceptors.intercept(probe,
                        new PrivateTokenServerInterceptor(verifier, anonymousMethods), threadProbe))
                .build()
                .start();
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.getPort(), InsecureChannelCredentials.create())
                .build();
    }

    private String call(String... authorization) {
        Metadata headers = new Metadata();
        Metadata.Key<String> key = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
        for (String value : authorization) {
            headers.put(key, value);
        }
        Channel withHeaders = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        return ClientCalls.blockingUnaryCall(withHeaders, WHO_AM_I,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "who am I?");
    }

    private void assertNoLogMentions(List<String> secrets) {
        for (LogRecord log : logs) {
            StringBuilder text = new StringBuilder(String.valueOf(log.getMessage()));
            if (log.getParameters() != null) {
                for (Object parameter : log.getParameters()) {
                    text.append(' ').append(parameter);
                }
            }
            for (String secret : secrets) {
                String token = secret.startsWith("Bearer ") ? secret.substring(7) : secret;
                if (token.length() > 8) {
                    assertThat(text.toString()).doesNotContain(token);
                }
            }
        }
    }

    /** Carries strings as UTF-8, so the probe service needs no generated code. */
    private enum Utf8 implements MethodDescriptor.Marshaller<String> {
        INSTANCE;

        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
