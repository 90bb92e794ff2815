package dev.torii.authority.mint;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the key that signs private tokens and the keys that signed recently: after a rotation
 * the retired key stays published for an overlap window, so tokens it signed keep verifying
 * until they expire, then it disappears from the JWKS.
 */
public final class KeyRing {

    private static final Logger log = LoggerFactory.getLogger(KeyRing.class);

    private record Retired(JWK key, Instant until) {}

    private record State(JWK signing, List<Retired> retired, List<JWK> extraPublished) {}

    private final Duration overlap;
    private final Clock clock;
    private volatile State state;

    /**
     * Creates a ring with its first signing key.
     *
     * @param signing a private JWK with a key id
     * @param overlap how long a retired key stays published
     * @param clock the time source
     */
    public KeyRing(JWK signing, Duration overlap, Clock clock) {
        requirePrivateWithId(signing);
        this.overlap = overlap;
        this.clock = clock;
        this.state = new State(signing, List.of(), List.of());
    }

    /**
     * Returns the key that signs new tokens.
     *
     * @return a private JWK with a key id
     */
    public JWK signingKey() {
        return state.signing;
    }

    /**
     * Makes {@code next} the signing key; the current one retires and stays published for the
     * overlap window. Rotating to the key already in use does nothing.
     *
     * @param next a private JWK with a key id
     */
    public synchronized void rotate(JWK next) {
        requirePrivateWithId(next);
        State current = state;
        if (current.signing.getKeyID().equals(next.getKeyID())) {
            return;
        }
        Instant now = clock.instant();
        List<Retired> retired = new ArrayList<>(live(current.retired, now));
        retired.removeIf(r -> r.key.getKeyID().equals(next.getKeyID()));
        retired.add(new Retired(current.signing, now.plus(overlap)));
        state = new State(next, List.copyOf(retired), current.extraPublished);
        log.info("signing key rotated: {} signs from now on; {} stays published until {}",
                next.getKeyID(), current.signing.getKeyID(), now.plus(overlap));
    }

    /**
     * Publishes keys that do not sign but must verify, such as the next key announced before a
     * planned rotation.
     *
     * @param keys public or private JWKs with key ids; only their public parts are published
     */
    public synchronized void publishAlso(List<JWK> keys) {
        keys.forEach(KeyRing::requireId);
        State current = state;
        state = new State(current.signing, current.retired, List.copyOf(keys));
    }

    /**
     * Returns the public keys that verify tokens now: the signing key, retired keys inside their
     * overlap window, and extra published keys.
     *
     * @return the JWK set, public parts only
     */
    public JWKSet publicJwks() {
        State current = state;
        List<JWK> keys = new ArrayList<>();
        keys.add(current.signing.toPublicJWK());
        live(current.retired, clock.instant()).forEach(r -> keys.add(r.key.toPublicJWK()));
        for (JWK extra : current.extraPublished) {
            if (keys.stream().noneMatch(k -> k.getKeyID().equals(extra.getKeyID()))) {
                keys.add(extra.toPublicJWK());
            }
        }
        return new JWKSet(keys);
    }

    /**
     * Finds a key that may verify a token now.
     *
     * @param kid the token's key id
     * @return the public key, when it is published
     */
    public Optional<JWK> verificationKey(String kid) {
        if (kid == null) {
            return Optional.empty();
        }
        return publicJwks().getKeys().stream().filter(k -> kid.equals(k.getKeyID())).findFirst();
    }

    private static List<Retired> live(List<Retired> retired, Instant now) {
        return retired.stream().filter(r -> r.until.isAfter(now)).toList();
    }

    private static void requirePrivateWithId(JWK key) {
        requireId(key);
        if (!key.isPrivate()) {
            throw new IllegalArgumentException("signing key " + key.getKeyID() + " has no private part"
                    + " (expected: a private RSA or EC key)");
        }
    }

    private static void requireId(JWK key) {
        if (key.getKeyID() == null || key.getKeyID().isBlank()) {
            throw new IllegalArgumentException("key without a kid (expected: every published key has a key id)");
        }
    }
}
