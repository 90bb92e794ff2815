package dev.torii.gateway.route;

import dev.torii.gateway.httprule.HttpBinding;
import dev.torii.gateway.httprule.JsonPrintOptions;
import com.google.protobuf.Descriptors;
import io.grpc.MethodDescriptor;
import java.time.Duration;

/**
 * Tells the gateway how to serve one exposed gRPC method: the HTTP path, the method's protobuf
 * description (for JSON), the byte-level gRPC method (for the call), the upstream and the timeout.
 *
 * @param path the HTTP path, {@code /package.Service/Method}
 * @param protoMethod the method's descriptor
 * @param grpcMethod the unary or server-streaming method with byte-array marshallers, created once per route
 * @param upstream where the method's service runs (with local/remote upstreams: the remote one)
 * @param localUpstream the target to prefer while it answers health checks, for local development
 * @param timeout the longest the gateway waits for the upstream
 * @param auth who may call
 * @param audience the audience of the private tokens the upstream receives
 * @param traffic rate limit, retries and the upstream's circuit breaker and concurrency limit
 * @param cors which pages on other origins may call, as the route file says; empty when the file
 *     says nothing, so the gateway-wide default applies
 * @param source where the route file declares the method
 * @param httpBindings the method's REST bindings: its route file's {@code http} rule, or else its
 *     proto's {@code google.api.http} option; empty for none
 * @param jsonPrint how REST answers print JSON
 */
public record MethodRoute(
        String path,
        Descriptors.MethodDescriptor protoMethod,
        MethodDescriptor<byte[], byte[]> grpcMethod,
        UpstreamTarget upstream,
        java.util.Optional<UpstreamTarget> localUpstream,
        Duration timeout,
        AuthPolicy auth,
        String audience,
        TrafficPolicy traffic,
        java.util.Optional<CorsPolicy> cors,
        RouteSource source,
        java.util.List<HttpBinding> httpBindings,
        JsonPrintOptions jsonPrint) {

    /**
     * Checks and copies the components.
     */
    public MethodRoute {
        httpBindings = java.util.List.copyOf(httpBindings);
    }

    /**
     * Returns the fully-qualified name of the method's service.
     *
     * @return for example {@code examples.offer.v1.OfferService}
     */
    public String serviceName() {
        return protoMethod.getService().getFullName();
    }

    /**
     * Tells whether the method answers with a stream of messages.
     *
     * @return true for a server-streaming method
     */
    public boolean serverStreaming() {
        return protoMethod.isServerStreaming();
    }

    /**
     * Tells whether the method declares itself free of side effects
     * ({@code option idempotency_level = NO_SIDE_EFFECTS}), so that protocols may call it with GET.
     *
     * @return true when it has no side effects
     */
    public boolean sideEffectFree() {
        return protoMethod.getOptions().getIdempotencyLevel()
                == com.google.protobuf.DescriptorProtos.MethodOptions.IdempotencyLevel.NO_SIDE_EFFECTS;
    }

    /**
     * Returns the method's simple name.
     *
     * @return for example {@code GetOffer}
     */
    public String methodName() {
        return protoMethod.getName();
    }
}
