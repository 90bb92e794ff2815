package dev.torii.gateway.httprule;

import java.util.Objects;

/**
 * One REST binding of an RPC method, from a {@code google.api.http} rule or one of its
 * {@code additional_bindings}: the HTTP method and path template that reach it and where the
 * request and response bodies go.
 *
 * @param verb the HTTP method: {@code GET}, {@code PUT}, {@code POST}, {@code DELETE},
 *     {@code PATCH}, or a custom rule's kind exactly as written
 * @param template the path template
 * @param body {@code ""} for no request body, {@code "*"} for the whole request message, else the
 *     field path of the request field the body fills
 * @param responseBody {@code ""} for the whole response message, else the field path of the
 *     response field sent as the body
 */
public record HttpBinding(String verb, PathTemplate template, String body, String responseBody) {

    /** Checks that no component is null. */
    public HttpBinding {
        Objects.requireNonNull(verb, "verb");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(responseBody, "responseBody");
    }

    /**
     * Returns the method and canonical template, as error messages name a binding.
     *
     * @return for example {@code GET /v1/offers/{id}}
     */
    @Override
    public String toString() {
        return verb + " " + template.text();
    }
}
