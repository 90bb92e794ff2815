package dev.torii.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.torii.authority.config.GrpcServerLifecycle;
import dev.torii.authority.testing.TestCertificateAuthority;
import dev.torii.authority.testing.TestCertificateAuthority.Issued;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Runs the real Authority with its gRPC server on TLS from a PEM SSL bundle that requires client
 * certificates, and checks who gets in: a client with a certificate from the bundle's CA does;
 * a client without a certificate, with a certificate from another CA, that does not trust the
 * server's CA, or that speaks plaintext does not. Replacing the certificate files changes the
 * certificate new connections see, without a restart.
 */
@SpringBootTest(classes = AuthorityApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GrpcServerTlsIT {

    private static final TestCertificateAuthority CA = TestCertificateAuthority.create("Torii test CA");
    private static final TestCertificateAuthority STRANGER_CA = TestCertificateAuthority.create("Someone else's CA");
    private static final Issued CLIENT = CA.issueClient("torii-gateway");

    private static Path serverCertificate;
    private static Path serverKey;

    @Autowired
    private GrpcServerLifecycle grpcServer;

    @DynamicPropertySource
    static void tls(DynamicPropertyRegistry registry) throws IOException {
        // Under target/, not deleted after the tests: the cached context's file watcher outlives them.
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "authority-tls");
        serverCertificate = dir.resolve("tls.crt");
        serverKey = dir.resolve("tls.key");
        CA.issueServer("authority-1").writeTo(serverCertificate, serverKey);
        Path ca = CA.writeCertificate(dir.resolve("ca.crt"));
        String bundle = "spring.ssl.bundle.pem.authority-grpc.";
        registry.add(bundle + "keystore.certificate", serverCertificate::toString);
        registry.add(bundle + "keystore.private-key", serverKey::toString);
        registry.add(bundle + "truststore.certificate", ca::toString);
        registry.add(bundle + "reload-on-update", () -> "true");
        registry.add("spring.ssl.bundle.watch.file.quiet-period", () -> "100ms");
        registry.add("torii.authority.grpc.port", () -> "0");
        registry.add("torii.authority.grpc.ssl.bundle", () -> "authority-grpc");
        registry.add("torii.authority.grpc.ssl.client-auth", () -> "require");
    }

    @Test
    void aClientWithACertificateFromTheCaIsServed() throws IOException {
        ServingStatus status = health(TlsChannelCredentials.newBuilder()
                .keyManager(stream(CLIENT.certificatePem()), stream(CLIENT.privateKeyPem()))
                .trustManager(stream(CA.certificatePem())).build());

        assertThat(status).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void aClientWithoutACertificateIsRefused() throws IOException {
        ChannelCredentials anonymous = TlsChannelCredentials.newBuilder().trustManager(stream(CA.certificatePem()))
                .build();

        assertRefused(anonymous);
    }

    @Test
    void aClientWithACertificateFromAnotherCaIsRefused() throws IOException {
        Issued stranger = STRANGER_CA.issueClient("torii-gateway");

        assertRefused(TlsChannelCredentials.newBuilder()
                .keyManager(stream(stranger.certificatePem()), stream(stranger.privateKeyPem()))
                .trustManager(stream(CA.certificatePem())).build());
    }

    @Test
    void aClientThatDoesNotTrustTheServersCaIsRefused() throws IOException {
        assertRefused(TlsChannelCredentials.newBuilder()
                .keyManager(stream(CLIENT.certificatePem()), stream(CLIENT.privateKeyPem()))
                .trustManager(stream(STRANGER_CA.certificatePem())).build());
    }

    @Test
    void aPlaintextClientIsRefused() {
        assertRefused(InsecureChannelCredentials.create());
    }

    @Test
    void newConnectionsUseAReplacedCertificate() throws Exception {
        assertThat(serverCommonName()).isIn("CN=authority-1", "CN=authority-2");

        CA.issueServer("authority-2").writeTo(serverCertificate, serverKey);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(serverCommonName()).isEqualTo("CN=authority-2"));
        assertThat(health(TlsChannelCredentials.newBuilder()
                .keyManager(stream(CLIENT.certificatePem()), stream(CLIENT.privateKeyPem()))
                .trustManager(stream(CA.certificatePem())).build())).isEqualTo(ServingStatus.SERVING);
    }

    private ServingStatus health(ChannelCredentials credentials) {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", grpcServer.port(), credentials).build();
        try {
            return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus();
        } finally {
            channel.shutdownNow();
        }
    }

    private void assertRefused(ChannelCredentials credentials) {
        assertThatThrownBy(() -> health(credentials)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    /** Shakes hands over a new connection, as a gRPC client with a valid certificate would, and names the server. */
    private String serverCommonName() throws IOException {
        SslBundle client = SslBundle.of(new PemSslStoreBundle(
                PemSslStoreDetails.forCertificate(CLIENT.certificatePem()).withPrivateKey(CLIENT.privateKeyPem()),
                PemSslStoreDetails.forCertificate(CA.certificatePem())));
        try (SSLSocket socket = (SSLSocket) client.createSslContext().getSocketFactory()
                .createSocket("localhost", grpcServer.port())) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    private static ByteArrayInputStream stream(String pem) {
        return new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8));
    }
}
