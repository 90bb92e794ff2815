package dev.torii.gateway.testing;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.rpc.ErrorDetailsProto;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Connect client that no one here wrote: connect-es ({@code @connectrpc/connect-node}) in a
 * Node.js process, one process per call. It runs {@code src/test/js/connect-client.mjs}, which the
 * build installs with its locked dependencies into {@code target/js}, and reads the call's events
 * (response messages, then the end with its Connect code) as the client sees them.
 */
public final class ConnectNodeClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration CALL_LIMIT = Duration.ofSeconds(30);

    /** The message encoding of a transport. */
    public enum Format {
        /** {@code application/proto}, {@code application/connect+proto}: connect-es's default. */
        BINARY,
        /** {@code application/json}, {@code application/connect+json}. */
        JSON
    }

    /** The protocol of a transport: connect-es has a transport for each. */
    public enum Protocol {
        /** {@code createConnectTransport}. */
        CONNECT,
        /** {@code createGrpcWebTransport}. */
        GRPC_WEB,
        /** {@code createGrpcTransport}: HTTP/2 only. */
        GRPC
    }

    /**
     * How the client talks to the server.
     *
     * @param format the message encoding
     * @param httpVersion {@code "1.1"} or {@code "2"} (cleartext HTTP/2 with prior knowledge)
     * @param gzip whether requests are gzip-compressed (every one, however small) and only gzip
     *     is accepted back
     * @param protocol the wire protocol
     */
    public record Transport(Format format, String httpVersion, boolean gzip, Protocol protocol) {

        /**
         * Describes a Connect transport.
         *
         * @param format the message encoding
         * @param httpVersion {@code "1.1"} or {@code "2"}
         * @param gzip whether requests are compressed
         */
        public Transport(Format format, String httpVersion, boolean gzip) {
            this(format, httpVersion, gzip, Protocol.CONNECT);
        }
    }

    /**
     * One call to make.
     *
     * @param path {@code package.Service/Method}
     * @param json the request message in the proto3 JSON mapping
     * @param headers request headers
     * @param timeoutMs the client's timeout (connect-es's {@code timeoutMs}), or null for none
     * @param useHttpGet whether the client may use a Connect GET for side-effect-free methods
     */
    public record Request(String path, String json, Map<String, String> headers, Integer timeoutMs, boolean useHttpGet) {

        /**
         * Starts a request without headers or timeout.
         *
         * @param path {@code package.Service/Method}
         * @param json the request message in the proto3 JSON mapping
         * @return the request
         */
        public static Request of(String path, String json) {
            return new Request(path, json, Map.of(), null, false);
        }

        /**
         * Returns this request with one more header.
         *
         * @param name the header name
         * @param value its value
         * @return the new request
         */
        public Request header(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Request(path, json, Map.copyOf(more), timeoutMs, useHttpGet);
        }

        /**
         * Returns this request with the client's timeout set.
         *
         * @param millis the timeout
         * @return the new request
         */
        public Request timeoutMs(int millis) {
            return new Request(path, json, headers, millis, useHttpGet);
        }

        /**
         * Returns this request allowed to go as a Connect GET.
         *
         * @return the new request
         */
        public Request httpGet() {
            return new Request(path, json, headers, timeoutMs, true);
        }
    }

    /**
     * One line the client printed.
     *
     * @param type {@code request}, {@code message} or {@code end}
     * @param body the whole line
     * @param receivedNanos {@link System#nanoTime()} when the test read it
     */
    public record Event(String type, JsonNode body, long receivedNanos) {}

    /**
     * How a call ended, as the client saw it.
     *
     * @param requests the HTTP/1.1 requests it sent (method and path); none are reported for HTTP/2
     * @param messages the response messages, in proto3 JSON
     * @param end the end event
     */
    public record Outcome(List<JsonNode> requests, List<JsonNode> messages, JsonNode end) {

        /**
         * Returns the Connect code in lower snake case: {@code ok}, {@code not_found}, ….
         *
         * @return the code
         */
        public String code() {
            return end.get("code").asString();
        }

        /**
         * Returns the error message without its code prefix; empty on success.
         *
         * @return the message
         */
        public String message() {
            return end.get("message").asString();
        }

        /**
         * Returns the milliseconds from the call's start to its end, measured in the client.
         *
         * @return the elapsed time
         */
        public long elapsedMs() {
            return end.get("elapsedMs").asLong();
        }

        /**
         * Returns the type names of the error's details.
         *
         * @return the type names, in order
         */
        public List<String> detailTypes() {
            List<String> types = new ArrayList<>();
            end.get("details").forEach(detail -> types.add(detail.get("type").asString()));
            return types;
        }

        /**
         * Returns the first detail of a type, decoded to proto3 JSON.
         *
         * @param type the detail's full type name, such as {@code google.rpc.RetryInfo}
         * @return the detail's value, when there is one of that type
         */
        public Optional<JsonNode> detail(String type) {
            for (JsonNode detail : end.get("details")) {
                if (detail.get("type").asString().equals(type)) {
                    return Optional.of(detail.get("value"));
                }
            }
            return Optional.empty();
        }

        /**
         * Returns a header of the error (connect-es's {@code ConnectError.metadata}: the
         * response's headers and trailers).
         *
         * @param name the header name, lower case
         * @return its value
         */
        public Optional<String> errorMetadata(String name) {
            return Optional.ofNullable(end.get("metadata").get(name)).map(JsonNode::asString);
        }
    }

    private final Path jsDir;
    private final List<Path> descriptorSets;
    private final String baseUrl;
    private final Transport transport;

    private ConnectNodeClient(Path jsDir, List<Path> descriptorSets, String baseUrl, Transport transport) {
        this.jsDir = jsDir;
        this.descriptorSets = descriptorSets;
        this.baseUrl = baseUrl;
        this.transport = transport;
    }

    /**
     * Makes a client of the server at {@code baseUrl} that knows the schemas of the proto
     * module's descriptor set and the google.rpc error details. The installed client and the
     * descriptor set are found through the system properties {@code torii.test.js-dir} and
     * {@code torii.test.descriptor-set} that the build sets.
     *
     * @param baseUrl the server, such as {@code http://localhost:8080}
     * @param transport how to talk to it
     * @return the client
     * @throws IllegalStateException when Node.js or the installed client is missing
     */
    public static ConnectNodeClient of(String baseUrl, Transport transport) throws IOException {
        Path jsDir = Path.of(System.getProperty("torii.test.js-dir", "target/js")).toAbsolutePath();
        if (!Files.isDirectory(jsDir.resolve("node_modules/@connectrpc/connect-node"))) {
            throw new IllegalStateException("connect-es is not installed in " + jsDir
                    + " (expected: npm ci there, which the gateway's build runs before its integration tests)");
        }
        node();
        Path descriptors = Path.of(System.getProperty("torii.test.descriptor-set",
                "../proto/target/classes/META-INF/torii/descriptors/torii-proto.binpb")).toAbsolutePath();
        return new ConnectNodeClient(jsDir, List.of(descriptors, errorDetailsDescriptorSet()), baseUrl, transport);
    }

    /**
     * Starts a call; its events can be read while it runs.
     *
     * @param request the call
     * @return the running call
     */
    public Call start(Request request) throws IOException {
        int slash = request.path().indexOf('/');
        ObjectNode input = JSON.createObjectNode();
        input.putArray("descriptorSets").addAll(descriptorSets.stream().map(p -> JSON.getNodeFactory().stringNode(p.toString())).toList());
        input.put("baseUrl", baseUrl);
        input.put("service", request.path().substring(0, slash));
        input.put("method", request.path().substring(slash + 1));
        input.set("request", JSON.readTree(request.json()));
        input.put("format", transport.format() == Format.BINARY ? "binary" : "json");
        input.put("httpVersion", transport.httpVersion());
        input.put("gzip", transport.gzip());
        input.put("protocol", transport.protocol().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        input.put("useHttpGet", request.useHttpGet());
        ObjectNode headers = input.putObject("headers");
        request.headers().forEach(headers::put);
        if (request.timeoutMs() != null) {
            input.put("timeoutMs", request.timeoutMs());
        }
        Path stderr = Files.createTempFile("connect-client", ".log");
        Process process = new ProcessBuilder(node(), jsDir.resolve("connect-client.mjs").toString())
                .directory(jsDir.toFile())
                .redirectError(stderr.toFile())
                .start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(JSON.writeValueAsBytes(input));
        }
        return new Call(request.path(), process, stderr);
    }

    /**
     * Makes a call and waits for its end.
     *
     * @param request the call
     * @return how it ended
     */
    public Outcome run(Request request) throws IOException, InterruptedException {
        try (Call call = start(request)) {
            return call.end(CALL_LIMIT);
        }
    }

    /** A call in progress in its own Node.js process. */
    public static final class Call implements AutoCloseable {
        private static final Event EOF = new Event("eof", null, 0);

        private final String path;
        private final Process process;
        private final Path stderr;
        private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        private final List<JsonNode> requests = new ArrayList<>();
        private final Deque<JsonNode> messages = new ArrayDeque<>();

        private Call(String path, Process process, Path stderr) {
            this.path = path;
            this.process = process;
            this.stderr = stderr;
            Thread reader = new Thread(this::read, "connect-client-" + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    JsonNode event = JSON.readTree(line);
                    events.add(new Event(event.get("event").asString(), event, System.nanoTime()));
                }
            } catch (IOException | RuntimeException e) {
                // The process died or printed something else; what it said is in its stderr.
            } finally {
                events.add(EOF);
            }
        }

        /**
         * Waits for the next response message.
         *
         * @param timeout how long to wait
         * @return the message event
         * @throws AssertionError when the call ends first or nothing comes in time
         */
        public Event nextMessage(Duration timeout) throws InterruptedException {
            Event event = nextEvent(timeout);
            if (!event.type().equals("message")) {
                throw new AssertionError(path + ": expected a message, got " + event.body());
            }
            return event;
        }

        /**
         * Waits for the end of the call, collecting the messages not read yet.
         *
         * @param timeout how long to wait
         * @return how the call ended
         * @throws AssertionError when it does not end in time
         */
        public Outcome end(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Event event = nextEvent(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                if (event.type().equals("message")) {
                    messages.add(event.body().get("message"));
                } else if (event.type().equals("end")) {
                    return new Outcome(List.copyOf(requests), List.copyOf(messages), event.body());
                }
            }
        }

        private Event nextEvent(Duration timeout) throws InterruptedException {
            while (true) {
                Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (event == null) {
                    throw new AssertionError(path + ": connect-es reported nothing within " + timeout);
                }
                if (event == EOF) {
                    events.add(EOF);
                    process.waitFor(5, TimeUnit.SECONDS);
                    throw new AssertionError(path + ": connect-client ended without an end event: " + stderr());
                }
                if (!event.type().equals("request")) {
                    return event;
                }
                requests.add(event.body());
            }
        }

        private String stderr() {
            try {
                return Files.readString(stderr, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * Returns the end event if the call has ended without its end having been read.
         *
         * @return the end event, or empty while the call runs
         */
        public Optional<JsonNode> peekEnd() {
            return events.stream().filter(e -> e.type().equals("end")).findFirst().map(Event::body);
        }

        /**
         * Ends the client process, if it still runs, as a client going away would.
         */
        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
                Files.deleteIfExists(stderr);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String node() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "node");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("node not found on PATH (expected: installed by make test,"
                + " from Debian's nodejs package: scripts/test-deps.sh node:nodejs npm)");
    }

    // The google.rpc error details (RetryInfo, BadRequest, …) are not in the proto module's set;
    // with them the client decodes the details the gateway sends.
    private static Path errorDetailsDescriptorSet() throws IOException {
        Set<FileDescriptor> files = new LinkedHashSet<>();
        collect(ErrorDetailsProto.getDescriptor(), files);
        FileDescriptorSet.Builder set = FileDescriptorSet.newBuilder();
        files.forEach(file -> set.addFile(file.toProto()));
        Path path = Files.createTempFile("google-rpc-error-details", ".binpb");
        path.toFile().deleteOnExit();
        Files.write(path, set.build().toByteArray());
        return path;
    }

    private static void collect(FileDescriptor file, Set<FileDescriptor> files) {
        for (FileDescriptor dependency : file.getDependencies()) {
            collect(dependency, files);
        }
        files.add(file);
    }
}
