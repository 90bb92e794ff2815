package dev.torii.gateway.auth;

import dev.torii.gateway.error.GatewayError;
import io.grpc.Status;
import java.util.Set;

/**
 * Builds the answers of the auth pipeline, with the {@code WWW-Authenticate} challenges of RFC
 * 6750: 401 for a missing or bad credential, 403 for a caller the route does not admit, 503 when
 * the Authority cannot answer (never 401: a user must not be logged out because the Authority
 * blinked), 504 when the request's own deadline ran out first.
 */
final class AuthErrors {

    static final String REALM = "torii";

    private AuthErrors() {}

    static GatewayError missingCredential() {
        return GatewayError.of(Status.Code.UNAUTHENTICATED,
                "this method needs a credential (expected: Authorization: Bearer <access token or service-account JWT>)")
                .header("WWW-Authenticate", "Bearer realm=\"" + REALM + "\"");
    }

    static GatewayError invalidRequest(String message) {
        return GatewayError.of(Status.Code.UNAUTHENTICATED, message)
                .header("WWW-Authenticate", challenge("invalid_request", message));
    }

    static GatewayError invalidToken(String message) {
        return GatewayError.of(Status.Code.UNAUTHENTICATED, "credential rejected: " + message)
                .header("WWW-Authenticate", challenge("invalid_token", message));
    }

    static GatewayError forbidden(String message) {
        return GatewayError.of(Status.Code.PERMISSION_DENIED, message);
    }

    static GatewayError insufficientScope(Set<String> missing, String message) {
        return GatewayError.of(Status.Code.PERMISSION_DENIED, message)
                .header("WWW-Authenticate", challenge("insufficient_scope", message)
                        + ", scope=\"" + String.join(" ", missing) + "\"");
    }

    static GatewayError authorityUnavailable() {
        return GatewayError.of(Status.Code.UNAVAILABLE,
                        "authentication is temporarily unavailable; retry shortly (your credential was not rejected)")
                .retryAfter(1);
    }

    static GatewayError deadlineExceeded() {
        return GatewayError.of(Status.Code.DEADLINE_EXCEEDED,
                "the request's deadline passed while its credential was being checked");
    }

    private static String challenge(String error, String description) {
        // RFC 6750 quoted strings: keep printable ASCII, no quotes or backslashes.
        StringBuilder safe = new StringBuilder();
        for (char c : description.toCharArray()) {
            safe.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : ' ');
        }
        return "Bearer realm=\"" + REALM + "\", error=\"" + error + "\", error_description=\""
                + (safe.length() > 200 ? safe.substring(0, 200) : safe) + "\"";
    }
}
