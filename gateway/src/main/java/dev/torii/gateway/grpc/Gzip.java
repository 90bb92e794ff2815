package dev.torii.gateway.grpc;

import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;

/**
 * Compresses and inflates gzip (RFC 1952) bodies and messages, the one encoding every protocol
 * the gateway speaks shares. Inflating stops at a limit on the inflated size, so a small body that
 * inflates to gigabytes (a zip bomb) costs at most the limit.
 */
public final class Gzip {

    /** The encoding's name in {@code Content-Encoding} and its protocol-specific siblings. */
    public static final String NAME = "gzip";

    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    private Gzip() {}

    /**
     * Thrown when the inflated bytes would exceed the limit.
     */
    public static final class InflatedTooLargeException extends Exception {

        private static final long serialVersionUID = 1L;

        InflatedTooLargeException(long limit) {
            super("gzip data inflates to more than " + limit + " bytes (expected: at most " + limit + ")", null, false,
                    false);
        }
    }

    /**
     * Compresses bytes.
     *
     * @param data the bytes
     * @return gzip data
     */
    public static byte[] compress(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, data.length / 2));
        try (GZIPOutputStream gzip = new GZIPOutputStream(out, 8192) {
            {
                // Level 6 (zlib's default) costs a third of level 9's CPU for nearly the same size.
                def.setLevel(Deflater.DEFAULT_COMPRESSION);
            }
        }) {
            gzip.write(data);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    /**
     * Inflates gzip data, members one after another as RFC 1952 allows.
     *
     * @param data the gzip data
     * @param maxBytes the largest inflated size accepted
     * @return the inflated bytes
     * @throws MalformedMessageException when the data is not gzip or is cut short
     * @throws InflatedTooLargeException when the data inflates to more than {@code maxBytes}
     */
    public static byte[] inflate(byte[] data, int maxBytes) throws MalformedMessageException, InflatedTooLargeException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, Math.max(64, data.length * 4)));
        byte[] chunk = new byte[8192];
        int at = 0;
        do {
            at = skipHeader(data, at);
            Inflater inflater = new Inflater(true);
            CRC32 crc = new CRC32();
            try {
                inflater.setInput(data, at, data.length - at);
                while (!inflater.finished()) {
                    int n = inflater.inflate(chunk);
                    if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        throw new MalformedMessageException("gzip data ends before its last block (expected: a whole"
                                + " gzip stream)");
                    }
                    if (out.size() + n > maxBytes) {
                        throw new InflatedTooLargeException(maxBytes);
                    }
                    out.write(chunk, 0, n);
                    crc.update(chunk, 0, n);
                }
                // The 8-byte trailer (CRC-32 and size) follows the deflate data; both are checked,
                // as grpc-java, Go and zlib check them, so corrupted bytes never reach a backend.
                at = data.length - inflater.getRemaining();
                if (data.length - at < 8) {
                    throw new MalformedMessageException("gzip data ends inside its trailer (expected: CRC-32 and size)");
                }
                if (littleEndianInt(data, at) != (int) crc.getValue()
                        || littleEndianInt(data, at + 4) != (int) inflater.getBytesWritten()) {
                    throw new MalformedMessageException("gzip data is corrupt: its trailer's CRC-32 or size does not"
                            + " match the inflated bytes (expected: the CRC-32 and size of what it inflates to)");
                }
                at += 8;
            } catch (DataFormatException e) {
                throw new MalformedMessageException("gzip data is corrupt: " + e.getMessage());
            } finally {
                inflater.end();
            }
        } while (at < data.length);
        return out.toByteArray();
    }

    private static int skipHeader(byte[] data, int at) throws MalformedMessageException {
        if (data.length - at < 10 || (data[at] & 0xff) != 0x1f || (data[at + 1] & 0xff) != 0x8b || data[at + 2] != 8) {
            throw new MalformedMessageException("not gzip data at byte " + at
                    + " (expected: the gzip magic 1f 8b and deflate method)");
        }
        int flags = data[at + 3] & 0xff;
        int position = at + 10;
        if ((flags & FEXTRA) != 0) {
            if (data.length - position < 2) {
                throw new MalformedMessageException("gzip header cut short (expected: its extra field's length)");
            }
            position += 2 + ((data[position] & 0xff) | ((data[position + 1] & 0xff) << 8));
        }
        if ((flags & FNAME) != 0) {
            position = afterZero(data, position);
        }
        if ((flags & FCOMMENT) != 0) {
            position = afterZero(data, position);
        }
        if ((flags & FHCRC) != 0) {
            if (data.length - position < 2) {
                throw new MalformedMessageException("gzip header cut short (expected: its CRC-16)");
            }
            CRC32 crc = new CRC32();
            crc.update(data, at, position - at);
            if (((data[position] & 0xff) | (data[position + 1] & 0xff) << 8) != ((int) crc.getValue() & 0xffff)) {
                throw new MalformedMessageException("gzip header is corrupt: its CRC-16 does not match (expected: the"
                        + " low 16 bits of the header's CRC-32)");
            }
            position += 2;
        }
        if (position > data.length) {
            throw new MalformedMessageException("gzip header cut short (expected: a whole header)");
        }
        return position;
    }

    private static int littleEndianInt(byte[] data, int at) {
        return (data[at] & 0xff) | (data[at + 1] & 0xff) << 8 | (data[at + 2] & 0xff) << 16 | (data[at + 3] & 0xff) << 24;
    }

    private static int afterZero(byte[] data, int position) throws MalformedMessageException {
        for (int i = position; i < data.length; i++) {
            if (data[i] == 0) {
                return i + 1;
            }
        }
        throw new MalformedMessageException("gzip header cut short (expected: a zero-terminated field)");
    }
}
