package dev.torii.authorizer.dummy;

import dev.torii.authority.verify.CredentialKind;
import dev.torii.authority.verify.CredentialVerifier;
import java.util.EnumMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/**
 * Puts the dummy verifier in place of the real ones, for every credential kind, and says loudly
 * that this process is a dummy.
 */
@Configuration(proxyBeanMethods = false)
public class DummyVerifierConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DummyVerifierConfiguration.class);

    @Bean
    Map<CredentialKind, CredentialVerifier> credentialVerifiers(DummyProperties properties) {
        DummyCredentialVerifier dummy = new DummyCredentialVerifier(properties.fixtures());
        Map<CredentialKind, CredentialVerifier> verifiers = new EnumMap<>(CredentialKind.class);
        for (CredentialKind kind : CredentialKind.values()) {
            verifiers.put(kind, dummy);
        }
        return verifiers;
    }

    @EventListener(ApplicationReadyEvent.class)
    void warn() {
        log.warn("""

                ************************************************************************
                *  THIS IS AUTHORIZER-DUMMY. It accepts made-up credentials such as     *
                *  "dummy:alice" and mints real private tokens for them. It is for       *
                *  local development only; never expose it or deploy it to production. *
                ************************************************************************""");
    }
}
