package dev.torii.authority.mint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeysTest {

    @TempDir
    Path dir;

    @Test
    void generatesKeysWithThumbprintIds() throws Exception {
        JWK rsa = SigningKeys.generate("RS256");
        JWK ec = SigningKeys.generate("ES256");

        assertThat(rsa).isInstanceOf(RSAKey.class);
        assertThat(((RSAKey) rsa).size()).isEqualTo(2048);
        assertThat(rsa.getKeyID()).isEqualTo(rsa.computeThumbprint().toString());
        assertThat(ec).isInstanceOf(ECKey.class);
        assertThat(ec.isPrivate()).isTrue();
    }

    @Test
    void readsAPkcs8PemRsaKey() throws Exception {
        KeyPair pair = rsaPair(2048);
        Path file = dir.resolve("key.pem");
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");

        JWK key = SigningKeys.read(file, "RS256");

        assertThat(key.isPrivate()).isTrue();
        assertThat(((RSAKey) key).toRSAPublicKey()).isEqualTo(pair.getPublic());
        assertThat(key.getKeyID()).isNotBlank();
    }

    @Test
    void readsAJwkKeepingItsId() throws IOException {
        JWK generated = SigningKeys.generate("ES256");
        Path file = dir.resolve("key.json");
        Files.writeString(file, new ECKey.Builder((ECKey) generated).keyID("key-2026-11").build().toJSONString());

        assertThat(SigningKeys.read(file, "ES256").getKeyID()).isEqualTo("key-2026-11");
    }

    @Test
    void explainsWhatIsWrongWithAFile() throws Exception {
        Path garbage = dir.resolve("garbage.pem");
        Files.writeString(garbage, "hello");
        Path publicOnly = dir.resolve("public.json");
        Files.writeString(publicOnly, SigningKeys.generate("RS256").toPublicJWK().toJSONString());
        Path small = dir.resolve("small.pem");
        Files.writeString(small, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(rsaPair(1024).getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");

        assertThatThrownBy(() -> SigningKeys.read(garbage, "RS256"))
                .hasMessageContaining(garbage + ": neither a JWK nor a PEM PKCS#8 private key");
        assertThatThrownBy(() -> SigningKeys.read(publicOnly, "RS256")).hasMessageContaining("has no private part");
        assertThatThrownBy(() -> SigningKeys.read(small, "RS256"))
                .hasMessageContaining("(expected: an RSA key of 2048 bits or more)");
        assertThatThrownBy(() -> SigningKeys.read(small, "ES256")).hasMessageContaining("does not suit ES256");
        assertThatThrownBy(() -> SigningKeys.read(dir.resolve("absent"), "RS256")).hasMessageContaining("cannot be read");
    }

    private static KeyPair rsaPair(int bits) throws NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits);
        return generator.generateKeyPair();
    }
}
