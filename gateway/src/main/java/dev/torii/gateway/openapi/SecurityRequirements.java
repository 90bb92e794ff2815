package dev.torii.gateway.openapi;

import dev.torii.gateway.route.AuthPolicy;
import java.util.TreeSet;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a route's {@link AuthPolicy} into OpenAPI security: a public route requires nothing, one
 * for users a bearer access token (with the scopes it needs), one for service accounts a bearer
 * Google service-account JWT (with the roles it admits), and one for both either of the two. The
 * schemes used are collected for {@code components/securitySchemes}.
 */
final class SecurityRequirements {

    /** The scheme of a user's access token. */
    static final String USER_TOKEN = "userAccessToken";
    /** The scheme of a Google service-account JWT. */
    static final String SERVICE_ACCOUNT_JWT = "serviceAccountJwt";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ObjectNode schemes = NODES.objectNode();

    /**
     * Returns an operation's {@code security}: an empty list for a public route, otherwise one
     * alternative per kind of caller admitted.
     *
     * @param policy the route's policy
     * @return the security requirements
     */
    ArrayNode requirement(AuthPolicy policy) {
        ArrayNode alternatives = NODES.arrayNode();
        policy.users().ifPresent(rule -> {
            ArrayNode scopes = alternatives.addObject().putArray(use(USER_TOKEN));
            new TreeSet<>(rule.scopes()).forEach(scopes::add);
        });
        policy.serviceAccounts().ifPresent(rule -> {
            ArrayNode roles = alternatives.addObject().putArray(use(SERVICE_ACCOUNT_JWT));
            new TreeSet<>(rule.roles()).forEach(roles::add);
        });
        return alternatives;
    }

    /**
     * Returns the schemes the requirements used, for {@code components/securitySchemes}.
     *
     * @return the schemes by name
     */
    ObjectNode schemes() {
        return schemes;
    }

    private String use(String scheme) {
        if (!schemes.has(scheme)) {
            ObjectNode definition = schemes.putObject(scheme).put("type", "http").put("scheme", "bearer");
            if (scheme.equals(USER_TOKEN)) {
                definition.put("description", "A user's access token from the identity provider, in"
                        + " Authorization: Bearer. The gateway exchanges it at the Authority; the scopes listed"
                        + " on an operation are those the user must all hold.");
            } else {
                definition.put("bearerFormat", "JWT").put("description", "A Google service-account JWT (self-signed"
                        + " by the account's key, or a Google ID token), in Authorization: Bearer. The roles listed"
                        + " on an operation are those of which the account must hold one (none listed: any"
                        + " account the Authority accepts, or those the route names by email).");
            }
        }
        return scheme;
    }
}
