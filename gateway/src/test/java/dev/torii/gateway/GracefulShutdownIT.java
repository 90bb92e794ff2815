package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.torii.gateway.test.v1.EchoResponse;
import dev.torii.gateway.test.v1.SleepRequest;
import dev.torii.gateway.testing.HttpCalls;
import dev.torii.gateway.testing.TestBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stops the real gateway the way Kubernetes does — SIGTERM to a separate JVM started from the
 * built jar — while a burst of slow calls is in flight through it to a real gRPC backend, and
 * checks what clients, probes and operators see: every call in flight is answered in full,
 * readiness says "out of service" (and liveness still "up") while they drain, no new connection
 * is accepted, the upstream channels close only after the calls finished, and the process ends
 * on its own well inside the shutdown grace period.
 */
class GracefulShutdownIT {

    private static final String SLEEP = "/torii.test.v1.TestService/Sleep";
    private static final String PROTOBUF = "application/x-protobuf";
    private static final int CALLS = 20;
    // Every call takes at least this long; the backend also holds the answers until the test has
    // looked at the gateway during shutdown, so the checks below never race the calls.
    private static final long SLOW_MILLIS = 1500;
    // spring.lifecycle.timeout-per-shutdown-phase in the gateway's application.yaml.
    private static final Duration SHUTDOWN_PHASE_TIMEOUT = Duration.ofSeconds(20);
    // The JVM's status after it ran its shutdown hooks on SIGTERM: 128 + 15.
    private static final int EXIT_ON_SIGTERM = 143;
    // The time of a log line, plain (leading timestamp) or JSON (its @timestamp field).
    private static final Pattern LOG_TIME = Pattern.compile(
            "(?:^|\"@timestamp\":\")(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+(?:Z|[+-]\\d\\d:\\d\\d))");

    @TempDir
    Path dir;

