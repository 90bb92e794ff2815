package dev.torii.gateway.route;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Holds what one route file declares: a backend service, its upstream and its exposed methods.
 *
 * @param file the route file
 * @param serviceName fully-qualified gRPC service name
 * @param upstream where the service runs
 * @param timeout the service-wide default timeout
 * @param methods the exposed methods
 */
public record ServiceRoutes(Path file, String serviceName, UpstreamTarget upstream, Duration timeout,
        List<MethodRoute> methods) {}
