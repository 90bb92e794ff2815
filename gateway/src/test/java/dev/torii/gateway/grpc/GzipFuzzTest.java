package dev.torii.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Fuzzes the gzip inflater of request bodies and messages. Whatever the bytes, it returns at most
 * the limit or refuses: {@link Gzip.InflatedTooLargeException} when the inflated size (never the
 * compressed one) passes the limit, {@link MalformedMessageException} for data that is not gzip,
 * cut short or corrupt. What it returns is what the JDK's own gzip reader reads from the same
 * bytes; and what the gateway compresses inflates back, or is refused exactly when it is larger
 * than the limit.
 */
class GzipFuzzTest {

    private static final int LIMIT = 4096;

    @FuzzTest(maxDuration = "60s")
    void inflatesWithinTheLimitLikeTheJdkOrRefuses(byte[] data) {
        byte[] inflated;
        try {
            inflated = Gzip.inflate(data, LIMIT);
        } catch (MalformedMessageException refused) {
            assertThat(refused.getMessage()).containsIgnoringCase("gzip");
            return;
        } catch (Gzip.InflatedTooLargeException tooLarge) {
            // The JDK reads more than the limit from it before it finds anything wrong.
            assertThat(jdkInflated(data, LIMIT + 1)).as("what the JDK inflates").hasSize(LIMIT + 1);
            return;
        }
        assertThat(inflated.length).isLessThanOrEqualTo(LIMIT);
        assertThat(jdkInflated(data, LIMIT + 1)).as("what the JDK inflates").isEqualTo(inflated);
    }

    @FuzzTest(maxDuration = "30s")
    void inflatesWhatItCompressedUpToTheLimit(byte[] data) throws Exception {
        // The first byte stretches the data: a run of it compresses to little, as a bomb does.
        int repeat = data.length == 0 ? 1 : 1 + (data[0] & 0xff);
        byte[] original = new byte[data.length * repeat];
        for (int i = 0; i < repeat; i++) {
            System.arraycopy(data, 0, original, i * data.length, data.length);
        }
        byte[] compressed = Gzip.compress(original);
        int limit = original.length <= LIMIT ? LIMIT : original.length - 1;

        if (original.length <= limit) {
            assertThat(Gzip.inflate(compressed, limit)).isEqualTo(original);
        } else {
            assertThatThrownBy(() -> Gzip.inflate(compressed, limit)).isInstanceOf(Gzip.InflatedTooLargeException.class);
        }
        assertThat(Gzip.inflate(compressed, original.length)).isEqualTo(original);
    }

    // What GZIPInputStream reads, up to `max` bytes; null when it fails first (a bad header,
    // corrupt data, a wrong CRC-32 or size in a trailer).
    private static byte[] jdkInflated(byte[] data, int max) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            byte[] chunk = new byte[512];
            int n;
            while (out.size() < max && (n = in.read(chunk, 0, Math.min(chunk.length, max - out.size()))) > 0) {
                out.write(chunk, 0, n);
            }
        } catch (IOException failed) {
            return null;
        }
        return out.toByteArray();
    }
}
