package dev.torii.gateway;

import dev.torii.authority.testing.TestCertificateAuthority;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * grpc-java calls the gateway over TLS, HTTP/2 chosen by ALPN, when the gateway's public port has
 * a certificate (Spring Boot's {@code server.ssl}); the certificate is made by the test.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GrpcJavaTlsClientIT extends GrpcJavaClientCases {

    private static final TestCertificateAuthority CA = TestCertificateAuthority.create("Torii gRPC test CA");
    private static Path ca;

    @DynamicPropertySource
    static void gateway(DynamicPropertyRegistry registry) throws IOException {
        stack(registry);
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "grpc-tls");
        ca = CA.writeCertificate(dir.resolve("ca.crt"));
        CA.issueServer("gateway").writeTo(dir.resolve("gateway.crt"), dir.resolve("gateway.key"));
        registry.add("spring.ssl.bundle.pem.public.keystore.certificate", () -> dir.resolve("gateway.crt").toString());
        registry.add("spring.ssl.bundle.pem.public.keystore.private-key", () -> dir.resolve("gateway.key").toString());
        registry.add("server.ssl.bundle", () -> "public");
    }

    @Override
    ManagedChannel open(int port) throws IOException {
        return NettyChannelBuilder.forAddress("localhost", port)
                .sslContext(GrpcSslContexts.forClient().trustManager(ca.toFile()).build())
                .build();
    }
}
