package dev.torii.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.torii.examples.offer.v1.CreateOfferRequest;
import dev.torii.examples.offer.v1.GetOfferRequest;
import dev.torii.examples.offer.v1.Money;
import dev.torii.examples.offer.v1.Offer;
import dev.torii.examples.offer.v1.OfferServiceGrpc;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Prepares the offer every call reads, and checks before the load that each gateway runs the
 * route policy its ratio assumes (the authenticated gateway guards the offer, only the
 * traffic-control gateway rate-limits it): one-off blocking calls, made before any load runs.
 */
final class BenchOffer {

    /** The request every benchmark run creates. */
    static final CreateOfferRequest CREATE = CreateOfferRequest.newBuilder()
            .setItemId("bench-item")
            .setTitle("Benchmark offer")
            .setPrice(Money.newBuilder().setCurrencyCode("JPY").setUnits(12_000))
            .build();

    private static final String CREATE_PATH = "/" + OfferServiceGrpc.getCreateOfferMethod().getFullMethodName();
    private static final String PROTOBUF = "application/x-protobuf";
    private static final String RATE_LIMIT_POLICY = "RateLimit-Policy";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    // Not the load's client: these calls must not count among the connections the report shows.
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();

    private BenchOffer() {}

    /**
     * Creates the offer straight on the backend, without a token: for a backend that does not
     * require private tokens.
     *
     * @param channel the channel to the offer service
     * @return the new offer's id
     * @throws IllegalStateException pointing at {@code --create-offer-credential} when the backend
     *     requires a private token
     */
    static String createDirect(Channel channel) {
        try {
            return OfferServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                    .createOffer(CREATE)
                    .getId();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.UNAUTHENTICATED) {
                throw e;
            }
            throw new IllegalStateException("creating the offer over gRPC at " + channel.authority() + " failed: "
                    + e.getStatus().getCode() + ": " + e.getStatus().getDescription() + " (expected: a backend that does not require private tokens; for one that"
                    + " does, pass --create-offer-credential to create it through the gateway)", e);
        }
    }

    /**
     * Creates the offer through the gateway's CreateOffer route, which exchanges the credential
     * for the private token a verifying backend requires.
     *
     * @param gateway the gateway's base URI
     * @param credential sent as {@code Authorization: Bearer <credential>}; it needs the route's
     *     scope ({@code offers.write})
     * @return the new offer's id
     * @throws IllegalStateException naming the status and the gateway's reason if it did not answer 200
     */
    static String createThroughGateway(URI gateway, String credential) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = post(gateway, CREATE_PATH, CREATE.toByteArray(), credential);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("creating the offer through " + gateway + CREATE_PATH + " failed: "
                    + GatewayHttpTarget.failure(response.statusCode(), header(response, "grpc-status"),
                            header(response, "grpc-message"))
                    + "; does --create-offer-credential carry the scope offers.write?");
        }
        try {
            return Offer.parseFrom(response.body()).getId();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("CreateOffer answer of " + response.body().length
                    + " bytes is not an Offer (expected: the created offer)", e);
        }
    }

    /**
     * Calls GetOffer on the gateway without a credential and requires a 401, so a gateway serving
     * the public route cannot pass for the authenticated path and make the ratio meaningless.
     *
     * @param gateway the gateway that should require a credential
     * @param offerId the offer to ask for
     * @throws IllegalStateException naming the status it answered instead
     */
    static void requireCredential(URI gateway, String offerId) throws IOException, InterruptedException {
        byte[] body = GetOfferRequest.newBuilder().setId(offerId).build().toByteArray();
        HttpResponse<byte[]> response = post(gateway, GatewayHttpTarget.PATH, body, null);
        if (response.statusCode() != 401) {
            throw new IllegalStateException("GetOffer without a credential on " + gateway + " answered HTTP "
                    + response.statusCode() + " (expected: 401, from a gateway started with"
                    + " --torii.gateway.routes-dir=bench/routes, where GetOffer requires a user)");
        }
    }

    /**
     * Calls GetOffer on the gateway without a credential and requires a 200 that carries a
     * {@code RateLimit-Policy} header, or one that does not, so that neither the traffic-control
     * gateway nor the baseline can serve the other's route and make their ratio meaningless.
     *
     * @param gateway the gateway to check
     * @param offerId the offer to ask for
     * @param limited whether GetOffer must be rate-limited on this gateway
     * @return the {@code RateLimit-Policy} answered, or null when {@code limited} is false
     * @throws IllegalStateException naming what the gateway answered instead
     */
    static String requireRateLimit(URI gateway, String offerId, boolean limited)
            throws IOException, InterruptedException {
        byte[] body = GetOfferRequest.newBuilder().setId(offerId).build().toByteArray();
        HttpResponse<byte[]> response = post(gateway, GatewayHttpTarget.PATH, body, null);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GetOffer without a credential on " + gateway + " failed: "
                    + GatewayHttpTarget.failure(response.statusCode(), header(response, "grpc-status"),
                            header(response, "grpc-message")));
        }
        String limit = header(response, RATE_LIMIT_POLICY);
        if (limited && limit == null) {
            throw new IllegalStateException("GetOffer on " + gateway + " answered without " + RATE_LIMIT_POLICY
                    + " (expected: a rate-limited route, from a gateway started with"
                    + " --torii.gateway.routes-dir=bench/routes-traffic)");
        }
        if (!limited && limit != null) {
            throw new IllegalStateException("GetOffer on " + gateway + " answered " + RATE_LIMIT_POLICY + ": " + limit
                    + " (expected: no rate limit, from a gateway started with"
                    + " --torii.gateway.routes-dir=bench/routes-plain)");
        }
        return limit;
    }

    private static HttpResponse<byte[]> post(URI gateway, String path, byte[] body, String credential)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.resolve(path))
                .timeout(TIMEOUT)
                .header("Content-Type", PROTOBUF)
                .header("Accept", PROTOBUF)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (credential != null) {
            request.header("Authorization", "Bearer " + credential);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }
}
