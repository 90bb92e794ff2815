package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.torii.authority.sdk.grpc.PrivateTokenServerInterceptor;
import dev.torii.examples.offer.OfferServer;
import dev.torii.gateway.reload.ReloadStatus;
import dev.torii.gateway.reload.RouteReloader;
import dev.torii.gateway.testing.ConfigMapFolder;
import dev.torii.gateway.testing.DummyAuthority;
import dev.torii.gateway.testing.HttpCalls;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What grpcurl and Postman see asking the gateway for its schema: grpc-java's own reflection
 * client (the v1 stub from grpc-services, the way grpcurl talks: one request, wait for its
 * answer, then the next, on one stream) over h2c, against the real gateway with reflection on,
 * the example offer service and a dummy Authority behind it, and the repository's offer route
 * file in a folder the test can reload.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ReflectionIT {

    private static final String OFFER_SERVICE = "examples.offer.v1.OfferService";
    private static final String AUTHORITY_SERVICE = "torii.authority.v1.Authority";

    private static DummyAuthority authority;
    private static OfferServer offers;
    private static ConfigMapFolder routes;

    @Autowired
    private Environment environment;
    @Autowired
    private ReloadStatus reloadStatus;

    private ManagedChannel channel;

    @DynamicPropertySource
    static void gateway(DynamicPropertyRegistry registry) throws IOException {
        authority = DummyAuthority.start();
        offers = OfferServer.start(0, List.of(new PrivateTokenServerInterceptor(
                authority.verifierFor(OFFER_SERVICE), OfferServer.ANONYMOUS_METHODS)));
        routes = ConfigMapFolder.create();
        routes.write(offerRoutesOnly());
        registry.add("torii.gateway.routes-dir", () -> routes.dir().toString());
        registry.add("torii.gateway.reload.poll-interval", () -> "500ms");
        registry.add("torii.gateway.reflection.enabled", () -> "true");
        registry.add("OFFER_SERVICE_TARGET", () -> "localhost:" + offers.port());
        registry.add("torii.gateway.authority.target", authority::grpcTarget);
        registry.add("management.server.port", () -> "0");
    }

    @AfterAll
    static void stopBackends() {
        offers.close();
        authority.close();
    }

    @BeforeEach
    void connect() {
        apply(offerRoutesOnly());
        channel = NettyChannelBuilder.forAddress("localhost", environment.getRequiredProperty("local.server.port",
                Integer.class)).usePlaintext().build();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void listsTheRoutedServicesAndNotTheOthers() throws Exception {
        try (ReflectionStream stream = new ReflectionStream(channel)) {
            List<String> services = serviceNames(stream.ask(listServices()));

            // The Authority's service is in the same descriptor set, but no route names it.
            assertThat(services).contains(OFFER_SERVICE, "grpc.reflection.v1.ServerReflection")
                    .doesNotContain(AUTHORITY_SERVICE);
            stream.end();
        }
    }

    @Test
    void answersTheFileOfASymbolWithItsDependencies() throws Exception {
        try (ReflectionStream stream = new ReflectionStream(channel)) {
            ServerReflectionResponse answer = stream.ask(ServerReflectionRequest.newBuilder()
                    .setFileContainingSymbol(OFFER_SERVICE + ".GetOffer").build());

            List<FileDescriptorProto> files = files(answer);
            assertThat(files.get(0).getName()).isEqualTo("examples/offer/v1/offer.proto");
            assertThat(files.get(0).getServiceList()).anySatisfy(service -> {
                assertThat(service.getName()).isEqualTo("OfferService");
                assertThat(service.getMethodList()).extracting(m -> m.getName())
                        .contains("CreateOffer", "GetOffer", "WhoAmI", "WatchOffers");
            });
            // What a client needs to build the messages: every file the service's file imports.
            assertThat(files.stream().map(FileDescriptorProto::getName))
                    .containsAll(files.get(0).getDependencyList())
                    .contains("google/protobuf/timestamp.proto");
            stream.end();
        }
    }

    @Test
    void anUnknownOrUnroutedSymbolIsNotFoundInTheAnswer() throws Exception {
        try (ReflectionStream stream = new ReflectionStream(channel)) {
            for (String symbol : List.of("examples.offer.v1.NoSuchService", AUTHORITY_SERVICE)) {
                ServerReflectionResponse answer = stream.ask(ServerReflectionRequest.newBuilder()
                        .setFileContainingSymbol(symbol).build());

                assertThat(answer.hasErrorResponse()).as(symbol).isTrue();
                assertThat(answer.getErrorResponse().getErrorCode()).as(symbol)
                        .isEqualTo(Status.Code.NOT_FOUND.value());
            }
            stream.end();
        }
    }

    @Test
    void answersEachRequestOnOneStreamBeforeTheNextIsSent() throws Exception {
        try (ReflectionStream stream = new ReflectionStream(channel)) {
            // ask() returns only once the answer arrived, while the stream is still open: the
            // gateway answers the first request before the client sends (or half-closes) anything.
            ServerReflectionResponse first = stream.ask(listServices());
            ServerReflectionResponse second = stream.ask(ServerReflectionRequest.newBuilder()
                    .setFileByFilename("examples/offer/v1/offer.proto").build());
            ServerReflectionResponse third = stream.ask(ServerReflectionRequest.newBuilder()
                    .setFileContainingSymbol("examples.offer.v1.Offer").build());

            assertThat(serviceNames(first)).contains(OFFER_SERVICE);
            assertThat(files(second).get(0).getName()).isEqualTo("examples/offer/v1/offer.proto");
            assertThat(files(third).get(0).getName()).isEqualTo("examples/offer/v1/offer.proto");
            stream.end();
        }
    }

    @Test
    @SuppressWarnings("deprecation") // v1alpha is what grpcurl and Postman still ask first
    void answersTheOlderV1AlphaNameToo() throws Exception {
        BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        StreamObserver<io.grpc.reflection.v1alpha.ServerReflectionRequest> requests =
                io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .serverReflectionInfo(new Collector<>(answers));

        requests.onNext(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setListServices("").build());
        Object answer = answers.poll(10, TimeUnit.SECONDS);
        requests.onCompleted();

        assertThat(answer).isInstanceOf(io.grpc.reflection.v1alpha.ServerReflectionResponse.class);
        assertThat(((io.grpc.reflection.v1alpha.ServerReflectionResponse) answer).getListServicesResponse()
                .getServiceList()).extracting(s -> s.getName()).contains(OFFER_SERVICE).doesNotContain(AUTHORITY_SERVICE);
        assertThat(answers.poll(10, TimeUnit.SECONDS)).isEqualTo(Collector.END);
    }

    @Test
    void isServedOverNativeGrpcOnly() {
        HttpCalls http = new HttpCalls(environment.getRequiredProperty("local.server.port", Integer.class));

        HttpResponse<byte[]> connect = http.postJson("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                "{\"listServices\": \"\"}", "Connect-Protocol-Version", "1");

        assertThat(connect.statusCode()).isEqualTo(501);
        assertThat(new String(connect.body(), StandardCharsets.UTF_8)).contains("\"unimplemented\"",
                "expected: native gRPC");
    }

    @Test
    void followsTheRoutesAfterAReload() throws Exception {
        apply(Map.of("offer-service.yaml", offerRouteFile(), "authority.yaml", """
                service: torii.authority.v1.Authority
                upstream:
                  target: %s
                timeout: 2s
                auth: public
                methods: [ExchangeToken]
                """.formatted(authority.grpcTarget())));

        try (ReflectionStream stream = new ReflectionStream(channel)) {
            assertThat(serviceNames(stream.ask(listServices()))).contains(OFFER_SERVICE, AUTHORITY_SERVICE);
            ServerReflectionResponse file = stream.ask(ServerReflectionRequest.newBuilder()
                    .setFileContainingSymbol(AUTHORITY_SERVICE).build());
            assertThat(files(file).get(0).getName()).isEqualTo("torii/authority/v1/authority.proto");
            stream.end();
        }

        apply(offerRoutesOnly());

        try (ReflectionStream stream = new ReflectionStream(channel)) {
            assertThat(serviceNames(stream.ask(listServices()))).contains(OFFER_SERVICE)
                    .doesNotContain(AUTHORITY_SERVICE);
            stream.end();
        }
    }

    private static ServerReflectionRequest listServices() {
        return ServerReflectionRequest.newBuilder().setListServices("").build();
    }

    private static List<String> serviceNames(ServerReflectionResponse answer) {
        assertThat(answer.hasListServicesResponse()).as(answer.toString()).isTrue();
        return answer.getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName).toList();
    }

    private static List<FileDescriptorProto> files(ServerReflectionResponse answer) {
        assertThat(answer.hasFileDescriptorResponse()).as(answer.toString()).isTrue();
        return answer.getFileDescriptorResponse().getFileDescriptorProtoList().stream().map(ReflectionIT::parse)
                .toList();
    }

    private static FileDescriptorProto parse(ByteString bytes) {
        try {
            return FileDescriptorProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("not a FileDescriptorProto", e);
        }
    }

    private static Map<String, String> offerRoutesOnly() {
        return Map.of("offer-service.yaml", offerRouteFile());
    }

    private static String offerRouteFile() {
        try {
            return Files.readString(Path.of(System.getProperty("torii.test.routes-dir", "../routes"),
                    "offer-service.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void apply(Map<String, String> files) {
        try {
            routes.write(files);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> reloadStatus.snapshot().last().digest().equals(RouteReloader.digest(routes.dir())));
        assertThat(reloadStatus.snapshot().last().outcome()).isNotEqualTo(ReloadStatus.Outcome.REJECTED);
    }

    /**
     * One reflection stream, used as grpcurl uses it: a request, then its answer, then the next.
     */
    static final class ReflectionStream implements AutoCloseable {

        private final BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        private final StreamObserver<ServerReflectionRequest> requests;
        private boolean ended;

        ReflectionStream(ManagedChannel channel) {
            requests = ServerReflectionGrpc.newStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .serverReflectionInfo(new Collector<>(answers));
        }

        /**
         * Sends a request and waits for its answer; fails on anything else.
         */
        ServerReflectionResponse ask(ServerReflectionRequest request) throws InterruptedException {
            requests.onNext(request);
            Object answer = answers.poll(10, TimeUnit.SECONDS);
            assertThat(answer).as("the answer to " + request).isInstanceOf(ServerReflectionResponse.class);
            return (ServerReflectionResponse) answer;
        }

        /**
         * Half-closes the stream and checks that the gateway ends it with OK.
         */
        void end() throws InterruptedException {
            ended = true;
            requests.onCompleted();
            assertThat(answers.poll(10, TimeUnit.SECONDS)).as("the end of the stream").isEqualTo(Collector.END);
        }

        @Override
        public void close() {
            if (!ended) {
                requests.onError(Status.CANCELLED.withDescription("test over").asRuntimeException());
            }
        }
    }

    /**
     * Puts a stream's answers, its error or {@link #END} on a queue.
     */
    static final class Collector<T> implements StreamObserver<T> {

        static final Object END = "end of stream";

        private final BlockingQueue<Object> answers;

        Collector(BlockingQueue<Object> answers) {
            this.answers = answers;
        }

        @Override
        public void onNext(T value) {
            answers.add(value);
        }

        @Override
        public void onError(Throwable failure) {
            answers.add(failure);
        }

        @Override
        public void onCompleted() {
            answers.add(END);
        }
    }
}
