package dev.torii.authority.verify;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Describes who a credential belongs to, once a verifier has accepted it.
 *
 * @param type user or service account
 * @param id the user id, or the service-account email
 * @param scopes the user's scopes (empty for service accounts)
 * @param roles the service account's roles from the allow-list (empty for users)
 * @param expiresAt when the credential itself expires, when known; private tokens and cache
 *     entries never outlive it
 */
public record VerifiedSubject(SubjectType type, String id, List<String> scopes, List<String> roles,
        Optional<Instant> expiresAt) {

    /**
     * Checks the parts every verifier must fill.
     */
    public VerifiedSubject {
        Objects.requireNonNull(type, "type");
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("id: '" + id + "' (expected: a non-blank subject id)");
        }
        scopes = List.copyOf(scopes);
        roles = List.copyOf(roles);
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /**
     * Describes a user.
     *
     * @param id the user id
     * @param scopes the user's scopes
     * @param expiresAt when the access token expires, if known
     * @return the subject
     */
    public static VerifiedSubject user(String id, List<String> scopes, Optional<Instant> expiresAt) {
        return new VerifiedSubject(SubjectType.USER, id, scopes, List.of(), expiresAt);
    }

    /**
     * Describes a service account.
     *
     * @param email the account's email
     * @param roles its roles from the allow-list
     * @param expiresAt when its credential expires, if known
     * @return the subject
     */
    public static VerifiedSubject serviceAccount(String email, List<String> roles, Optional<Instant> expiresAt) {
        return new VerifiedSubject(SubjectType.SERVICE_ACCOUNT, email, List.of(), roles, expiresAt);
    }
}
