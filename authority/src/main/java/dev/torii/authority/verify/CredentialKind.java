package dev.torii.authority.verify;

/**
 * Names the kinds of subject credential the Authority accepts; each has its own verifier.
 */
public enum CredentialKind {
    /** A user's access token from the company's identity provider (opaque or JWT). */
    ACCESS_TOKEN,
    /** A Google service-account credential: a Google ID token or a self-signed service-account JWT. */
    GOOGLE_SERVICE_ACCOUNT
}
