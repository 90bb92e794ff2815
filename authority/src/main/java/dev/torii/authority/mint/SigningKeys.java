package dev.torii.authority.mint;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.text.ParseException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes signing keys: generates them for local mode, or reads them from JWK or PEM files (a
 * mounted Kubernetes Secret in production). Every key gets a key id: the file's own, or the RFC
 * 7638 thumbprint.
 */
public final class SigningKeys {

    private static final Pattern PEM_PRIVATE_KEY =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private SigningKeys() {}

    /**
     * Generates a fresh key for {@code algorithm}: RSA 2048 for RS256, P-256 for ES256.
     *
     * @param algorithm {@code RS256} or {@code ES256}
     * @return a private JWK with a key id
     */
    public static JWK generate(String algorithm) {
        try {
            JWK key = JWSAlgorithm.ES256.getName().equals(algorithm)
                    ? new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).generate()
                    : new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
            return withThumbprintId(key);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate a " + algorithm + " key: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a private signing key: a JWK (JSON) file, or a PEM file with an unencrypted PKCS#8
     * RSA private key ({@code -----BEGIN PRIVATE KEY-----}, as {@code openssl genpkey} writes).
     * EC keys must come as JWK.
     *
     * @param file the key file
     * @param algorithm the algorithm the key must suit
     * @return a private JWK with a key id
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static JWK read(Path file, String algorithm) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IllegalArgumentException("signing key " + file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        JWK key;
        if (text.startsWith("{")) {
            try {
                key = JWK.parse(text);
            } catch (ParseException e) {
                throw new IllegalArgumentException("signing key " + file + ": not a valid JWK (" + e.getMessage() + ")", e);
            }
        } else {
            key = readPemRsa(file, text);
        }
        if (!key.isPrivate()) {
            throw new IllegalArgumentException("signing key " + file + ": has no private part (expected: a private key)");
        }
        boolean suits = JWSAlgorithm.ES256.getName().equals(algorithm)
                ? key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())
                : key instanceof RSAKey rsa && rsa.size() >= 2048;
        if (!suits) {
            throw new IllegalArgumentException("signing key " + file + ": a " + key.getKeyType() + " key does not suit "
                    + algorithm + " (expected: " + (algorithm.equals("ES256") ? "an EC P-256 key" : "an RSA key of 2048 bits or more") + ")");
        }
        return key.getKeyID() == null ? withThumbprintId(key) : key;
    }

    private static JWK readPemRsa(Path file, String text) {
        Matcher pem = PEM_PRIVATE_KEY.matcher(text);
        if (!pem.find()) {
            throw new IllegalArgumentException("signing key " + file
                    + ": neither a JWK nor a PEM PKCS#8 private key (expected: -----BEGIN PRIVATE KEY-----)");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(pem.group(1));
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            RSAPrivateCrtKey privateKey = (RSAPrivateCrtKey) rsa.generatePrivate(new PKCS8EncodedKeySpec(der));
            java.security.interfaces.RSAPublicKey publicKey = (java.security.interfaces.RSAPublicKey)
                    rsa.generatePublic(new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent()));
            return new RSAKey.Builder(publicKey).privateKey(privateKey)
                    .keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).build();
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalArgumentException("signing key " + file + ": not an RSA PKCS#8 private key ("
                    + e.getMessage() + "; EC keys must be given as JWK)", e);
        }
    }

    private static JWK withThumbprintId(JWK key) {
        try {
            String kid = key.computeThumbprint().toString();
            return key instanceof RSAKey rsa ? new RSAKey.Builder(rsa).keyID(kid).build()
                    : new ECKey.Builder((ECKey) key).keyID(kid).build();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot compute a key id: " + e.getMessage(), e);
        }
    }
}
