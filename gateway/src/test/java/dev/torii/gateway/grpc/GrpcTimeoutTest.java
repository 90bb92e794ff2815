package dev.torii.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GrpcTimeoutTest {

    @ParameterizedTest
    @CsvSource({"1H,3600000", "2M,120000", "3S,3000", "250m,250", "1500u,1", "99999999n,99", "00000001S,1000"})
    void parsesEveryUnit(String value, long millis) {
        assertThat(TimeUnit.NANOSECONDS.toMillis(GrpcTimeout.parseNanos(value))).isEqualTo(millis);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "S", "1", "1s", "1h", "123456789S", "-1S", "+1S", "1.5S", " 1S", "1 S", "１S"})
    void refusesWhatTheProtocolDoesNotAllow(String value) {
        assertThatThrownBy(() -> GrpcTimeout.parseNanos(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("grpc-timeout: '")
                .hasMessageContaining("(expected: 1 to 8 digits and a unit");
    }
}
