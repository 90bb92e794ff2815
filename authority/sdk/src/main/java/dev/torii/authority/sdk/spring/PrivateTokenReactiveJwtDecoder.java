package dev.torii.authority.sdk.spring;

import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Decodes private tokens for reactive Spring Security off the event loop: verification may block
 * on a JWKS fetch, so it runs on Reactor's bounded elastic scheduler.
 */
final class PrivateTokenReactiveJwtDecoder implements ReactiveJwtDecoder {

    private final JwtDecoder delegate;

    PrivateTokenReactiveJwtDecoder(JwtDecoder delegate) {
        this.delegate = delegate;
    }

    @Override
    public Mono<Jwt> decode(String token) {
        return Mono.fromCallable(() -> delegate.decode(token)).subscribeOn(Schedulers.boundedElastic());
    }
}
