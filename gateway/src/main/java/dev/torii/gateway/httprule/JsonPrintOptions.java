package dev.torii.gateway.httprule;

/**
 * How a route prints response messages as JSON, the three choices of grpc-gateway's
 * {@code protojson.MarshalOptions} and Envoy's {@code GrpcJsonTranscoder.PrintOptions} that change
 * what a client reads.
 *
 * @param protoFieldNames print {@code seller_id} rather than the lowerCamelCase {@code sellerId}
 * @param emitDefaults print fields that hold their default value ({@code 0}, {@code ""}, {@code []})
 * @param enumsAsInts print enum values as numbers rather than names
 */
public record JsonPrintOptions(boolean protoFieldNames, boolean emitDefaults, boolean enumsAsInts) {

    /** The proto3 JSON mapping's defaults: lowerCamelCase names, no default values, enum names. */
    public static final JsonPrintOptions DEFAULT = new JsonPrintOptions(false, false, false);
}
