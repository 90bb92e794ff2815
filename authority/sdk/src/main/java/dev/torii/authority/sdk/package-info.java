/**
 * Verifies Torii private tokens in backends: the JWTs the Authority mints for one backend service
 * and signs with a key published at its JWKS URL.
 *
 * <p>A plain grpc-java backend needs three lines:
 *
 * <pre>{@code
 * var verifier = PrivateTokenVerifier.builder()
 *         .jwksUri(URI.create("http://authority:9091/.well-known/jwks.json"))
 *         .issuer("http://authority:9091")
 *         .audience("examples.offer.v1.OfferService")
 *         .build();
 * Server server = ServerBuilder.forPort(50051)
 *         .addService(ServerInterceptors.intercept(new MyService(), new PrivateTokenServerInterceptor(verifier)))
 *         .build();
 * VerifiedPrincipal caller = ToriiContext.principal(); // inside a call
 * }</pre>
 *
 * <p>{@link dev.torii.authority.sdk.PrivateTokenVerifier} does the verification;
 * {@link dev.torii.authority.sdk.grpc} holds the gRPC interceptor, the call-context accessor and
 * the {@code ResolveAccessToken} client; {@link dev.torii.authority.sdk.spring} configures Spring
 * Security's resource server from {@code torii.authority.*} properties.
 */
package dev.torii.authority.sdk;
