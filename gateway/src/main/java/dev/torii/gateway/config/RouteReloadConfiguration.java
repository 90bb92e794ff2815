package dev.torii.gateway.config;

import dev.torii.gateway.upstream.LocalUpstreamSelector;
import dev.torii.gateway.upstream.UpstreamChannels;
import dev.torii.gateway.upstream.UpstreamHealthChecker;
import dev.torii.gateway.reload.ReloadStatus;
import dev.torii.gateway.routefile.RouteFileLoader;
import dev.torii.gateway.reload.RouteFolderWatcher;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.reload.RouteReloader;
import dev.torii.gateway.reload.RouteSetActivator;
import dev.torii.gateway.traffic.UpstreamGuards;
import dev.torii.gateway.admin.ApiDocsEndpoint;
import dev.torii.gateway.admin.OpenApiEndpoint;
import dev.torii.gateway.admin.RouteStatusEndpoint;
import dev.torii.gateway.openapi.OpenApiDocuments;
import dev.torii.gateway.openapi.OpenApiGenerator;
import dev.torii.gateway.admin.RoutesHealthIndicator;
import java.time.Clock;
import java.util.Optional;
import org.springframework.boot.actuate.autoconfigure.web.server.ConditionalOnManagementPort;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;

/**
 * Wires what keeps the routes current and shows them: the reload of the routes folder, the
 * upstream health checks, the routes health indicator of the readiness probe, and the status
 * page and API documents on the management port.
 */
@Configuration(proxyBeanMethods = false)
public class RouteReloadConfiguration {

    @Bean
    ReloadStatus reloadStatus() {
        return new ReloadStatus();
    }

    /**
     * Puts route sets in force: the first one here, while the gateway starts (a set it refuses
     * stops start-up, naming every problem), later ones when the folder changes.
     */
    @Bean
    RouteSetActivator routeSetActivator(RouteFileLoader loader, UpstreamChannels channels, UpstreamGuards guards,
            ReloadStatus reloadStatus, GatewayProperties properties) {
        RouteSetActivator activator = new RouteSetActivator(loader, properties.routesDir(),
                RouteSetActivator.authorityCheck(properties.authority().target()), channels, guards, reloadStatus,
                Clock.systemUTC());
        activator.start();
        return activator;
    }

    @Bean
    RouteRegistry routeRegistry(RouteSetActivator activator) {
        return activator.registry();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "torii.gateway.reload.enabled", havingValue = "true", matchIfMissing = true)
    RouteFolderWatcher routeFolderWatcher(RouteSetActivator activator, ReloadStatus reloadStatus,
            GatewayProperties properties, TaskScheduler scheduler) {
        RouteReloader reloader = new RouteReloader(properties.routesDir(), activator, reloadStatus);
        RouteFolderWatcher watcher = new RouteFolderWatcher(properties.routesDir(), reloader,
                properties.reload().pollInterval(), scheduler);
        watcher.start();
        return watcher;
    }

    /**
     * Checks the upstreams' health for the status page, the upstream meters and the choice between
     * the local and the remote target of local/remote upstreams.
     */
    @Bean(destroyMethod = "close")
    UpstreamHealthChecker upstreamHealthChecker(UpstreamChannels channels, RouteRegistry routes,
            GatewayProperties properties, TaskScheduler scheduler) {
        return new UpstreamHealthChecker(channels, routes, properties.status().healthInterval(),
                properties.status().healthTimeout(), properties.localUpstreamCheckInterval(), scheduler,
                Clock.systemUTC());
    }

    /**
     * Tells the readiness probe whether routes are loaded and their channels open; named
     * {@code routes} in the health endpoint and its readiness group.
     */
    @Bean
    RoutesHealthIndicator routesHealthIndicator(RouteRegistry routes, UpstreamChannels channels,
            ReloadStatus reloadStatus) {
        return new RoutesHealthIndicator(routes, channels, reloadStatus);
    }

    /**
     * Serves the status page only when the management server has a port of its own: it shows
     * the whole route table and upstream addresses, which the public port must never reveal.
     */
    @Bean
    @ConditionalOnManagementPort(ManagementPortType.DIFFERENT)
    RouteStatusEndpoint routeStatusEndpoint(RouteRegistry routes, UpstreamChannels channels,
            UpstreamHealthChecker health, UpstreamGuards guards, LocalUpstreamSelector selector,
            ReloadStatus reloadStatus, GatewayProperties properties) {
        return new RouteStatusEndpoint(routes, channels, health, guards, selector, reloadStatus,
                properties.reload().enabled() ? Optional.of(properties.reload().pollInterval()) : Optional.empty(),
                Clock.systemUTC());
    }

    /**
     * Keeps the OpenAPI documents of the routes in force, written anew for each table a reload
     * puts in force. The REST bindings of google.api.http are not in the route model yet, so the
     * documents hold the RPC paths.
     */
    @Bean
    @ConditionalOnManagementPort(ManagementPortType.DIFFERENT)
    OpenApiDocuments openApiDocuments(RouteRegistry routes) {
        return new OpenApiDocuments(routes, OpenApiGenerator.withHttpRules(OpenApiGenerator.gatewayVersion()));
    }

    /**
     * Serves the OpenAPI documents, like the status page only on a management port of its own:
     * they list every route.
     */
    @Bean
    @ConditionalOnManagementPort(ManagementPortType.DIFFERENT)
    OpenApiEndpoint openApiEndpoint(OpenApiDocuments documents) {
        return new OpenApiEndpoint(documents);
    }

    /**
     * Serves the page that renders the OpenAPI documents with Swagger UI from its jar.
     */
    @Bean
    @ConditionalOnManagementPort(ManagementPortType.DIFFERENT)
    ApiDocsEndpoint apiDocsEndpoint(OpenApiDocuments documents) {
        return new ApiDocsEndpoint(documents);
    }
}