    private TestBackend backend;
    private Process gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.destroyForcibly();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void sigtermDrainsCallsInFlightThenClosesChannelsAndExits() throws Exception {
        backend = TestBackend.start();
        int publicPort = freePort();
        int managementPort = freePort();
        Path log = dir.resolve("gateway.log");
        gateway = startGateway(publicPort, managementPort, log);
        HttpCalls management = new HttpCalls(managementPort);

        HttpResponse<byte[]> ready = awaitReady(management, log);
        assertThat(text(ready)).contains("\"readinessState\":{\"status\":\"UP\"}", "\"routes\":{",
                "\"methods\":1", "\"services\":[\"torii.test.v1.TestService\"]");

        backend.holdAnswers();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        List<CompletableFuture<HttpResponse<byte[]>>> calls = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            byte[] body = SleepRequest.newBuilder().setMillis(SLOW_MILLIS + i).build().toByteArray();
            calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + publicPort + SLEEP))
                    .timeout(Duration.ofSeconds(60)).header("Content-Type", PROTOBUF)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofByteArray()));
        }
        // Every call is through the gateway and waiting on the backend.
        await().atMost(Duration.ofSeconds(30)).until(() -> backend.calls() == CALLS);

        long sigtermAt = System.nanoTime();
        gateway.destroy();

        // While the calls drain, the management port still answers: readiness is out of service
        // (a load balancer stops sending new requests), liveness stays up (nobody kills the pod).
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> management.send(get(management, "/actuator/health/readiness")).statusCode() == 503);
        assertThat(text(management.send(get(management, "/actuator/health/readiness"))))
                .contains("\"status\":\"OUT_OF_SERVICE\"");
        HttpResponse<byte[]> liveness = management.send(get(management, "/actuator/health/liveness"));
        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(text(liveness)).contains("\"status\":\"UP\"");
        // The public port stops accepting connections as soon as the graceful shutdown begins.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> refusesConnections(publicPort));
        HttpClient newClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertThatThrownBy(() -> newClient.send(HttpRequest.newBuilder(URI.create("http://localhost:" + publicPort + SLEEP))
                .header("Content-Type", PROTOBUF).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray()))
                .isInstanceOf(ConnectException.class);
        assertThat(calls).noneMatch(CompletableFuture::isDone);
        assertThat(gateway.isAlive()).isTrue();

        Thread.sleep(Math.max(0, SLOW_MILLIS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigtermAt)));
        // Log lines carry milliseconds.
        Instant releasedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        backend.releaseAnswers();

        for (int i = 0; i < CALLS; i++) {
            HttpResponse<byte[]> response = calls.get(i).get(30, TimeUnit.SECONDS);
            assertThat(response.statusCode()).as("call %d", i).isEqualTo(200);
            EchoResponse answer = EchoResponse.parseFrom(response.body());
            assertThat(answer.getNumber()).as("call %d", i).isEqualTo(SLOW_MILLIS + i);
            assertThat(answer.getServedBy()).isEqualTo("backend");
        }
        assertThat(backend.cancelled()).isZero();

        Duration left = SHUTDOWN_PHASE_TIMEOUT.minusNanos(System.nanoTime() - sigtermAt);
        assertThat(gateway.waitFor(Math.max(0, left.toMillis()), TimeUnit.MILLISECONDS))
                .as("the gateway exits within %s of SIGTERM; log:%n%s", SHUTDOWN_PHASE_TIMEOUT, read(log))
                .isTrue();
        assertThat(gateway.exitValue()).as(read(log)).isEqualTo(EXIT_ON_SIGTERM);

        // The public server drained first, then the channels closed, and nothing was cut short.
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        int drained = indexOf(lines, "Graceful shutdown complete");
        int closing = indexOf(lines, "closing 1 upstream channel(s)");
        int closed = indexOf(lines, "upstream channel to localhost:" + backend.port() + " (plaintext) closed");
        assertThat(drained).as(read(log)).isNotNegative();
        assertThat(closing).as(read(log)).isGreaterThan(drained);
        assertThat(closed).as(read(log)).isGreaterThan(closing);
        assertThat(timeOf(lines.get(drained))).isAfterOrEqualTo(releasedAt);
        assertThat(timeOf(lines.get(closing))).isAfterOrEqualTo(releasedAt);
        assertThat(read(log)).doesNotContain("still busy", "cancelling", "Graceful shutdown aborted", "ERROR");
    }

    private Process startGateway(int publicPort, int managementPort, Path log) throws Exception {
        Path routes = Files.createDirectory(dir.resolve("routes"));
        Files.writeString(routes.resolve("tests.yaml"), """
                service: torii.test.v1.TestService
                upstream: {target: "localhost:%d"}
                timeout: 30s
                auth: public
                methods: [Sleep]
                """.formatted(backend.port()));
        Path testDescriptors = Path.of(getClass().getResource("/test-descriptors.binpb").toURI());
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("torii.test.exec-jar"),
                "--server.port=" + publicPort,
                "--management.server.port=" + managementPort,
                "--torii.gateway.routes-dir=" + routes,
                "--torii.gateway.descriptor-sets=classpath*:META-INF/torii/descriptors/*.binpb,file:" + testDescriptors);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private HttpResponse<byte[]> awaitReady(HttpCalls management, Path log) {
        long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < until) {
            if (!gateway.isAlive()) {
                throw new AssertionError("the gateway stopped while starting; log:\n" + read(log));
            }
            try {
                HttpResponse<byte[]> response = management.send(get(management, "/actuator/health/readiness"));
                if (response.statusCode() == 200) {
                    return response;
                }
            } catch (UncheckedIOException notListeningYet) {
                // Starting.
            }
            sleep(Duration.ofMillis(200));
        }
        throw new AssertionError("the gateway was not ready within 120s; log:\n" + read(log));
    }

    private static boolean refusesConnections(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 1000);
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static HttpRequest get(HttpCalls management, String path) {
        return HttpRequest.newBuilder(URI.create(management.base() + path)).timeout(Duration.ofSeconds(5)).GET()
                .build();
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    private static Instant timeOf(String line) {
        Matcher matcher = LOG_TIME.matcher(line);
        assertThat(matcher.find()).as("a timestamped log line: %s", line).isTrue();
        return OffsetDateTime.parse(matcher.group(1)).toInstant();
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
