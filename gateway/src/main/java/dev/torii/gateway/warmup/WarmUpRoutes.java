package dev.torii.gateway.warmup;

import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.routefile.RouteFileLoader;
import io.grpc.health.v1.HealthProto;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.springframework.core.env.PropertyResolver;

/**
 * The warm-up's route table: one route file for the built-in backend's health service, written
 * here and compiled by the same {@link RouteFileLoader} every route file goes through (schema,
 * descriptors, REST bindings, policies), so the routes the warm-up calls are built exactly as
 * clients' routes are. Its descriptors are grpc's own {@code health.proto}, known to this loader
 * only: no route file of the platform team can name the service through it.
 *
 * <p>Both methods get an {@code http} rule, so the warm-up also calls them as REST: a GET with a
 * path variable, and a GET answered as a stream.
 */
final class WarmUpRoutes {

    /** Where problems with the warm-up's route file, and its routes on any page, point to. */
    static final Path FILE = Path.of("(warm-up)");
    /** The REST path of {@code Check}, without the service variable's value. */
    static final String REST_CHECK = "/torii-warm-up/health/";
    /** The verb that ends {@code Watch}'s REST path. */
    static final String REST_WATCH_VERB = ":watch";

    private WarmUpRoutes() {}

    /**
     * Compiles the warm-up's route table for a backend.
     *
     * @param target the built-in backend's {@code host:port}
     * @param placeholders resolves placeholders, as for every route file (this one has none)
     * @return the table, with the health service's {@code Check} and {@code Watch}
     * @throws dev.torii.gateway.routefile.RouteFileException if the loader refuses the file, which
     *     would be a defect here
     */
    static RouteTable load(String target, PropertyResolver placeholders) {
        RouteFileLoader loader = new RouteFileLoader(DescriptorRegistry.of(List.of(HealthProto.getDescriptor())),
                placeholders, Clock.systemUTC());
        return loader.load(FILE, text(target));
    }

    // The defaults of every other setting (circuit breaker, concurrency limit, no retries, no rate
    // limit) are those of the platform team's route files, so those code paths run as theirs do.
    static String text(String target) {
        return """
                service: grpc.health.v1.Health
                upstream:
                  target: "%s"
                  tls: false
                timeout: 10s
                auth: public
                methods:
                  - name: Check
                    http: {get: "%s{service}"}
                  - name: Watch
                    http: {get: "%s{service}%s"}
                """.formatted(target, REST_CHECK, REST_CHECK, REST_WATCH_VERB);
    }
}
