package dev.torii.gateway.httprule;

/**
 * One response message as the REST client receives it.
 *
 * @param bytes the HTTP body: JSON, or an HttpBody's raw data
 * @param contentType the Content-Type to send with it
 */
public record Rendered(byte[] bytes, String contentType) {}
