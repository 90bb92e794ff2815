package dev.torii.gateway.config;

import dev.torii.gateway.exchange.WarmUpKey;
import dev.torii.gateway.reload.RouteSetActivator;
import dev.torii.gateway.route.RouteRegistry;
import dev.torii.gateway.warmup.WarmUp;
import dev.torii.gateway.warmup.WarmUpHealthIndicator;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Wires the warm-up ({@code torii.gateway.warmup.*}): the {@code warmup} indicator of the
 * readiness group, and the warm-up itself,
 * started once the application is ready, which is when the public server listens and every
 * route, channel and guard is in place.
 */
@Configuration(proxyBeanMethods = false)
public class WarmUpConfiguration {

    /**
     * Holds the readiness probe at OUT_OF_SERVICE until the warm-up ends; named {@code warmup}
     * in the health endpoint and its readiness group.
     */
    @Bean
    WarmUpHealthIndicator warmupHealthIndicator(GatewayProperties properties) {
        GatewayProperties.Warmup settings = properties.warmup();
        return settings.enabled() ? WarmUpHealthIndicator.pending(settings.calls(), settings.maxDuration())
                : WarmUpHealthIndicator.disabled();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(prefix = "torii.gateway.warmup", name = "enabled", havingValue = "true",
            matchIfMissing = true)
    WarmUp warmUp(RouteRegistry routes, RouteSetActivator activator, WarmUpKey key, Environment environment,
            ReactorResourceFactory resources, WarmUpHealthIndicator health, GatewayProperties properties) {
        GatewayProperties.Warmup settings = properties.warmup();
        return new WarmUp(routes, activator, key, environment, resources::getLoopResources, health,
                settings.calls(), settings.maxDuration(), settings.concurrency());
    }

    @Bean
    @ConditionalOnProperty(prefix = "torii.gateway.warmup", name = "enabled", havingValue = "true",
            matchIfMissing = true)
    ApplicationListener<ApplicationReadyEvent> warmUpStarter(WarmUp warmUp, Environment environment) {
        return event -> {
            if (!(event.getApplicationContext() instanceof WebServerApplicationContext web)
                    || web.getWebServer() == null) {
                warmUp.skip("no public web server in this application context");
                return;
            }
            if (environment.getProperty("server.ssl.enabled", Boolean.class, false)) {
                warmUp.skip("the public port serves TLS (server.ssl.enabled), which the warm-up calls do not speak");
                return;
            }
            String host;
            try {
                host = callableAddress(environment.getProperty("server.address"));
            } catch (UnknownHostException e) {
                warmUp.skip("server.address '" + environment.getProperty("server.address") + "' does not resolve");
                return;
            }
            warmUp.start(host, web.getWebServer().getPort());
        };
    }

    // The loopback address, unless the public server listens on one address only.
    private static String callableAddress(String serverAddress) throws UnknownHostException {
        if (serverAddress == null || serverAddress.isBlank()) {
            return InetAddress.getLoopbackAddress().getHostAddress();
        }
        InetAddress address = InetAddress.getByName(serverAddress);
        return address.isAnyLocalAddress() ? InetAddress.getLoopbackAddress().getHostAddress()
                : address.getHostAddress();
    }
}
