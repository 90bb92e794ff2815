package dev.torii.gateway.exchange;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids: which client-supplied ids are reused, and how new ones are made.
 */
public final class RequestIds {

    /** The header carrying the id, in both directions. */
    public static final String HEADER = "x-request-id";

    private static final int MAX_LENGTH = 128;

    private RequestIds() {}

    /**
     * Tells whether a client-supplied id can be reused: 1 to 128 characters of letters, digits
     * and {@code - _ . :}, so it is safe in logs and headers.
     *
     * @param id the offered id, possibly null
     * @return whether to keep it
     */
    public static boolean acceptable(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    // A random (version 4) UUID from ThreadLocalRandom: ids must be unique, not unguessable, and
    // SecureRandom would serialise every event-loop thread on one lock.
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & ~(0xC000000000000000L)) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
