package dev.torii.authority.verify;

import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Set;

/**
 * Checks JWT claims like Nimbus's {@link DefaultJWTClaimsVerifier} (audience, required and exact
 * claims, {@code exp} and {@code nbf} with clock skew), but against an injected {@link Clock}, and
 * additionally refuses an {@code iat} in the future and applies one verifier-specific rule.
 */
final class ClockedClaimsVerifier<C extends SecurityContext> extends DefaultJWTClaimsVerifier<C> {

    /** Checks what the Nimbus verifier cannot express, such as {@code iss == sub}. */
    @FunctionalInterface
    interface ClaimsRule {

        /**
         * Checks the claims.
         *
         * @param claims the claims, verified or not yet
         * @throws BadJWTException when they break the rule, with a message naming the claim
         */
        void check(JWTClaimsSet claims) throws BadJWTException;
    }

    private final Clock clock;
    private final Duration clockSkew;
    private final ClaimsRule rule;

    /**
     * Creates the verifier.
     *
     * @param acceptedAudiences accepted {@code aud} values, or null to accept any
     * @param exactMatchClaims claims that must have exactly these values, such as {@code iss}
     * @param requiredClaims claims that must be present
     * @param clock the time source
     * @param clockSkew tolerance on {@code exp}, {@code nbf} and {@code iat}
     * @param rule the verifier-specific check
     */
    ClockedClaimsVerifier(Set<String> acceptedAudiences, JWTClaimsSet exactMatchClaims, Set<String> requiredClaims,
            Clock clock, Duration clockSkew, ClaimsRule rule) {
        super(acceptedAudiences, exactMatchClaims, requiredClaims, null);
        this.clock = clock;
        this.clockSkew = clockSkew;
        this.rule = rule;
        setMaxClockSkew((int) Math.min(clockSkew.toSeconds(), Integer.MAX_VALUE));
    }

    @Override
    protected Date currentTime() {
        return Date.from(clock.instant());
    }

    @Override
    public void verify(JWTClaimsSet claims, C context) throws BadJWTException {
        super.verify(claims, context);
        Date issuedAt = claims.getIssueTime();
        Instant latest = clock.instant().plus(clockSkew);
        if (issuedAt != null && issuedAt.toInstant().isAfter(latest)) {
            throw new BadJWTException("iat: " + issuedAt.toInstant() + " (expected: not after " + latest
                    + ", now plus the clock skew)");
        }
        rule.check(claims);
    }
}
