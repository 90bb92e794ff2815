package dev.torii.authority.sdk.spring;

import com.nimbusds.jwt.SignedJWT;
import dev.torii.authority.sdk.JwksUnavailableException;
import dev.torii.authority.sdk.PrivateTokenException;
import dev.torii.authority.sdk.PrivateTokenVerifier;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.MappedJwtClaimSetConverter;

/**
 * Decodes private tokens for Spring Security with {@link PrivateTokenVerifier}, so Spring
 * applications get exactly the checks (and the JWKS cache) of the gRPC interceptor rather than a
 * second, differently configured, verification path.
 *
 * <p>A refused token raises {@link BadJwtException} (Spring answers 401); an unreachable JWKS
 * raises a plain {@link JwtException}, which Spring treats as a server-side failure rather than a
 * bad credential.
 */
final class PrivateTokenJwtDecoder implements JwtDecoder {

    private static final MappedJwtClaimSetConverter CLAIMS = MappedJwtClaimSetConverter.withDefaults(Map.of());

    private final PrivateTokenVerifier verifier;

    PrivateTokenJwtDecoder(PrivateTokenVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public Jwt decode(String token) throws JwtException {
        try {
            verifier.verify(token);
        } catch (PrivateTokenException e) {
            throw new BadJwtException(e.getMessage(), e);
        } catch (JwksUnavailableException e) {
            throw new JwtException(e.getMessage(), e);
        }
        // Parsing again costs microseconds and keeps Nimbus types out of the verifier's API.
        SignedJWT jwt;
        Map<String, Object> claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = CLAIMS.convert(jwt.getJWTClaimsSet().getClaims());
        } catch (ParseException e) {
            throw new IllegalStateException("a verified private token no longer parses", e);
        }
        Map<String, Object> headers = new LinkedHashMap<>(jwt.getHeader().toJSONObject());
        return Jwt.withTokenValue(token).headers(h -> h.putAll(headers)).claims(c -> c.putAll(claims)).build();
    }
}
