package dev.torii.gateway.upstream;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import dev.torii.gateway.error.GatewayError;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.UpstreamTarget;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Explains an upstream the gateway could not reach. In production the client learns only which
 * service is unavailable (internal addresses stay in the log). With developer errors on (local
 * development), the answer names the route, the service, the address tried, whether anything
 * listens there, and the route file that defines it, and a browser gets a small HTML page, so a
 * developer sees at once which service is not running.
 */
public final class UnreachableUpstreams {

    /** The {@code google.rpc.ErrorInfo} reason of these errors. */
    public static final String REASON = "UPSTREAM_UNAVAILABLE";
    private static final String DOMAIN = "torii.dev";
    private static final int PROBE_TIMEOUT_MILLIS = 300;

    private final boolean developerErrors;

    /**
     * Creates the explainer.
     *
     * @param developerErrors whether answers may name internal addresses and files
     */
    public UnreachableUpstreams(boolean developerErrors) {
        this.developerErrors = developerErrors;
    }

    /**
     * Builds the answer for an unreachable upstream.
     *
     * @param exchange the exchange
     * @param route the route whose upstream failed
     * @param target the target tried
     * @return the error, after a quick check of the address in developer mode
     */
    public Mono<GatewayError> explain(ServerWebExchange exchange, MethodRoute route, UpstreamTarget target) {
        if (!developerErrors) {
            return Mono.just(GatewayError.of(com.google.rpc.Status.newBuilder()
                    .setCode(Code.UNAVAILABLE_VALUE)
                    .setMessage("upstream " + route.serviceName() + " is unavailable; try again later")
                    .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(REASON).setDomain(DOMAIN)
                            .putMetadata("service", route.serviceName()).build()))
                    .build()).header("Retry-After", "1"));
        }
        // The probe connects a socket: off the event loop.
        return Mono.fromCallable(() -> listening(target)).subscribeOn(Schedulers.boundedElastic())
                .map(listening -> detailed(route, target, listening));
    }

    private static GatewayError detailed(MethodRoute route, UpstreamTarget target, String listening) {
        String message = "upstream " + route.serviceName() + " is unreachable at " + target.target() + " ("
                + listening + "); route " + route.path() + " is defined in " + route.source()
                + ". Start the service, or point upstream.target in that file at where it runs.";
        ErrorInfo info = ErrorInfo.newBuilder().setReason(REASON).setDomain(DOMAIN)
                .putMetadata("service", route.serviceName())
                .putMetadata("route", route.path())
                .putMetadata("target", target.target())
                .putMetadata("listening", listening)
                .putMetadata("routeFile", route.source().toString())
                .build();
        String html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Upstream unreachable</title>"
                + "<style>body{font:15px/1.5 system-ui,sans-serif;margin:2em auto;max-width:46em;padding:0 1em}"
                + "code{background:#f3f3f3;padding:0 .3em}dt{font-weight:bold}</style></head><body>"
                + "<h1>Upstream unreachable</h1><p>The gateway could not reach the service behind this route.</p><dl>"
                + "<dt>Route</dt><dd><code>" + escape(route.path()) + "</code></dd>"
                + "<dt>Service</dt><dd><code>" + escape(route.serviceName()) + "</code></dd>"
                + "<dt>Address tried</dt><dd><code>" + escape(target.target()) + "</code> (" + escape(listening) + ")</dd>"
                + "<dt>Defined in</dt><dd><code>" + escape(route.source().toString()) + "</code></dd></dl>"
                + "<p>Start the service, or point <code>upstream.target</code> in that file at where it runs.</p>"
                + "</body></html>";
        return GatewayError.of(com.google.rpc.Status.newBuilder()
                .setCode(Code.UNAVAILABLE_VALUE)
                .setMessage(message)
                .addDetails(Any.pack(info))
                .build()).html(html);
    }

    // Tells a developer whether the service is not running at all, or runs but fails.
    static String listening(UpstreamTarget target) {
        String authority = target.target();
        if (authority.contains("://")) {
            authority = URI.create(authority).getPath().replaceFirst("^/", "");
        }
        int colon = authority.lastIndexOf(':');
        if (colon <= 0) {
            return "address not understood";
        }
        String host = authority.substring(0, colon).replace("[", "").replace("]", "");
        int port;
        try {
            port = Integer.parseInt(authority.substring(colon + 1));
        } catch (NumberFormatException e) {
            return "address not understood";
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), PROBE_TIMEOUT_MILLIS);
            return "something listens there but did not answer as a gRPC server";
        } catch (IOException e) {
            return "nothing listens there";
        }
    }

    private static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '&' -> escaped.append("&amp;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
