package dev.torii.authority.sdk.spring;

import java.util.Collection;
import java.util.List;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.DelegatingJwtGrantedAuthoritiesConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;

/**
 * Maps a private token's claims to Spring Security authorities: each user scope in {@code scope}
 * becomes {@code SCOPE_<scope>} (Spring's convention, so {@code hasAuthority("SCOPE_offers.read")}
 * works as with any resource server) and each service-account role in {@code roles} becomes
 * {@code ROLE_<role>} (so {@code hasRole("offers-admin")} works).
 */
final class PrivateTokenAuthorities {

    private PrivateTokenAuthorities() {
    }

    static Converter<Jwt, Collection<GrantedAuthority>> converter() {
        JwtGrantedAuthoritiesConverter scopes = new JwtGrantedAuthoritiesConverter();
        scopes.setAuthoritiesClaimName("scope");
        scopes.setAuthorityPrefix("SCOPE_");
        JwtGrantedAuthoritiesConverter roles = new JwtGrantedAuthoritiesConverter();
        roles.setAuthoritiesClaimName("roles");
        roles.setAuthorityPrefix("ROLE_");
        return new DelegatingJwtGrantedAuthoritiesConverter(List.of(scopes, roles));
    }
}
