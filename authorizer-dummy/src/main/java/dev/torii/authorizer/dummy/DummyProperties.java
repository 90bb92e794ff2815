package dev.torii.authorizer.dummy;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configures authorizer-dummy.
 *
 * @param allowOutsideDev lets the dummy start without a local or dev profile (for example in a
 *     shared test cluster); a {@code prod} or {@code production} profile is refused regardless
 * @param fixtures fixed credentials and who they stand for, on top of the typed forms
 */
@ConfigurationProperties("torii.dummy")
public record DummyProperties(@DefaultValue("false") boolean allowOutsideDev, @DefaultValue List<Fixture> fixtures) {

    /**
     * Names one fixed credential and the identity it stands for.
     *
     * @param token the credential a client sends
     * @param user the user id, for a user credential
     * @param serviceAccount the service-account email, for a service-account credential
     * @param scopes the user's scopes
     * @param roles the service account's roles
     */
    public record Fixture(String token, String user, String serviceAccount, @DefaultValue List<String> scopes,
            @DefaultValue List<String> roles) {

        /**
         * Checks that the fixture names exactly one identity.
         */
        public Fixture {
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("torii.dummy.fixtures[].token: missing (expected: the credential)");
            }
            if ((user == null) == (serviceAccount == null)) {
                throw new IllegalArgumentException("torii.dummy.fixtures[] for token '" + token
                        + "': give exactly one of user and service-account");
            }
        }
    }
}
