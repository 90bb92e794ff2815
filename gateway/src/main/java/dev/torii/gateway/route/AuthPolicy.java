package dev.torii.gateway.route;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Says who may call a route: anyone ({@link #PUBLIC}), users (with all of some scopes), service
 * accounts (any, or those with one of some emails or roles), or both kinds.
 *
 * @param isPublic whether the route needs no credential at all
 * @param users the rule for users; empty when users may not call
 * @param serviceAccounts the rule for service accounts; empty when they may not call
 */
public record AuthPolicy(boolean isPublic, Optional<UserRule> users, Optional<ServiceAccountRule> serviceAccounts) {

    /** No credential needed; no identity forwarded. */
    public static final AuthPolicy PUBLIC = new AuthPolicy(true, Optional.empty(), Optional.empty());

    /**
     * Checks that a protected policy admits someone.
     */
    public AuthPolicy {
        if (!isPublic && users.isEmpty() && serviceAccounts.isEmpty()) {
            throw new IllegalArgumentException("a protected route must admit users, service accounts or both");
        }
    }

    /**
     * Admits users holding every one of {@code scopes}.
     *
     * @param scopes the scopes a user must have; empty admits every user
     */
    public record UserRule(Set<String> scopes) {

        /**
         * Copies the scopes.
         */
        public UserRule {
            scopes = Set.copyOf(scopes);
        }

        /**
         * Returns the required scopes the user lacks.
         *
         * @param granted the user's scopes
         * @return the missing scopes, sorted; empty when the user may call
         */
        public Set<String> missing(Collection<String> granted) {
            Set<String> missing = new TreeSet<>(scopes);
            missing.removeAll(granted);
            return missing;
        }
    }

    /**
     * Admits service accounts whose email is listed or that hold a listed role; with both lists
     * empty, every service account the Authority accepts.
     *
     * @param emails account emails admitted
     * @param roles roles admitted
     */
    public record ServiceAccountRule(Set<String> emails, Set<String> roles) {

        /**
         * Copies the lists.
         */
        public ServiceAccountRule {
            emails = Set.copyOf(emails);
            roles = Set.copyOf(roles);
        }

        /**
         * Tells whether an account may call.
         *
         * @param email the account email
         * @param accountRoles its roles
         * @return true when admitted
         */
        public boolean admits(String email, Collection<String> accountRoles) {
            if (emails.isEmpty() && roles.isEmpty()) {
                return true;
            }
            return emails.contains(email) || accountRoles.stream().anyMatch(roles::contains);
        }
    }

    /**
     * Describes the policy for the status page and logs: {@code public}, {@code users},
     * {@code users(scopes: a, b)}, {@code service-accounts(roles: r)}, or both joined by {@code +}.
     *
     * @return a short description
     */
    public String describe() {
        if (isPublic) {
            return "public";
        }
        StringBuilder text = new StringBuilder();
        users.ifPresent(rule -> text.append("users").append(rule.scopes.isEmpty() ? ""
                : "(scopes: " + String.join(", ", new TreeSet<>(rule.scopes)) + ")"));
        serviceAccounts.ifPresent(rule -> {
            text.append(text.length() > 0 ? " + " : "").append("service-accounts");
            if (!rule.emails.isEmpty() || !rule.roles.isEmpty()) {
                text.append("(");
                if (!rule.emails.isEmpty()) {
                    text.append("emails: ").append(String.join(", ", new TreeSet<>(rule.emails)));
                }
                if (!rule.roles.isEmpty()) {
                    text.append(rule.emails.isEmpty() ? "" : "; ").append("roles: ")
                            .append(String.join(", ", new TreeSet<>(rule.roles)));
                }
                text.append(")");
            }
        });
        return text.toString();
    }
}
