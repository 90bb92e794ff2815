package dev.torii.gateway.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

class ClientAddressResolverTest {

    private final ClientAddressResolver resolver = new ClientAddressResolver(List.of("10.0.0.0/8", "192.168.1.7", "fd00::/8"));

    @ParameterizedTest(name = "peer {0}, X-Forwarded-For ''{1}'' -> {2}")
    @CsvSource(delimiter = '|', value = {
        "203.0.113.9|                             |203.0.113.9",
        "203.0.113.9|198.51.100.1                 |203.0.113.9",
        "10.1.2.3   |198.51.100.1                 |198.51.100.1",
        "10.1.2.3   |198.51.100.1, 10.9.9.9       |198.51.100.1",
        "10.1.2.3   |1.2.3.4, 198.51.100.1, 192.168.1.7|198.51.100.1",
        "10.1.2.3   |10.4.4.4, 10.5.5.5           |10.4.4.4",
        "10.1.2.3   |not-an-ip, 10.5.5.5          |10.5.5.5",
        "10.1.2.3   |198.51.100.1, a.b.c.d        |10.1.2.3",
        "10.1.2.3   |198.51.100.1, 1.2.3.256      |10.1.2.3",
        "10.1.2.3   |198.51.100.1, 01.2.3.4       |10.1.2.3",
        "10.1.2.3   |198.51.100.1, 1.2.3.         |10.1.2.3",
        "10.1.2.3   |0.0.0.0, 10.255.0.1          |0.0.0.0",
        "10.1.2.3   |                             |10.1.2.3",
        "fd00::1    |2001:db8::5                  |2001:db8::5"})
    void believesOnlyWhatTrustedProxiesAppended(String peer, String forwarded, String client) {
        MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.post("/x")
                .remoteAddress(new InetSocketAddress(peer.trim(), 40000));
        if (forwarded != null && !forwarded.isBlank()) {
            request.header("X-Forwarded-For", forwarded.trim());
        }

        assertThat(resolver.resolve(request.build())).isEqualTo(client.trim());
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy.internal", "10.0.0.0/33", "10.0.0", "::1/200", "1.2.3.4/x"})
    void refusesWhatIsNotAnAddressOrBlock(String entry) {
        assertThatThrownBy(() -> new ClientAddressResolver(List.of(entry)))
                .hasMessageContaining("torii.gateway.client-ip.trusted-proxies: '" + entry + "'");
    }
}
