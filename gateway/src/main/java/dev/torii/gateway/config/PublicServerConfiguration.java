package dev.torii.gateway.config;

import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import reactor.netty.http.server.HttpRequestDecoderSpec;

/**
 * Tunes the Netty HTTP server beyond what Spring Boot's properties reach.
 */
@Configuration(proxyBeanMethods = false)
public class PublicServerConfiguration {

    /**
     * Lets an HTTP/1.1 request that asks to upgrade to h2c carry a body up to the request size
     * limit. Reactor Netty refuses any body on an upgrade request by default, with a bare 413
     * outside the error envelope; a POST with {@code Upgrade: h2c} is legal and some clients send it.
     */
    @Bean
    WebServerFactoryCustomizer<NettyReactiveWebServerFactory> h2cUpgradeBodyCustomizer(GatewayProperties properties) {
        int limit = (int) properties.maxRequestSize().toBytes();
        return new OrderedCustomizer(factory -> factory.addServerCustomizers(server -> {
            // httpRequestDecoder starts from a fresh spec, so carry over what earlier customizers set.
            HttpRequestDecoderSpec current = server.configuration().decoder();
            return server.httpRequestDecoder(spec -> spec
                    .maxInitialLineLength(current.maxInitialLineLength())
                    .maxHeaderSize(current.maxHeaderSize())
                    .validateHeaders(current.validateHeaders())
                    .initialBufferSize(current.initialBufferSize())
                    .allowDuplicateContentLengths(current.allowDuplicateContentLengths())
                    .allowPartialChunks(current.allowPartialChunks())
                    .h2cMaxContentLength(Math.max(current.h2cMaxContentLength(), limit)));
        }));
    }

    // Runs after Spring Boot's own Netty customizer, so the decoder settings it applies are kept.
    private record OrderedCustomizer(WebServerFactoryCustomizer<NettyReactiveWebServerFactory> delegate)
            implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory>, Ordered {

        @Override
        public void customize(NettyReactiveWebServerFactory factory) {
            delegate.customize(factory);
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
