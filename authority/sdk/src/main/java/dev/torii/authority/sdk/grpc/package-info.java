/**
 * Plugs private-token verification into grpc-java servers
 * ({@link dev.torii.authority.sdk.grpc.PrivateTokenServerInterceptor},
 * {@link dev.torii.authority.sdk.grpc.ToriiContext}) and calls the Authority's
 * {@code ResolveAccessToken} ({@link dev.torii.authority.sdk.grpc.AccessTokenResolver}).
 */
package dev.torii.authority.sdk.grpc;
