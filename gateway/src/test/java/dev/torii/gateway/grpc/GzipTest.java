package dev.torii.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GzipTest {

    private static final byte[] TEXT = "an offer for the front page".getBytes(StandardCharsets.UTF_8);

    @Test
    void inflatesWhatItCompressedAndMembersOneAfterAnother() throws Exception {
        byte[] one = Gzip.compress(TEXT);
        byte[] two = new byte[one.length * 2];
        System.arraycopy(one, 0, two, 0, one.length);
        System.arraycopy(one, 0, two, one.length, one.length);

        assertThat(Gzip.inflate(one, 1024)).isEqualTo(TEXT);
        assertThat(Gzip.inflate(two, 1024)).hasSize(TEXT.length * 2);
    }

    @Test
    void refusesATrailerWhoseCrcOrSizeDoesNotMatch() {
        byte[] badCrc = Gzip.compress(TEXT);
        badCrc[badCrc.length - 8] ^= 1;
        byte[] badSize = Gzip.compress(TEXT);
        badSize[badSize.length - 4] ^= 1;

        assertThatThrownBy(() -> Gzip.inflate(badCrc, 1024)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("CRC-32");
        assertThatThrownBy(() -> Gzip.inflate(badSize, 1024)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("size");
    }

    @Test
    void checksAHeaderCrcWhenTheHeaderHasOne() throws Exception {
        byte[] plain = Gzip.compress(TEXT);
        // The same member with FHCRC set and the CRC-16 of its 10-byte header after it.
        byte[] withCrc = new byte[plain.length + 2];
        System.arraycopy(plain, 0, withCrc, 0, 10);
        withCrc[3] |= 2;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(withCrc, 0, 10);
        withCrc[10] = (byte) crc.getValue();
        withCrc[11] = (byte) (crc.getValue() >>> 8);
        System.arraycopy(plain, 10, withCrc, 12, plain.length - 10);
        byte[] badCrc = withCrc.clone();
        badCrc[10] ^= 1;

        assertThat(Gzip.inflate(withCrc, 1024)).isEqualTo(TEXT);
        assertThatThrownBy(() -> Gzip.inflate(badCrc, 1024)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("CRC-16");
    }

    @Test
    void refusesDataCutShortInItsBlocksOrItsTrailer() {
        byte[] gzip = Gzip.compress(TEXT);

        assertThatThrownBy(() -> Gzip.inflate(Arrays.copyOf(gzip, gzip.length - 3), 1024))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("trailer");
        assertThatThrownBy(() -> Gzip.inflate(Arrays.copyOf(gzip, 14), 1024))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("last block");
        assertThatThrownBy(() -> Gzip.inflate(TEXT, 1024)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("magic");
    }

    @Test
    void appliesTheLimitToTheInflatedSize() throws Exception {
        byte[] bomb = Gzip.compress(new byte[1 << 20]);

        assertThat(bomb.length).isLessThan(2048);
        assertThatThrownBy(() -> Gzip.inflate(bomb, 64 * 1024)).isInstanceOf(Gzip.InflatedTooLargeException.class);
        assertThat(Gzip.inflate(bomb, 1 << 20)).hasSize(1 << 20);
    }
}
