/**
 * Auto-configures private-token verification for Spring Boot applications from
 * {@code torii.authority.*} properties: a shared verifier, and Spring Security resource-server
 * decoders and authority mapping backed by it.
 */
package dev.torii.authority.sdk.spring;
