package dev.torii.gateway.exchange;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The secret that tells the gateway's own warm-up calls from clients' requests: a random value
 * made once per process, which every warm-up call carries in {@value #HEADER}. Only a request
 * carrying it is matched against the warm-up routes. The header belongs to the edge (it starts
 * with {@code x-torii-}): the strip step removes it from every other request, and leaves it on
 * warm-up calls only, so that they reach the later steps as the same request object clients'
 * requests do. It never reaches an upstream, which is sent allow-listed headers only. Once the
 * warm-up is over the key is retired and matches nothing, even if the value leaked.
 */
public final class WarmUpKey {

    /** The header warm-up calls carry the secret in. */
    public static final String HEADER = "x-torii-warm-up";

    // 128 bits: as hard to guess as a random UUID, written in hex so any HTTP client sends it as is.
    private static final int SECRET_BYTES = 16;

    // 64 bits: the first half of every warm-up trace id.
    private static final int TRACE_PREFIX_BYTES = 8;

    private final byte[] secret;
    private final String tracePrefix;
    private volatile boolean accepted;

    private WarmUpKey(byte[] secret, String tracePrefix, boolean accepted) {
        this.secret = secret;
        this.tracePrefix = tracePrefix;
        this.accepted = accepted;
    }

    /**
     * Makes a new random key, accepted until {@link #retire()}.
     *
     * @return the key
     */
    public static WarmUpKey random() {
        SecureRandom random = new SecureRandom();
        byte[] bytes = new byte[SECRET_BYTES];
        random.nextBytes(bytes);
        byte[] prefix = new byte[TRACE_PREFIX_BYTES];
        random.nextBytes(prefix);
        return new WarmUpKey(HexFormat.of().formatHex(bytes).getBytes(StandardCharsets.US_ASCII),
                HexFormat.of().formatHex(prefix), true);
    }

    /**
     * Returns a key that matches no request, for a gateway that does not warm up.
     *
     * @return the key
     */
    public static WarmUpKey none() {
        return new WarmUpKey(new byte[0], null, false);
    }

    /**
     * Returns the value warm-up calls send in {@value #HEADER}.
     *
     * @return the secret, in hex
     */
    public String secret() {
        return new String(secret, StandardCharsets.US_ASCII);
    }

    /**
     * Returns the first half of the trace ids warm-up calls send (16 hex digits, random per
     * process), so their spans can be told from clients' and never exported.
     *
     * @return the prefix
     * @throws IllegalStateException for a key that matches nothing
     */
    public String tracePrefix() {
        if (tracePrefix == null) {
            throw new IllegalStateException("no warm-up: no warm-up traces");
        }
        return tracePrefix;
    }

    /**
     * Tells whether a trace is one of the warm-up's, even after the key is retired (a span of a
     * warm-up call may end after that). A client's trace id has one chance in 2^64 to match.
     *
     * @param traceId a W3C trace id, 32 hex digits
     * @return true for a warm-up trace
     */
    public boolean isWarmUpTrace(String traceId) {
        return tracePrefix != null && traceId != null && traceId.startsWith(tracePrefix);
    }

    /**
     * Tells whether a request carries the key while it is accepted; compares in constant time.
     *
     * @param request the request as received
     * @return true for a warm-up call
     */
    public boolean carriedBy(ServerHttpRequest request) {
        if (!accepted) {
            return false;
        }
        String offered = request.getHeaders().getFirst(HEADER);
        return offered != null && MessageDigest.isEqual(secret, offered.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Stops accepting the key, for good: from now on no request is a warm-up call.
     */
    public void retire() {
        accepted = false;
    }
}
