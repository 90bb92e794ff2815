package dev.torii.authority.sdk;

import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Checks the claims of a private token whose signature already verified: the Authority's claim
 * contract (see {@code authority.proto}) rather than Nimbus's generic defaults, so the messages can
 * name each claim, what it held and what was expected, without echoing unbounded token content.
 */
final class PrivateTokenClaimsVerifier implements JWTClaimsSetVerifier<SecurityContext> {

    /** Claims every private token carries; {@code nbf}, {@code scope} and {@code roles} are optional. */
    static final List<String> REQUIRED_CLAIMS = List.of("iss", "sub", "aud", "exp", "iat", "jti", "principal_type");

    static final String PRINCIPAL_TYPE_USER = "user";
    static final String PRINCIPAL_TYPE_SERVICE_ACCOUNT = "service_account";

    private final String issuer;
    private final Set<String> audiences;
    private final Duration clockSkew;
    private final Clock clock;

    PrivateTokenClaimsVerifier(String issuer, Set<String> audiences, Duration clockSkew, Clock clock) {
        this.issuer = issuer;
        this.audiences = audiences;
        this.clockSkew = clockSkew;
        this.clock = clock;
    }

    @Override
    public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
        List<String> missing = new ArrayList<>();
        for (String name : REQUIRED_CLAIMS) {
            Object value = claims.getClaim(name);
            if (value == null || value instanceof String s && s.isEmpty()) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new Rejected("missing required claims " + missing);
        }
        if (!issuer.equals(claims.getIssuer())) {
            throw new Rejected("iss is " + Untrusted.quote(claims.getIssuer()) + " (expected: \"" + issuer + "\")");
        }
        List<String> aud = claims.getAudience();
        // The Authority mints one token per audience; a token naming several could be replayed
        // from one backend to another.
        if (aud.size() != 1 || !audiences.contains(aud.get(0))) {
            throw new Rejected("aud is " + quoteAll(aud) + " (expected: exactly one of " + audiences + ")");
        }
        String principalType = stringClaim(claims, "principal_type");
        if (!PRINCIPAL_TYPE_USER.equals(principalType) && !PRINCIPAL_TYPE_SERVICE_ACCOUNT.equals(principalType)) {
            throw new Rejected("principal_type is " + Untrusted.quote(principalType)
                    + " (expected: \"" + PRINCIPAL_TYPE_USER + "\" or \"" + PRINCIPAL_TYPE_SERVICE_ACCOUNT + "\")");
        }
        stringClaim(claims, "scope");
        try {
            claims.getStringListClaim("roles");
        } catch (ParseException e) {
            throw new Rejected("roles is not a JSON array of strings", e);
        }
        checkTimes(claims);
    }

    private void checkTimes(JWTClaimsSet claims) throws BadJWTException {
        Instant now = clock.instant();
        Instant expiresAt = claims.getExpirationTime().toInstant();
        if (!now.isBefore(expiresAt.plus(clockSkew))) {
            throw new Rejected("token expired at " + expiresAt + " (now: " + now + ", clock skew: " + clockSkew + ")");
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && now.plus(clockSkew).isBefore(notBefore.toInstant())) {
            throw new Rejected("token not valid before " + notBefore.toInstant()
                    + " (now: " + now + ", clock skew: " + clockSkew + ")");
        }
        Instant issuedAt = claims.getIssueTime().toInstant();
        if (now.plus(clockSkew).isBefore(issuedAt)) {
            throw new Rejected("token issued in the future at " + issuedAt
                    + " (now: " + now + ", clock skew: " + clockSkew + ")");
        }
    }

    private static String stringClaim(JWTClaimsSet claims, String name) throws BadJWTException {
        try {
            return claims.getStringClaim(name);
        } catch (ParseException e) {
            throw new Rejected(name + " is not a string", e);
        }
    }

    /** Marks a refusal worded by this class, so callers can pass its message on unchanged. */
    static final class Rejected extends BadJWTException {

        private static final long serialVersionUID = 1L;

        Rejected(String message) {
            super(message);
        }

        Rejected(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static String quoteAll(List<String> values) {
        List<String> quoted = new ArrayList<>();
        for (String value : values.subList(0, Math.min(values.size(), 4))) {
            quoted.add(Untrusted.quote(value));
        }
        if (values.size() > 4) {
            quoted.add("...");
        }
        return quoted.toString();
    }
}
