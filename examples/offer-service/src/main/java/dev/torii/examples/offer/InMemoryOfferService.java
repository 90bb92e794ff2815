package dev.torii.examples.offer;

import com.google.protobuf.Any;
import com.google.protobuf.Timestamp;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.torii.authority.sdk.VerifiedPrincipal;
import dev.torii.authority.sdk.grpc.ToriiContext;
import dev.torii.examples.offer.v1.CreateOfferRequest;
import dev.torii.examples.offer.v1.GetOfferRequest;
import dev.torii.examples.offer.v1.Offer;
import dev.torii.examples.offer.v1.OfferServiceGrpc;
import dev.torii.examples.offer.v1.OfferState;
import dev.torii.examples.offer.v1.Principal;
import dev.torii.examples.offer.v1.WatchOffersRequest;
import dev.torii.examples.offer.v1.WhoAmIRequest;
import dev.torii.examples.offer.v1.WhoAmIResponse;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Implements {@code examples.offer.v1.OfferService} over an in-memory store that keeps the most
 * recent {@value #MAX_OFFERS} offers.
 */
final class InMemoryOfferService extends OfferServiceGrpc.OfferServiceImplBase {

    /** The fully-qualified gRPC service name. */
    static final String SERVICE_NAME = OfferServiceGrpc.SERVICE_NAME;

    static final int MAX_OFFERS = 100_000;
    private static final int MAX_TITLE_LENGTH = 200;
    private static final Pattern UUID_PATTERN =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern CURRENCY_PATTERN = Pattern.compile("[A-Z]{3}");
    // Values of these keys never leave the service, even in a demo echo.
    private static final Set<String> REDACTED_KEYS = Set.of("authorization", "cookie", "x-api-key");

    private final Map<String, Offer> offers = new ConcurrentHashMap<>();
    private final Queue<String> insertionOrder = new ConcurrentLinkedQueue<>();
    private final Set<Watcher> watchers = new CopyOnWriteArraySet<>();

    @Override
    public void createOffer(CreateOfferRequest request, StreamObserver<Offer> responseObserver) {
        List<BadRequest.FieldViolation> violations = new ArrayList<>();
        if (request.getItemId().isBlank()) {
            violations.add(violation("item_id", "required"));
        }
        if (request.getTitle().isBlank()) {
            violations.add(violation("title", "required"));
        } else if (request.getTitle().length() > MAX_TITLE_LENGTH) {
            violations.add(violation("title", "length " + request.getTitle().length()
                    + " (expected: at most " + MAX_TITLE_LENGTH + ")"));
        }
        if (!request.hasPrice()) {
            violations.add(violation("price", "required"));
        } else {
            if (!CURRENCY_PATTERN.matcher(request.getPrice().getCurrencyCode()).matches()) {
                violations.add(violation("price.currency_code", "'" + request.getPrice().getCurrencyCode()
                        + "' (expected: an ISO 4217 code such as JPY)"));
            }
            if (request.getPrice().getUnits() <= 0) {
                violations.add(violation("price.units", request.getPrice().getUnits() + " (expected: > 0)"));
            }
        }
        if (!violations.isEmpty()) {
            responseObserver.onError(StatusProto.toStatusRuntimeException(Status.newBuilder()
                    .setCode(Code.INVALID_ARGUMENT_VALUE)
                    .setMessage("invalid offer: " + violations.size() + " field(s) rejected")
                    .addDetails(Any.pack(BadRequest.newBuilder().addAllFieldViolations(violations).build()))
                    .build()));
            return;
        }
        Instant now = Instant.now();
        Offer offer = Offer.newBuilder()
                .setId(UUID.randomUUID().toString())
                .setItemId(request.getItemId())
                .setTitle(request.getTitle())
                .setPrice(request.getPrice())
                .setSellerId(seller())
                .setState(OfferState.OFFER_STATE_OPEN)
                .setCreateTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .build();
        store(offer);
        responseObserver.onNext(offer);
        responseObserver.onCompleted();
        for (Watcher watcher : watchers) {
            watcher.offer(offer);
        }
    }

    @Override
    public void getOffer(GetOfferRequest request, StreamObserver<Offer> responseObserver) {
        if (!UUID_PATTERN.matcher(request.getId()).matches()) {
            responseObserver.onError(StatusProto.toStatusRuntimeException(Status.newBuilder()
                    .setCode(Code.INVALID_ARGUMENT_VALUE)
                    .setMessage("id: '" + request.getId() + "' (expected: a lower-case UUID)")
                    .addDetails(Any.pack(BadRequest.newBuilder()
                            .addFieldViolations(violation("id", "expected a lower-case UUID"))
                            .build()))
                    .build()));
            return;
        }
        Offer offer = offers.get(request.getId());
        if (offer == null) {
            responseObserver.onError(io.grpc.Status.NOT_FOUND
                    .withDescription("offer " + request.getId() + " not found")
                    .asRuntimeException());
            return;
        }
        responseObserver.onNext(offer);
        responseObserver.onCompleted();
    }

    @Override
    public void whoAmI(WhoAmIRequest request, StreamObserver<WhoAmIResponse> responseObserver) {
        WhoAmIResponse.Builder response = WhoAmIResponse.newBuilder().setPrincipal(CallerIdentity.current());
        Metadata metadata = CallContextInterceptor.METADATA.get();
        if (metadata != null) {
            response.putAllMetadata(echo(metadata));
        }
        Deadline deadline = Context.current().getDeadline();
        if (deadline != null) {
            response.setDeadlineRemainingMillis(Math.max(1, deadline.timeRemaining(TimeUnit.MILLISECONDS)));
        }
        responseObserver.onNext(response.build());
        responseObserver.onCompleted();
    }

    @Override
    public void watchOffers(WatchOffersRequest request, StreamObserver<Offer> responseObserver) {
        ServerCallStreamObserver<Offer> observer = (ServerCallStreamObserver<Offer>) responseObserver;
        Watcher watcher = new Watcher(request.getSellerId(), observer);
        observer.setOnCancelHandler(() -> watchers.remove(watcher));
        watchers.add(watcher);
    }

    /**
     * Returns how many WatchOffers streams are open, so a test can create an offer only once its
     * stream is listening.
     */
    int watcherCount() {
        return watchers.size();
    }

    /**
     * Ends every open WatchOffers stream with {@code status}, as a backend that fails mid-stream
     * would.
     */
    void abortWatchers(io.grpc.Status status) {
        for (Watcher watcher : watchers) {
            watchers.remove(watcher);
            watcher.abort(status);
        }
    }

    private static String seller() {
        String id = CallerIdentity.current().getId();
        return id.isEmpty() ? "anonymous" : id;
    }

    private void store(Offer offer) {
        offers.put(offer.getId(), offer);
        insertionOrder.add(offer.getId());
        while (offers.size() > MAX_OFFERS) {
            String oldest = insertionOrder.poll();
            if (oldest == null) {
                break;
            }
            offers.remove(oldest);
        }
    }

    private static Map<String, String> echo(Metadata metadata) {
        Map<String, String> echoed = new TreeMap<>();
        for (String key : metadata.keys()) {
            if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                byte[] value = metadata.get(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER));
                echoed.put(key, value == null ? "" : Base64.getEncoder().encodeToString(value));
                continue;
            }
            Iterable<String> values = metadata.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
            if (values == null) {
                continue;
            }
            String joined = String.join(", ", values);
            echoed.put(key, REDACTED_KEYS.contains(key) ? redact(joined) : joined);
        }
        return echoed;
    }

    private static String redact(String value) {
        int space = value.indexOf(' ');
        return (space > 0 ? value.substring(0, space + 1) : "") + "(redacted)";
    }

    private static BadRequest.FieldViolation violation(String field, String description) {
        return BadRequest.FieldViolation.newBuilder().setField(field).setDescription(description).build();
    }

    private record Watcher(String sellerId, ServerCallStreamObserver<Offer> observer) {
        void offer(Offer offer) {
            if (!observer.isCancelled() && (sellerId.isEmpty() || sellerId.equals(offer.getSellerId()))) {
                synchronized (this) {
                    observer.onNext(offer);
                }
            }
        }

        void abort(io.grpc.Status status) {
            if (!observer.isCancelled()) {
                synchronized (this) {
                    observer.onError(status.asRuntimeException());
                }
            }
        }
    }

    /** Tells who is calling: the principal authority/sdk verified, or anonymous when the service runs open. */
    static final class CallerIdentity {
        private static final Principal ANONYMOUS = Principal.newBuilder().setType("anonymous").build();

        private CallerIdentity() {}

        static Principal current() {
            VerifiedPrincipal verified = ToriiContext.PRINCIPAL.get();
            if (verified == null) {
                return ANONYMOUS;
            }
            return Principal.newBuilder()
                    .setType(verified.type() == VerifiedPrincipal.Type.USER ? "user" : "service_account")
                    .setId(verified.id())
                    .addAllScopes(new java.util.TreeSet<>(
                            verified.type() == VerifiedPrincipal.Type.USER ? verified.scopes() : verified.roles()))
                    .build();
        }
    }
}
