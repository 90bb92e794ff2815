package dev.torii.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConnectProtocolTest {

    @ParameterizedTest(name = "''{0}'' takes gzip: {1}")
    @CsvSource(delimiter = '|', value = {
        "gzip|true",
        "br, GZIP|true",
        "gzip;q=0.5|true",
        "gzip ; q=0|false",
        "gzip;q=zero|false",
        "GZIP;Q=0|false",
        "identity|false",
        "br,;|false",
        ";|false",
        ";;, gzip|true",
        "''|false",
    })
    void readsAnAcceptEncodingList(String header, boolean gzip) {
        assertThat(ConnectProtocol.acceptsGzip(header)).isEqualTo(gzip);
    }
}
