package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.rpc.RetryInfo;
import dev.torii.authority.sdk.grpc.PrivateTokenServerInterceptor;
import dev.torii.examples.offer.OfferServer;
import dev.torii.examples.offer.v1.CreateOfferRequest;
import dev.torii.examples.offer.v1.GetOfferRequest;
import dev.torii.examples.offer.v1.Money;
import dev.torii.examples.offer.v1.Offer;
import dev.torii.examples.offer.v1.OfferServiceGrpc;
import dev.torii.examples.offer.v1.WatchOffersRequest;
import dev.torii.examples.offer.v1.WhoAmIRequest;
import dev.torii.examples.offer.v1.WhoAmIResponse;
import dev.torii.gateway.testing.CallDelayInterceptor;
import dev.torii.gateway.testing.CallDelayInterceptor.DelayedCall;
import dev.torii.gateway.testing.DummyAuthority;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * What an internal tool sees calling the gateway with grpc-java, the gRPC client no one here
 * wrote, through generated stubs: the example offer service behind it verifying private tokens,
 * a dummy Authority, the repository's route files. Each subclass says how the channel reaches
 * the gateway (h2c, TLS).
 */
abstract class GrpcJavaClientCases {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> WWW_AUTHENTICATE =
            Metadata.Key.of("www-authenticate", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> DELAY = Metadata.Key.of(CallDelayInterceptor.HEADER,
            Metadata.ASCII_STRING_MARSHALLER);
    private static final CreateOfferRequest CAMERA = CreateOfferRequest.newBuilder().setItemId("item-1")
            .setTitle("Vintage camera").setPrice(Money.newBuilder().setCurrencyCode("JPY").setUnits(12000)).build();
    // routes/offer-service.yaml: CreateOffer {key: user, rate: 5, period: 1m}.
    private static final int CREATES_PER_MINUTE = 5;

    static DummyAuthority authority;
    static CallDelayInterceptor delays;
    static OfferServer offers;

    @Autowired
    Environment environment;

    ManagedChannel channel;

    /**
     * Starts the backends and points the gateway at them.
     */
    static void stack(DynamicPropertyRegistry registry) throws IOException {
        authority = DummyAuthority.start();
        delays = new CallDelayInterceptor();
        offers = OfferServer.start(0, List.of(delays, new PrivateTokenServerInterceptor(
                authority.verifierFor("examples.offer.v1.OfferService"), OfferServer.ANONYMOUS_METHODS)));
        registry.add("torii.gateway.routes-dir", () -> System.getProperty("torii.test.routes-dir", "../routes"));
        registry.add("OFFER_SERVICE_TARGET", () -> "localhost:" + offers.port());
        registry.add("torii.gateway.authority.target", authority::grpcTarget);
        registry.add("management.server.port", () -> "0");
        registry.add("torii.gateway.forwarded-headers", () -> "accept-language," + CallDelayInterceptor.HEADER);
        registry.add("torii.gateway.reflection.enabled", () -> "true");
    }

    @AfterAll
    static void stop() {
        offers.close();
        delays.close();
        authority.close();
    }

    /**
     * Opens a channel to the gateway's public port.
     *
     * @param port the port
     * @return the channel
     */
    abstract ManagedChannel open(int port) throws Exception;

    @BeforeEach
    void connect() throws Exception {
        delays.clear();
        channel = open(environment.getRequiredProperty("local.server.port", Integer.class));
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void aUserCreatesAnOfferAndAnyoneReadsIt() {
        String user = fresh("alice");

        Offer created = stub(bearer(user, "offers.write")).createOffer(CAMERA);
        Offer fetched = stub(null).getOffer(GetOfferRequest.newBuilder().setId(created.getId()).build());

        assertThat(created.getSellerId()).isEqualTo(user);
        assertThat(fetched).isEqualTo(created);
    }

    @Test
    void reflectionListsTheRoutedServicesAsGrpcurlAsks() throws InterruptedException {
        try (ReflectionIT.ReflectionStream reflection = new ReflectionIT.ReflectionStream(channel)) {
            ServerReflectionResponse listed = reflection.ask(ServerReflectionRequest.newBuilder()
                    .setListServices("").build());
            ServerReflectionResponse file = reflection.ask(ServerReflectionRequest.newBuilder()
                    .setFileContainingSymbol("examples.offer.v1.OfferService").build());

            assertThat(listed.getListServicesResponse().getServiceList()).extracting(ServiceResponse::getName)
                    .contains("examples.offer.v1.OfferService").doesNotContain("torii.authority.v1.Authority");
            assertThat(file.getFileDescriptorResponse().getFileDescriptorProtoCount()).isGreaterThan(1);
            reflection.end();
        }
    }

    @Test
    void gzipRequestsAndAnswersWork() {
        String user = fresh("alice");

        Offer created = stub(bearer(user, "offers.write")).withCompression("gzip").createOffer(CAMERA);

        assertThat(created.getTitle()).isEqualTo("Vintage camera");
    }

    @Test
    void aServiceAccountIsTheInternalToolsCredential() {
        // routes/offer-service.yaml admits service accounts with the role support.reader.
        WhoAmIResponse me = stub("Bearer dummy-sa:batch@example.iam.gserviceaccount.com:support.reader")
                .whoAmI(WhoAmIRequest.getDefaultInstance());
        StatusRuntimeException withoutRole = fails(() -> stub("Bearer dummy-sa:batch@example.iam.gserviceaccount.com")
                .whoAmI(WhoAmIRequest.getDefaultInstance()));

        assertThat(me.getPrincipal().getId()).isEqualTo("batch@example.iam.gserviceaccount.com");
        assertThat(me.getPrincipal().getType()).containsIgnoringCase("service");
        assertThat(withoutRole.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void anUnknownOfferIsNotFound() {
        String id = UUID.randomUUID().toString();

        StatusRuntimeException e = fails(() -> stub(null).getOffer(GetOfferRequest.newBuilder().setId(id).build()));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(e.getStatus().getDescription()).isEqualTo("offer " + id + " not found");
    }

    @Test
    void aCallWithoutACredentialIsUnauthenticated() {
        StatusRuntimeException e = fails(() -> stub(null).whoAmI(WhoAmIRequest.getDefaultInstance()));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(e.getTrailers().get(WWW_AUTHENTICATE)).isEqualTo("Bearer realm=\"torii\"");
    }

    @Test
    void callersTheRouteDoesNotAdmitArePermissionDenied() {
        StatusRuntimeException noScope = fails(() -> stub("Bearer dummy:bob").createOffer(CAMERA));
        StatusRuntimeException denied = fails(() -> stub("Bearer dummy:!denied").whoAmI(WhoAmIRequest.getDefaultInstance()));

        assertThat(noScope.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(noScope.getTrailers().get(WWW_AUTHENTICATE)).contains("scope=\"offers.write\"");
        assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void theSixthCreateInAMinuteIsRefusedWithWhenToRetry() throws Exception {
        OfferServiceGrpc.OfferServiceBlockingStub creator = stub(bearer(fresh("newcomer"), "offers.write"));
        for (int i = 0; i < CREATES_PER_MINUTE; i++) {
            creator.createOffer(CAMERA);
        }

        StatusRuntimeException refused = fails(() -> creator.createOffer(CAMERA));

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(refused.getTrailers().get(RETRY_AFTER)).isNotBlank();
        com.google.rpc.Status status = StatusProto.fromThrowable(refused);
        assertThat(status).isNotNull();
        assertThat(status.getDetailsList()).anySatisfy(detail -> assertThat(detail.is(RetryInfo.class)).isTrue());
    }

    @Test
    void aSlowBackendEndsInDeadlineExceededAtTheClientsDeadline() throws Exception {
        long started = System.nanoTime();

        StatusRuntimeException e = fails(() -> slowStub(2_800).withDeadlineAfter(800, TimeUnit.MILLISECONDS)
                .whoAmI(WhoAmIRequest.getDefaultInstance()));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(750), Duration.ofMillis(2500));
        // grpc-java sent its deadline as grpc-timeout; it became the backend's deadline.
        DelayedCall atBackend = delays.nextCall(Duration.ofSeconds(5));
        assertThat(atBackend.deadline()).hasValueSatisfying(left -> assertThat(left).isLessThanOrEqualTo(Duration.ofMillis(800)));
        assertThat(atBackend.cancelledAfter().get(5, TimeUnit.SECONDS)).isLessThan(Duration.ofMillis(1500));
    }

    @Test
    void aStreamReceivesOffersCreatedWhileItIsOpenPromptly() throws Exception {
        String seller = fresh("alice");
        int watchersBefore = offers.watcherCount();
        Stream watch = watch(seller);
        awaitWatching(watch, watchersBefore);

        Offer created = stub(bearer(seller, "offers.write")).createOffer(CAMERA);
        long createdAt = System.nanoTime();

        Object streamed = watch.events.poll(2, TimeUnit.SECONDS);
        assertThat(streamed).isEqualTo(created);
        assertThat(Duration.ofNanos(System.nanoTime() - createdAt)).isLessThan(Duration.ofSeconds(2));
        channel.shutdownNow();
        // The client went away: the gateway cancels the upstream stream.
        await().atMost(Duration.ofSeconds(10)).until(() -> offers.watcherCount() == watchersBefore);
    }

    @Test
    void aStreamEndsInDeadlineExceededAtItsDeadline() {
        int watchersBefore = offers.watcherCount();
        String seller = fresh("alice");
        long started = System.nanoTime();
        Iterator<Offer> stream = stub("Bearer dummy:" + seller).withDeadlineAfter(1500, TimeUnit.MILLISECONDS)
                .watchOffers(WatchOffersRequest.newBuilder().setSellerId(seller).build());

        StatusRuntimeException e = fails(stream::hasNext);

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(1450), Duration.ofMillis(4500));
        await().atMost(Duration.ofSeconds(10)).until(() -> offers.watcherCount() == watchersBefore);
    }

    @Test
    void aStreamTheBackendCutsMidWayEndsInTheBackendsError() throws Exception {
        String seller = fresh("alice");
        int watchersBefore = offers.watcherCount();
        Stream watch = watch(seller);
        awaitWatching(watch, watchersBefore);
        Offer created = stub(bearer(seller, "offers.write")).createOffer(CAMERA);
        assertThat(watch.events.poll(5, TimeUnit.SECONDS)).isEqualTo(created);

        offers.abortWatchers(Status.ABORTED.withDescription("watch interrupted"));

        Object end = watch.events.poll(10, TimeUnit.SECONDS);
        assertThat(end).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
            assertThat(e.getStatus().getDescription()).isEqualTo("watch interrupted");
        });
    }

    // A stream read asynchronously: its messages, then its error (or "completed").
    record Stream(BlockingQueue<Object> events) {}

    private Stream watch(String seller) {
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        OfferServiceGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(header("Bearer dummy:" + seller)))
                .withDeadlineAfter(20, TimeUnit.SECONDS)
                .watchOffers(WatchOffersRequest.newBuilder().setSellerId(seller).build(), new StreamObserver<>() {
                    @Override
                    public void onNext(Offer offer) {
                        events.add(offer);
                    }

                    @Override
                    public void onError(Throwable t) {
                        events.add(t);
                    }

                    @Override
                    public void onCompleted() {
                        events.add("completed");
                    }
                });
        return new Stream(events);
    }

    private static void awaitWatching(Stream watch, int watchersBefore) {
        await().atMost(Duration.ofSeconds(10))
                .failFast("the stream ended before the backend saw it", () -> assertThat(watch.events()).isEmpty())
                .until(() -> offers.watcherCount() == watchersBefore + 1);
    }

    OfferServiceGrpc.OfferServiceBlockingStub stub(String authorization) {
        OfferServiceGrpc.OfferServiceBlockingStub stub = OfferServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(20, TimeUnit.SECONDS);
        return authorization == null ? stub : stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(header(authorization)));
    }

    private OfferServiceGrpc.OfferServiceBlockingStub slowStub(int delayMillis) {
        Metadata headers = header("Bearer dummy:alice");
        headers.put(DELAY, Integer.toString(delayMillis));
        return OfferServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static Metadata header(String authorization) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, authorization);
        return headers;
    }

    static StatusRuntimeException fails(Runnable call) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(e).as("the call should have failed").isNotNull();
        return e;
    }

    private static String bearer(String user, String scope) {
        return "Bearer dummy:" + user + ":" + scope;
    }

    // A user of its own for each case, so no case spends another's rate limit.
    static String fresh(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
