package dev.torii.gateway.traffic;

import java.net.InetSocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Works out the client's IP address for rate limits keyed by {@code clientIp}, trusting
 * {@code X-Forwarded-For} only as far as it was written by proxies the operator named.
 *
 * <p>The rule: start from the connection's peer. While that address is a trusted proxy, step one
 * entry left in {@code X-Forwarded-For} (the entry that proxy appended). The first address that
 * is not a trusted proxy is the client. With no trusted proxies configured, the peer is the
 * client and the header is ignored, so a client cannot choose its own bucket.
 */
public final class ClientAddressResolver {

    private static final Pattern IP_LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

    private record Cidr(byte[] network, int prefix) {

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Cidr> trusted;

    /**
     * Creates a resolver.
     *
     * @param trustedProxies addresses or CIDR blocks of the proxies in front of the gateway, such
     *     as {@code 10.0.0.0/8} or {@code 2001:db8::/32}
     * @throws IllegalArgumentException naming an entry that is not an IP address or CIDR block
     */
    public ClientAddressResolver(List<String> trustedProxies) {
        List<Cidr> cidrs = new ArrayList<>();
        for (String entry : trustedProxies) {
            String text = entry.trim();
            int slash = text.indexOf('/');
            byte[] address = literal(slash < 0 ? text : text.substring(0, slash));
            int max = address == null ? 0 : address.length * 8;
            int prefix;
            try {
                prefix = slash < 0 ? max : Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (address == null || prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("torii.gateway.client-ip.trusted-proxies: '" + entry
                        + "' (expected: an IP address or a CIDR block such as 10.0.0.0/8)");
            }
            cidrs.add(new Cidr(address, prefix));
        }
        this.trusted = List.copyOf(cidrs);
    }

    /**
     * Returns the client's address for a request.
     *
     * @param request the request
     * @return the address as text, or {@code unknown} when the connection has none
     */
    public String resolve(ServerHttpRequest request) {
        String peer = peerAddress(request);
        if (peer == null) {
            return "unknown";
        }
        if (trusted.isEmpty() || !isTrusted(literal(peer))) {
            return peer;
        }
        List<String> forwarded = request.getHeaders().get("x-forwarded-for");
        if (forwarded == null) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String value : forwarded) {
            for (String hop : value.split(",")) {
                hops.add(hop.trim());
            }
        }
        String client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            byte[] address = literal(hops.get(i));
            if (address == null) {
                // Whatever is left of a malformed entry was not written by a proxy we trust.
                return client;
            }
            client = hops.get(i);
            if (!isTrusted(address)) {
                return client;
            }
        }
        return client;
    }

    private boolean isTrusted(byte[] address) {
        if (address == null) {
            return false;
        }
        for (Cidr cidr : trusted) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }

    // Parses an IP literal only; never a name, so nothing here can trigger a DNS lookup. Only text
    // with a colon goes to InetAddress, which parses that as an IPv6 literal and never looks it up;
    // InetAddress would resolve anything else that is not a valid IPv4 literal (a.b.c.d,
    // 1.2.3.256) as a host name, so IPv4 is parsed here: four decimal numbers 0 to 255 without
    // leading zeros (01.2.3.4 is octal to some parsers: no proxy writes it).
    private static byte[] literal(String text) {
        String candidate = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (candidate.isEmpty() || !IP_LITERAL.matcher(candidate).matches()) {
            return null;
        }
        if (candidate.indexOf(':') < 0) {
            return ipv4(candidate);
        }
        try {
            return InetAddress.getByName(candidate).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static byte[] ipv4(String text) {
        byte[] address = new byte[4];
        int part = 0;
        int value = -1;
        int digits = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || part == 4) {
                    return null;
                }
                address[part++] = (byte) value;
                value = -1;
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                if (value == 0) {
                    return null;
                }
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (++digits > 3 || value > 255) {
                    return null;
                }
            } else {
                return null;
            }
        }
        return part == 4 ? address : null;
    }

    /**
     * Returns the IP address of the connection's peer, as the gateway saw it.
     *
     * @param request the request
     * @return the address, or null when unknown
     */
    public static String peerAddress(ServerHttpRequest request) {
        InetSocketAddress remote = request.getRemoteAddress();
        if (remote == null) {
            return null;
        }
        return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    }
}
