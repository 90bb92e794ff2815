package dev.torii.gateway.traffic;

/**
 * Names which rate-limit response headers the gateway sends on a limited route.
 */
public enum RateLimitHeaders {

    /**
     * The current draft-ietf-httpapi-ratelimit-headers form: the {@code RateLimit-Policy} and
     * {@code RateLimit} structured fields, such as {@code RateLimit-Policy: "pkg.Service/Method";q=5;w=60}
     * and {@code RateLimit: "pkg.Service/Method";r=4;t=12}.
     */
    DRAFT,

    /**
     * The draft -06 trio that older clients read: {@code RateLimit-Limit}, {@code RateLimit-Remaining}
     * and {@code RateLimit-Reset}.
     */
    LEGACY,

    /** Both forms, while clients move from the old one to the new. */
    BOTH;

    boolean draft() {
        return this != LEGACY;
    }

    boolean legacy() {
        return this != DRAFT;
    }
}
