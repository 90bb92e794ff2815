package dev.torii.authority.verify;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configures RFC 7662 token introspection against the company's identity provider.
 *
 * @param endpoint the introspection endpoint, such as {@code https://idp.example.com/oauth2/introspect}
 * @param clientId the Authority's client id at the identity provider (HTTP Basic authentication)
 * @param clientSecret the Authority's client secret; from a Kubernetes Secret or the environment,
 *     never from a committed file
 * @param timeout how long one introspection call may take before the credential counts as
 *     unverifiable now (UNAVAILABLE)
 * @param userIdClaim the introspection response member holding the user id
 */
public record IntrospectionSettings(
        Optional<URI> endpoint,
        Optional<String> clientId,
        Optional<String> clientSecret,
        @DefaultValue("2s") Duration timeout,
        @DefaultValue("sub") String userIdClaim) {

    /**
     * Treats absent values as empty (Spring binds an absent Optional as null).
     */
    public IntrospectionSettings {
        endpoint = endpoint == null ? Optional.empty() : endpoint;
        clientId = clientId == null ? Optional.empty() : clientId;
        clientSecret = clientSecret == null ? Optional.empty() : clientSecret;
    }
}
