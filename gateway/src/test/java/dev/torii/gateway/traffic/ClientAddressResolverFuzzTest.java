package dev.torii.gateway.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

/**
 * Fuzzes {@code X-Forwarded-For} handling behind trusted proxies, and the trusted-proxy setting:
 * the client is the peer or an entry as written, and only ever a strict IP literal (text that
 * InetAddress would resolve as a host name never counts), with no exception; a bad setting is an
 * {@link IllegalArgumentException} naming it.
 */
class ClientAddressResolverFuzzTest {

    private static final String IPV4 = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";

    private final ClientAddressResolver resolver = new ClientAddressResolver(List.of("10.0.0.0/8", "fd00::/8"));

    @FuzzTest(maxDuration = "60s")
    void theClientIsThePeerOrALiteralEntry(byte[] input) {
        // The first byte picks the trusted peer; each further line is one X-Forwarded-For header.
        boolean ipv4 = input.length == 0 || (input[0] & 1) == 0;
        MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.post("/x")
                .remoteAddress(new InetSocketAddress(ipv4 ? "10.0.0.1" : "fd00::1", 40000));
        List<String> hops = new ArrayList<>();
        String text = input.length == 0 ? "" : new String(input, 1, input.length - 1, StandardCharsets.ISO_8859_1);
        for (String value : text.split("\n", 3)) {
            request.header("X-Forwarded-For", value);
            for (String hop : value.split(",")) {
                hops.add(hop.trim());
            }
        }

        String client = resolver.resolve(request.build());

        if (!client.equals("10.0.0.1") && !client.startsWith("fd00:")) {
            assertThat(hops).contains(client);
        }
        String bare = client.startsWith("[") && client.endsWith("]") ? client.substring(1, client.length() - 1) : client;
        assertThat(bare.contains(":") || bare.matches(IPV4 + "(\\." + IPV4 + "){3}"))
                .as("a strict IP literal: " + client).isTrue();
    }

    @FuzzTest(maxDuration = "60s")
    void aTrustedProxySettingIsABlockOrAClearError(byte[] setting) {
        String entry = new String(setting, StandardCharsets.UTF_8);
        try {
            new ClientAddressResolver(List.of(entry));
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).startsWith("torii.gateway.client-ip.trusted-proxies: '");
        }
    }
}
