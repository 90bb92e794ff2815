package dev.torii.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.KnownLength;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ByteArrayMarshallerTest {

    private static final byte[] MESSAGE = "an offer, as bytes".getBytes(StandardCharsets.UTF_8);

    @Test
    void aMessageOfKnownLengthIsReadWhole() {
        assertThat(ByteArrayMarshaller.INSTANCE.parse(new Known(MESSAGE, MESSAGE.length))).isEqualTo(MESSAGE);
        assertThat(ByteArrayMarshaller.INSTANCE.parse(new Known(new byte[0], 0))).isEmpty();
    }

    @Test
    void aStreamOfUnknownLengthIsReadToItsEnd() {
        byte[] large = new byte[100_000];
        large[99_999] = 7;
        assertThat(ByteArrayMarshaller.INSTANCE.parse(new ByteArrayInputStream(large))).isEqualTo(large);
    }

    @Test
    void whatTheMarshallerWritesItReadsBack() {
        InputStream written = ByteArrayMarshaller.INSTANCE.stream(MESSAGE);
        assertThat(ByteArrayMarshaller.INSTANCE.parse(written)).isEqualTo(MESSAGE);
    }

    @Test
    void aStreamThatBreaksItsAnnouncedLengthIsAnError() {
        assertThatThrownBy(() -> ByteArrayMarshaller.INSTANCE.parse(new Known(MESSAGE, MESSAGE.length + 1)))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("did not read as announced");
        assertThatThrownBy(() -> ByteArrayMarshaller.INSTANCE.parse(new Known(MESSAGE, MESSAGE.length - 1)))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("did not read as announced");
    }

    // Announces a length of its own choosing, as a faulty KnownLength stream would.
    private static final class Known extends ByteArrayInputStream implements KnownLength {
        private final int announced;

        Known(byte[] bytes, int announced) {
            super(bytes);
            this.announced = announced;
        }

        @Override
        public synchronized int available() {
            return pos == 0 ? announced : super.available();
        }
    }
}
