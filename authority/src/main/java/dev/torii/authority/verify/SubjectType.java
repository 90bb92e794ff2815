package dev.torii.authority.verify;

/**
 * Tells what kind of caller a verified credential belongs to.
 */
public enum SubjectType {
    /** A person, through an app, with an access token from the identity provider. */
    USER,
    /** An internal tool or batch job, with a Google service-account credential. */
    SERVICE_ACCOUNT
}
