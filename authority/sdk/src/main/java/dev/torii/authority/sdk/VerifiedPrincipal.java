package dev.torii.authority.sdk;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Describes the caller behind a private token whose signature, issuer, audience and time claims
 * have all been verified.
 *
 * <p>{@link #toString()} leaves the token out, so a principal can be logged; the token itself is
 * kept only so a backend can forward it (for example to the Authority's
 * {@code ResolveAccessToken}).
 *
 * @param type whether the caller is a user or a service account ({@code principal_type})
 * @param id the user id or the service-account email ({@code sub})
 * @param scopes the user's scopes ({@code scope}, space-separated in the token); empty for service
 *     accounts
 * @param roles the service account's roles ({@code roles}); empty for users
 * @param tokenId the token's unique id ({@code jti}), for audit logs and replay checks
 * @param expiresAt when the token expires ({@code exp}); nothing derived from it may be used after
 * @param token the verified private token, for forwarding; never log it
 */
public record VerifiedPrincipal(
        Type type,
        String id,
        Set<String> scopes,
        Set<String> roles,
        String tokenId,
        Instant expiresAt,
        String token) {

    /** Tells what kind of caller a private token stands for. */
    public enum Type {
        /** A person, authenticated by the identity provider ({@code principal_type} "user"). */
        USER,
        /** A machine, authenticated by a Google service-account credential ("service_account"). */
        SERVICE_ACCOUNT
    }

    /**
     * Creates a principal, copying the sets so the record stays immutable.
     *
     * @param type the caller's kind
     * @param id the user id or service-account email
     * @param scopes the user's scopes
     * @param roles the service account's roles
     * @param tokenId the token's {@code jti}
     * @param expiresAt the token's {@code exp}
     * @param token the verified token
     */
    public VerifiedPrincipal {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
        scopes = Set.copyOf(scopes);
        roles = Set.copyOf(roles);
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(token, "token");
    }

    /**
     * Tells whether the caller holds {@code scope}.
     *
     * @param scope a scope name, such as {@code offers.read}
     * @return true when the token's {@code scope} claim lists it
     */
    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }

    /**
     * Tells whether the caller holds {@code role}.
     *
     * @param role a role name from the Authority's service-account allow-list
     * @return true when the token's {@code roles} claim lists it
     */
    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /**
     * Describes the principal without the token, so it is safe to log.
     *
     * @return every component except the token
     */
    @Override
    public String toString() {
        return "VerifiedPrincipal[type=" + type + ", id=" + id + ", scopes=" + scopes + ", roles=" + roles
                + ", tokenId=" + tokenId + ", expiresAt=" + expiresAt + ", token=<redacted>]";
    }
}
