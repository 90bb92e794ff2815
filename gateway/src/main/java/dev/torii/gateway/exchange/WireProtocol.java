package dev.torii.gateway.exchange;

/**
 * Names the wire protocols the gateway speaks with clients. The protocol step tells which one a
 * request speaks; the protocol class of that name decodes the request and encodes the answer and
 * any error.
 */
public enum WireProtocol {
    /**
     * The gateway's first dialect: protobuf or JSON bodies over {@code POST /package.Service/Method},
     * errors as a {@code google.rpc.Status} body with a mapped HTTP status. It takes every request
     * no other protocol claims.
     */
    LEGACY,
    /**
     * The Connect protocol: unary calls as plain HTTP (POST, or GET for side-effect-free methods)
     * with Connect's error JSON, and server streams as enveloped messages ending with an
     * end-of-stream message.
     */
    CONNECT,
    /**
     * gRPC-Web: length-prefixed message frames (or their base64, {@code -text}) ending with a
     * trailer frame, over HTTP/1.1 or HTTP/2, as browsers can speak it.
     */
    GRPC_WEB,
    /**
     * gRPC itself over HTTP/2: message frames and HTTP/2 trailers.
     */
    GRPC,
    /**
     * REST from {@code google.api.http} rules: a method's path templates, query parameters and
     * JSON bodies, answered as JSON (NDJSON or Server-Sent Events for streams), errors as a
     * {@code google.rpc.Status} body with a mapped HTTP status.
     */
    REST
}
