package dev.torii.gateway.route;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Names one upstream: where its gRPC server listens and how to secure the connection. Two route
 * files naming the same target and TLS settings share one channel.
 *
 * @param target {@code host:port}, or a gRPC target URI such as {@code dns:///offers.internal:443}
 * @param tls TLS settings; {@link Tls#PLAINTEXT} for a plaintext (h2c) connection
 */
public record UpstreamTarget(String target, Tls tls) {

    /**
     * Describes how the gateway secures its connection to an upstream.
     *
     * @param enabled whether to use TLS at all
     * @param caFile PEM bundle of trusted CAs; the JDK's trust store when absent
     * @param serverName name to verify in the server certificate, and to send as the authority;
     *     the target's host when absent
     * @param certificateFile PEM client certificate chain, for mutual TLS
     * @param privateKeyFile PEM private key of the client certificate, for mutual TLS
     */
    public record Tls(boolean enabled, Optional<Path> caFile, Optional<String> serverName,
            Optional<Path> certificateFile, Optional<Path> privateKeyFile) {

        /** No TLS. */
        public static final Tls PLAINTEXT = new Tls(false, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());

        /** TLS with the JDK's trust store and the target's host name. */
        public static final Tls DEFAULT_TLS = new Tls(true, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    @Override
    public String toString() {
        return target + (tls.enabled() ? " (tls)" : " (plaintext)");
    }
}
