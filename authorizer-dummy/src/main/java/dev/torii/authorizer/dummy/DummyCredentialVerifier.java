package dev.torii.authorizer.dummy;

import dev.torii.authority.verify.CredentialNotAllowedException;
import dev.torii.authority.verify.CredentialRejectedException;
import dev.torii.authority.verify.CredentialVerifier;
import dev.torii.authority.verify.VerifiedSubject;
import dev.torii.authority.verify.VerifierUnavailableException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Accepts made-up credentials a developer can type:
 *
 * <ul>
 *   <li>{@code dummy:alice} — user {@code alice}; {@code dummy:alice:offers.read,offers.write}
 *       adds scopes;</li>
 *   <li>{@code dummy-sa:batch@example.iam.gserviceaccount.com} — that service account;
 *       {@code dummy-sa:batch@example.iam.gserviceaccount.com:support.reader} adds roles;</li>
 *   <li>{@code dummy:!denied} and {@code dummy:!unavailable} — answer PERMISSION_DENIED and
 *       UNAVAILABLE, to try a client's error handling;</li>
 *   <li>any fixture token from {@code torii.dummy.fixtures}.</li>
 * </ul>
 *
 * Everything else is rejected, as a real verifier would.
 */
final class DummyCredentialVerifier implements CredentialVerifier {

    static final String USER_PREFIX = "dummy:";
    static final String SERVICE_ACCOUNT_PREFIX = "dummy-sa:";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._@+-]{1,128}");
    private static final Pattern LIST_ITEM = Pattern.compile("[A-Za-z0-9._:/+-]{1,128}");

    private final Map<String, VerifiedSubject> fixtures;

    DummyCredentialVerifier(List<DummyProperties.Fixture> fixtures) {
        this.fixtures = fixtures.stream().collect(Collectors.toUnmodifiableMap(DummyProperties.Fixture::token,
                fixture -> fixture.user() != null
                        ? VerifiedSubject.user(fixture.user(), fixture.scopes(), Optional.empty())
                        : VerifiedSubject.serviceAccount(fixture.serviceAccount(), fixture.roles(), Optional.empty()),
                (a, b) -> a));
    }

    @Override
    public CompletableFuture<VerifiedSubject> verify(String credential) {
        try {
            return CompletableFuture.completedFuture(subject(credential));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private VerifiedSubject subject(String credential) {
        VerifiedSubject fixture = fixtures.get(credential);
        if (fixture != null) {
            return fixture;
        }
        if (credential.equals(USER_PREFIX + "!denied")) {
            throw new CredentialNotAllowedException("dummy:!denied is never allowed (a test of PERMISSION_DENIED)");
        }
        if (credential.equals(USER_PREFIX + "!unavailable")) {
            throw new VerifierUnavailableException("dummy:!unavailable pretends the identity provider is down", null);
        }
        if (credential.startsWith(SERVICE_ACCOUNT_PREFIX)) {
            return parse(credential.substring(SERVICE_ACCOUNT_PREFIX.length()),
                    (id, roles) -> VerifiedSubject.serviceAccount(id, roles, Optional.empty()));
        }
        if (credential.startsWith(USER_PREFIX)) {
            return parse(credential.substring(USER_PREFIX.length()),
                    (id, scopes) -> VerifiedSubject.user(id, scopes, Optional.empty()));
        }
        throw new CredentialRejectedException("not a dummy credential (expected: dummy:<user>[:scope,...],"
                + " dummy-sa:<email>[:role,...] or a configured fixture)");
    }

    private static VerifiedSubject parse(String rest, java.util.function.BiFunction<String, List<String>, VerifiedSubject> make) {
        int colon = rest.indexOf(':');
        String id = colon < 0 ? rest : rest.substring(0, colon);
        List<String> items = colon < 0 ? List.of()
                : Arrays.stream(rest.substring(colon + 1).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (!ID.matcher(id).matches() || !items.stream().allMatch(item -> LIST_ITEM.matcher(item).matches())) {
            throw new CredentialRejectedException("malformed dummy credential (expected: an id of letters, digits"
                    + " and . _ @ + -, then optionally ':' and a comma-separated list)");
        }
        return make.apply(id, items);
    }

    @Override
    public String name() {
        return "dummy";
    }
}
