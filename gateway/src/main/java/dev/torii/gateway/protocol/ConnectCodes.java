package dev.torii.gateway.protocol;

import io.grpc.Status;
import java.util.Locale;

/**
 * Names gRPC status codes as Connect writes them: lower snake case, with Connect's one spelling
 * of its own ({@code canceled}).
 */
final class ConnectCodes {

    private static final String[] NAMES = new String[17];

    static {
        for (Status.Code code : Status.Code.values()) {
            NAMES[code.value()] = code.name().toLowerCase(Locale.ROOT);
        }
        NAMES[Status.Code.CANCELLED.value()] = "canceled";
    }

    private ConnectCodes() {}

    /**
     * Names a code.
     *
     * @param code a gRPC code value; values outside 0..16 are named {@code unknown}, as gRPC treats them
     * @return the Connect name
     */
    static String name(int code) {
        return code >= 0 && code < NAMES.length ? NAMES[code] : NAMES[Status.Code.UNKNOWN.value()];
    }
}
