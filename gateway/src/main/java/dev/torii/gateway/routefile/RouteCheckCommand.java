package dev.torii.gateway.routefile;

import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.openapi.OpenApiGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingInitializationContext;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Checks a folder of route files exactly as the gateway loads it, without starting anything, so a
 * platform team's CI can refuse a bad change with only a JDK and the gateway's jar:
 *
 * <pre>java -jar torii-gateway-exec.jar check &lt;routes-dir&gt; [--descriptor-set=&lt;file&gt;]... [--openapi &lt;out.json&gt;]</pre>
 *
 * <p>It runs the gateway's own loader (the route-file JSON Schema, then services and methods
 * against the descriptor sets, duplicate paths, auth policies), prints each problem as
 * {@code file:line: field: message}, and exits with 1 when there is any, 0 with a one-line summary
 * when there is none, and 2 when the command itself is misused. With {@code --openapi} it also
 * writes the OpenAPI 3.1 document of all the folder's routes, the one the gateway would serve at
 * {@code /actuator/openapi}, when the folder is clean.
 */
public final class RouteCheckCommand {

    /** The first argument that selects this command instead of the gateway. */
    public static final String NAME = "check";

    static final int CLEAN = 0;
    static final int PROBLEMS = 1;
    static final int USAGE = 2;

    private static final String DEFAULT_DESCRIPTOR_SETS = "classpath*:META-INF/torii/descriptors/*.binpb";
    private static final String DESCRIPTOR_SET_OPTION = "--descriptor-set=";
    private static final String OPENAPI_OPTION = "--openapi";
    private static final String USAGE_TEXT = """
            usage: java -jar torii-gateway-exec.jar check <routes-dir> [--descriptor-set=<file>]... [--openapi <out.json>]
              Checks every *.yaml and *.yml file of <routes-dir> as the gateway would load it.
              --descriptor-set  a descriptor set (protoc --include_imports --descriptor_set_out=...)
                                with the routed services; repeatable; a path, or a Spring resource
                                location such as classpath*:... (default: the sets inside the jar)
              --openapi         when the folder is clean, writes the OpenAPI 3.1 document of all its
                                routes to <out.json> (also --openapi=<out.json>)
              ${NAME:default} placeholders resolve from environment variables and -D system properties.
              Exit status: 0 clean, 1 problems found, 2 usage error.""";

    private RouteCheckCommand() {}

    /**
     * Runs the check.
     *
     * @param args the arguments after {@code check}
     * @param out where problems and the summary go
     * @param err where usage errors go
     * @return the exit status: 0 clean, 1 problems found, 2 usage error
     */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        List<String> descriptorSets = new ArrayList<>();
        List<String> folders = new ArrayList<>();
        Path openApiOut = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("-h") || arg.equals("--help")) {
                out.println(USAGE_TEXT);
                return CLEAN;
            } else if (arg.startsWith(DESCRIPTOR_SET_OPTION) && arg.length() > DESCRIPTOR_SET_OPTION.length()) {
                descriptorSets.add(location(arg.substring(DESCRIPTOR_SET_OPTION.length())));
            } else if (arg.equals(OPENAPI_OPTION) || arg.startsWith(OPENAPI_OPTION + "=")) {
                String value = arg.equals(OPENAPI_OPTION) ? (i + 1 < args.size() ? args.get(++i) : "")
                        : arg.substring(OPENAPI_OPTION.length() + 1);
                if (value.isEmpty() || value.startsWith("-")) {
                    err.println("check: --openapi '" + value + "' (expected: the file to write the document to)");
                    err.println(USAGE_TEXT);
                    return USAGE;
                }
                openApiOut = Path.of(value);
            } else if (arg.startsWith("-")) {
                err.println("check: unknown option '" + arg + "' (expected: --descriptor-set=<file> or --openapi <file>)");
                err.println(USAGE_TEXT);
                return USAGE;
            } else {
                folders.add(arg);
            }
        }
        if (folders.size() != 1) {
            err.println("check: " + folders.size() + " folders given " + folders + " (expected: exactly one)");
            err.println(USAGE_TEXT);
            return USAGE;
        }
        quietLogging();
        StandardEnvironment environment = new StandardEnvironment();
        DescriptorRegistry descriptors;
        try {
            descriptors = DescriptorRegistry.load(new PathMatchingResourcePatternResolver(),
                    descriptorSets.isEmpty() ? List.of(DEFAULT_DESCRIPTOR_SETS) : descriptorSets);
        } catch (IllegalStateException e) {
            err.println("check: " + e.getMessage());
            return USAGE;
        }
        Path dir = Path.of(folders.get(0));
        List<RouteProblem> problems = new ArrayList<>();
        RouteTable table = null;
        try {
            table = new RouteFileLoader(descriptors, environment, Clock.systemUTC()).load(dir);
        } catch (RouteFileException e) {
            problems.addAll(e.problems());
        }
        problems.sort(Comparator.comparing((RouteProblem p) -> p.file().toString()).thenComparingInt(RouteProblem::line));
        problems.forEach(out::println);
        if (!problems.isEmpty()) {
            out.println(dir + ": " + problems.size() + " problem(s) in route files");
            return PROBLEMS;
        }
        int files = table.services().size(); // a route file declares one service
        out.println(dir + ": OK, " + table.size() + " route(s) of " + table.services().size() + " service(s) in "
                + files + " file(s)");
        if (openApiOut != null) {
            return writeOpenApi(table, openApiOut, out, err);
        }
        return CLEAN;
    }

    private static int writeOpenApi(RouteTable table, Path file, PrintStream out, PrintStream err) {
        byte[] document;
        try {
            document = OpenApiGenerator.json(OpenApiGenerator.withHttpRules(OpenApiGenerator.gatewayVersion()).allRoutes(table));
        } catch (IllegalArgumentException e) {
            err.println("check: no OpenAPI document: " + e.getMessage());
            return PROBLEMS;
        }
        try {
            Files.write(file, document);
        } catch (IOException e) {
            err.println("check: --openapi " + file + ": " + e + " (expected: a file that can be written)");
            return USAGE;
        }
        out.println(file + ": OpenAPI 3.1 document of " + table.size() + " route(s)");
        return CLEAN;
    }

    private static String location(String value) {
        if (value.startsWith("classpath:") || value.startsWith("classpath*:") || value.startsWith("file:")) {
            return value;
        }
        return "file:" + Path.of(value).toAbsolutePath().normalize();
    }

    // The command runs outside Spring, where Logback would print every library's debug lines;
    // Spring Boot's own defaults at WARN keep only what matters.
    private static void quietLogging() {
        LoggingSystem logging = LoggingSystem.get(RouteCheckCommand.class.getClassLoader());
        logging.beforeInitialize();
        logging.initialize(new LoggingInitializationContext(new StandardEnvironment()), null, null);
        logging.setLogLevel(LoggingSystem.ROOT_LOGGER_NAME, LogLevel.WARN);
    }
}
