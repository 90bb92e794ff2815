package dev.torii.gateway.openapi;

import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.route.ServiceRoutes;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes OpenAPI 3.1 documents of routes: every method's RPC path ({@code POST /pkg.Service/Method},
 * and Connect's GET form where the method is side-effect free), its REST bindings, the request and
 * response schemas from the message descriptors, the auth policy as security requirements and the
 * error answers as {@code google.rpc.Status}. The same routes always give the same bytes: keys are
 * sorted, so documents diff well.
 *
 * <p>REST bindings come from outside the route model: the function given to the constructor
 * returns a method's bindings ({@link #rpcOnly} documents none), for example from its
 * {@code google.api.http} rule and its {@code additional_bindings}:
 *
 * <pre>{@code
 * new OpenApiGenerator(version, route -> rules.of(route).stream()
 *         .map(rule -> new RestOperation(rule.verb(), rule.template(), rule.variables(), rule.body(),
 *                 rule.responseBody()))
 *         .toList());
 * }</pre>
 *
 * <p>The first binding of a method gets the operation id {@code pkg.Service.Method.rest}, the
 * next ones {@code .rest.2}, {@code .rest.3} and so on.
 */
public final class OpenApiGenerator {

    private static final String OPENAPI_VERSION = "3.1.0";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final String version;
    private final Function<MethodRoute, List<RestOperation>> restOperations;

    /**
     * Creates a generator.
     *
     * @param version the documents' {@code info.version}, for example the gateway's version
     * @param restOperations a method's REST bindings; an empty list for none
     */
    public OpenApiGenerator(String version, Function<MethodRoute, List<RestOperation>> restOperations) {
        this.version = version;
        this.restOperations = restOperations;
    }

    /**
     * Creates a generator that documents every route's RPC path and REST bindings (its
     * {@code google.api.http} rule, or its route file's).
     *
     * @param version the documents' {@code info.version}
     * @return the generator
     */
    public static OpenApiGenerator withHttpRules(String version) {
        return new OpenApiGenerator(version, HttpRuleOperations::of);
    }

    /**
     * Creates a generator that documents only the RPC paths.
     *
     * @param version the documents' {@code info.version}
     * @return the generator
     */
    public static OpenApiGenerator rpcOnly(String version) {
        return new OpenApiGenerator(version, route -> List.of());
    }

    /**
     * Returns the gateway's version for {@code info.version}: its jar's Implementation-Version,
     * or {@code development} when run from classes.
     *
     * @return the version
     */
    public static String gatewayVersion() {
        String version = OpenApiGenerator.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }

    /**
     * Writes the document of every route of a table.
     *
     * @param table the routes
     * @return the document
     */
    public ObjectNode allRoutes(RouteTable table) {
        return document("Torii gateway: all routes",
                "Every route the gateway serves, from " + table.services().size() + " route file(s).",
                table.services());
    }

    /**
     * Writes the document of one route file.
     *
     * @param routes the file's routes
     * @return the document
     */
    public ObjectNode routeFile(ServiceRoutes routes) {
        return document("Torii gateway: " + OpenApiDocuments.name(routes.file()),
                "The routes of " + routes.file().getFileName() + " (" + routes.serviceName() + ").", List.of(routes));
    }

    /**
     * Writes a document of some route files.
     *
     * @param title the document's title
     * @param description what the document covers
     * @param services the route files
     * @return the document
     * @throws IllegalArgumentException when two REST bindings share a verb and path, or a binding
     *     names a field its method's messages do not have
     */
    public ObjectNode document(String title, String description, List<ServiceRoutes> services) {
        SourceComments comments = new SourceComments();
        MessageSchemas schemas = new MessageSchemas(comments);
        ErrorResponses errors = new ErrorResponses(schemas);
        SecurityRequirements security = new SecurityRequirements();
        MethodOperations operations = new MethodOperations(schemas, errors, security, comments);
        Map<String, ObjectNode> paths = new TreeMap<>();
        Set<ServiceDescriptor> serviceDescriptors = new LinkedHashSet<>();
        for (ServiceRoutes service : services) {
            for (MethodRoute route : service.methods()) {
                serviceDescriptors.add(route.protoMethod().getService());
                put(paths, route.path(), "post", operations.rpc(route));
                if (route.sideEffectFree() && !route.serverStreaming()) {
                    put(paths, route.path(), "get", operations.connectGet(route));
                }
                List<RestOperation> bindings = restOperations.apply(route);
                for (int i = 0; i < bindings.size(); i++) {
                    RestOperation binding = bindings.get(i);
                    String id = route.serviceName() + "." + route.methodName() + ".rest" + (i == 0 ? "" : "." + (i + 1));
                    put(paths, binding.openApiPath(), binding.verb(), operations.rest(route, binding, id));
                }
            }
        }
        ObjectNode document = NODES.objectNode().put("openapi", OPENAPI_VERSION);
        document.putObject("info").put("title", title).put("version", version).put("description", description);
        ArrayNode tags = document.putArray("tags");
        serviceDescriptors.stream().sorted((a, b) -> a.getFullName().compareTo(b.getFullName())).forEach(service -> {
            ObjectNode tag = tags.addObject().put("name", service.getFullName());
            String comment = comments.of(service);
            if (!comment.isEmpty()) {
                tag.put("description", comment);
            }
        });
        ObjectNode pathsNode = document.putObject("paths");
        paths.forEach(pathsNode::set);
        ObjectNode components = document.putObject("components");
        components.set("schemas", schemas.schemas());
        components.set("responses", errors.responses());
        components.set("parameters", operations.parameters());
        components.set("securitySchemes", security.schemes());
        return document;
    }

    /**
     * Writes a document as indented JSON with sorted keys, the form the gateway serves and
     * {@code check --openapi} writes.
     *
     * @param document the document
     * @return UTF-8 JSON
     */
    public static byte[] json(ObjectNode document) {
        return JSON.writeValueAsBytes(document);
    }

    private static void put(Map<String, ObjectNode> paths, String path, String verb, ObjectNode operation) {
        ObjectNode item = paths.computeIfAbsent(path, p -> NODES.objectNode());
        if (item.has(verb)) {
            throw new IllegalArgumentException(verb.toUpperCase(java.util.Locale.ROOT) + " " + path + ": bound by both "
                    + item.get(verb).get("operationId").asString() + " and "
                    + operation.get("operationId").asString() + " (expected: one operation per verb and path)");
        }
        item.set(verb, operation);
    }
}
