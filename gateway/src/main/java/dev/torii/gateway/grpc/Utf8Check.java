package dev.torii.gateway.grpc;

/**
 * Validates UTF-8 in place, by the rules protobuf parsers apply to {@code string} fields (RFC
 * 3629, as protobuf-java's {@code Utf8.isValidUtf8}): no overlong forms, no surrogates, nothing
 * above U+10FFFF, no truncated sequence. Reads the array without copying or decoding it.
 */
final class Utf8Check {

    private Utf8Check() {}

    /**
     * Finds the first byte that is not part of valid UTF-8.
     *
     * @param bytes the array
     * @param from the first index to check
     * @param to one past the last index to check
     * @return the index of the first byte of the first invalid sequence, or -1 when all is valid
     */
    static int firstInvalid(byte[] bytes, int from, int to) {
        int i = from;
        while (i < to) {
            int b = bytes[i];
            if (b >= 0) {
                i++;
                continue;
            }
            int start = i;
            if (b < (byte) 0xC2) {
                // A continuation byte first, or C0/C1 (always overlong).
                return start;
            }
            if (b < (byte) 0xE0) {
                if (i + 1 >= to || !continuation(bytes[i + 1])) {
                    return start;
                }
                i += 2;
            } else if (b < (byte) 0xF0) {
                if (i + 2 >= to) {
                    return start;
                }
                int b1 = bytes[i + 1];
                // E0 needs A0..BF (no overlong); ED needs 80..9F (no surrogates).
                if (!continuation(b1) || (b == (byte) 0xE0 && b1 < (byte) 0xA0) || (b == (byte) 0xED && b1 >= (byte) 0xA0)
                        || !continuation(bytes[i + 2])) {
                    return start;
                }
                i += 3;
            } else if (b < (byte) 0xF5) {
                if (i + 3 >= to) {
                    return start;
                }
                int b1 = bytes[i + 1];
                // F0 needs 90..BF (no overlong); F4 needs 80..8F (nothing above U+10FFFF).
                if (!continuation(b1) || (b == (byte) 0xF0 && b1 < (byte) 0x90) || (b == (byte) 0xF4 && b1 >= (byte) 0x90)
                        || !continuation(bytes[i + 2]) || !continuation(bytes[i + 3])) {
                    return start;
                }
                i += 4;
            } else {
                return start;
            }
        }
        return -1;
    }

    // 80..BF, which as signed bytes is -128..-65.
    private static boolean continuation(int b) {
        return b < (byte) 0xC0;
    }
}
