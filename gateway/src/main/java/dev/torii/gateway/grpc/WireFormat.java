package dev.torii.gateway.grpc;

import java.util.Locale;

/**
 * Names the body formats the gateway speaks with clients, chosen by the request's
 * {@code Content-Type}; answers (and errors) use the same format as the request.
 */
public enum WireFormat {
    /** Protobuf binary, forwarded as bytes without parsing. */
    PROTOBUF,
    /** Proto3 JSON, transcoded with the service descriptors. */
    JSON;

    /** The protobuf media type most clients send. */
    public static final String APPLICATION_X_PROTOBUF = "application/x-protobuf";
    /** The protobuf media type registered with IANA. */
    public static final String APPLICATION_PROTOBUF = "application/protobuf";
    /** The JSON media type. */
    public static final String APPLICATION_JSON = "application/json";

    /**
     * Reads a {@code Content-Type} value: its media type and, for JSON, its charset.
     *
     * @param contentType the header value, possibly null
     * @return the media type without parameters, lower case, when the gateway supports it; null
     *     otherwise (missing, unknown type, or JSON in a charset other than UTF-8)
     */
    public static String supportedMediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        switch (type) {
            case APPLICATION_X_PROTOBUF, APPLICATION_PROTOBUF:
                return type;
            case APPLICATION_JSON:
                return semicolon < 0 || utf8(contentType.substring(semicolon + 1)) ? type : null;
            default:
                return null;
        }
    }

    /**
     * Tells which format a supported media type stands for.
     *
     * @param mediaType a value returned by {@link #supportedMediaType(String)}
     * @return the format
     */
    public static WireFormat of(String mediaType) {
        return APPLICATION_JSON.equals(mediaType) ? JSON : PROTOBUF;
    }

    /**
     * Guesses the format a client expects for an error, even when its request was unusable:
     * protobuf when the request named a protobuf type, JSON otherwise.
     *
     * @param contentType the request's header value, possibly null
     * @return the format
     */
    public static WireFormat forErrors(String contentType) {
        if (contentType == null) {
            return JSON;
        }
        String lower = contentType.toLowerCase(Locale.ROOT);
        return lower.startsWith(APPLICATION_X_PROTOBUF) || lower.startsWith(APPLICATION_PROTOBUF) ? PROTOBUF : JSON;
    }

    private static boolean utf8(String parameters) {
        for (String parameter : parameters.split(";")) {
            int equals = parameter.indexOf('=');
            if (equals > 0 && parameter.substring(0, equals).trim().equalsIgnoreCase("charset")) {
                String charset = parameter.substring(equals + 1).trim().replace("\"", "");
                return charset.equalsIgnoreCase("utf-8") || charset.equalsIgnoreCase("utf8");
            }
        }
        return true;
    }
}
