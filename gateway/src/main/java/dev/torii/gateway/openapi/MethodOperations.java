package dev.torii.gateway.openapi;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.rpc.Status;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteDurations;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes the OpenAPI operations of one routed method: {@code POST /pkg.Service/Method} in the
 * legacy dialect and Connect (a Connect stream for a server-streaming method), Connect's
 * {@code GET} form for side-effect-free unary methods, and one operation per REST binding, each
 * with its parameters, bodies, error responses and security.
 */
final class MethodOperations {

    /** Where the shared header parameters live, for {@code $ref}. */
    static final String PARAMETER_REF = "#/components/parameters/";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String JSON = "application/json";
    private static final String CONNECT_STREAM = "application/connect+json";
    private static final String NDJSON = "application/x-ndjson";
    private static final String EVENT_STREAM = "text/event-stream";
    private static final String PROTOCOL_VERSION = "Connect-Protocol-Version";
    private static final String TIMEOUT = "Connect-Timeout-Ms";

    private final MessageSchemas schemas;
    private final ErrorResponses errors;
    private final SecurityRequirements security;
    private final RestParameters restParameters;
    private final SourceComments comments;
    private final ObjectNode parameters = NODES.objectNode();

    /**
     * Creates the operation writer of one document.
     *
     * @param schemas the document's schemas
     * @param errors the document's error responses
     * @param security the document's security schemes
     * @param comments the descriptors' comments
     */
    MethodOperations(MessageSchemas schemas, ErrorResponses errors, SecurityRequirements security,
            SourceComments comments) {
        this.schemas = schemas;
        this.errors = errors;
        this.security = security;
        this.comments = comments;
        this.restParameters = new RestParameters(schemas);
    }

    /**
     * Returns the header parameters the operations referred to, for {@code components/parameters}.
     *
     * @return the parameters by name
     */
    ObjectNode parameters() {
        return parameters;
    }

    /**
     * Writes {@code POST} on the method's RPC path, the operation every routed method has.
     *
     * @param route the method's route
     * @return the operation
     */
    ObjectNode rpc(MethodRoute route) {
        boolean streaming = route.serverStreaming();
        ObjectNode operation = common(route, route.serviceName() + "." + route.methodName(),
                streaming ? "Connect server stream: the request and each answer travel in Connect's envelopes"
                        + " (a 5-byte prefix, then the JSON message); the stream ends with an end-of-stream"
                        + " message that carries any error." : "The legacy dialect and Connect unary, in JSON as documented"
                        + " here; the same path takes and answers protobuf (application/x-protobuf, application/proto).");
        ArrayNode headerParameters = operation.putArray("parameters");
        headerParameters.addObject().put("$ref", PARAMETER_REF + protocolVersion());
        headerParameters.addObject().put("$ref", PARAMETER_REF + timeout());
        String type = streaming ? CONNECT_STREAM : JSON;
        ObjectNode body = operation.putObject("requestBody").put("required", true);
        body.putObject("content").putObject(type).set("schema", schemas.ref(route.protoMethod().getInputType()));
        ObjectNode responses = operation.putObject("responses");
        ObjectNode answer = schemas.ref(route.protoMethod().getOutputType());
        if (streaming) {
            // Connect answers every failure of a stream with 200 and the error in the stream's end.
            ObjectNode envelope = NODES.objectNode();
            envelope.putArray("oneOf").add(answer).add(errors.connectEndOfStream());
            responses.putObject("200").put("description", "The stream: one envelope per "
                    + route.protoMethod().getOutputType().getName() + ", then the end-of-stream message, which"
                    + " carries the error if the call failed (before it started, too).")
                    .putObject("content").putObject(type).set("schema", envelope);
        } else {
            responses.putObject("200").put("description", "The " + route.protoMethod().getOutputType().getName() + ".")
                    .putObject("content").putObject(type).set("schema", answer);
            errors.addTo(responses, true, !route.auth().isPublic(), true);
        }
        return operation;
    }

    /**
     * Writes Connect's {@code GET} form of a side-effect-free unary method: the request message
     * in the query, so that caches may keep the answer.
     *
     * @param route the method's route; it must be unary and side-effect free
     * @return the operation
     */
    ObjectNode connectGet(MethodRoute route) {
        ObjectNode operation = common(route, route.serviceName() + "." + route.methodName() + ".get",
                "Connect's GET form: the request message goes in the query, so that caches may keep the answer.");
        ArrayNode query = operation.putArray("parameters");
        query.addObject().put("name", "connect").put("in", "query").put("required", true)
                .put("description", "The Connect protocol version.")
                .putObject("schema").put("type", "string").putArray("enum").add("v1");
        query.addObject().put("name", "encoding").put("in", "query").put("required", true)
                .put("description", "How the message is encoded.")
                .putObject("schema").put("type", "string").putArray("enum").add("json").add("proto");
        query.addObject().put("name", "message").put("in", "query").put("required", true)
                .put("description", "The " + route.protoMethod().getInputType().getName()
                        + ", percent-encoded (or base64url with base64=1).")
                .putObject("schema").put("type", "string");
        query.addObject().put("name", "base64").put("in", "query")
                .put("description", "1 when message is base64url-encoded.")
                .putObject("schema").put("type", "string").putArray("enum").add("1");
        query.addObject().put("name", "compression").put("in", "query")
                .put("description", "The message's compression.")
                .putObject("schema").put("type", "string").putArray("enum").add("identity").add("gzip");
        ObjectNode responses = operation.putObject("responses");
        ObjectNode ok = responses.putObject("200").put("description",
                "The " + route.protoMethod().getOutputType().getName() + ".");
        ok.putObject("content").putObject(JSON).set("schema", schemas.ref(route.protoMethod().getOutputType()));
        errors.addTo(responses, true, !route.auth().isPublic(), false);
        return operation;
    }

    /**
     * Writes one REST binding of the method.
     *
     * @param route the method's route
     * @param binding the binding
     * @param operationId the operation's id, unique in the document
     * @return the operation
     */
    ObjectNode rest(MethodRoute route, RestOperation binding, String operationId) {
        Descriptor request = route.protoMethod().getInputType();
        Descriptor response = route.protoMethod().getOutputType();
        boolean streaming = route.serverStreaming();
        ObjectNode operation = common(route, operationId, "REST binding (google.api.http) of the method.");
        ArrayNode fields = restParameters.parameters(request, binding);
        if (!fields.isEmpty()) {
            operation.set("parameters", fields);
        }
        boolean hasBody = !binding.body().isEmpty();
        if (hasBody) {
            ObjectNode bodySchema = binding.wholeRequestInBody() ? schemas.ref(request)
                    : schemas.field(RestParameters.resolve(request, binding.body()));
            operation.putObject("requestBody").put("required", true)
                    .putObject("content").putObject(JSON).set("schema", bodySchema);
        }
        ObjectNode answer = binding.responseBody().isEmpty() ? schemas.ref(response)
                : schemas.field(RestParameters.resolve(response, binding.responseBody()));
        ObjectNode responses = operation.putObject("responses");
        ObjectNode ok = responses.putObject("200");
        ObjectNode content = ok.putObject("content");
        if (streaming) {
            ok.put("description", "One JSON object per message as it arrives: {\"result\": …} for each"
                    + " message, and {\"error\": …} (a google.rpc.Status) as the last line if the stream fails."
                    + " Asked for with Accept: text/event-stream, the same objects as server-sent events.");
            content.putObject(NDJSON).set("schema", streamLine(answer));
            content.putObject(EVENT_STREAM).putObject("schema").put("type", "string")
                    .put("description", "Server-sent events, each data: line one of the objects of " + NDJSON + ".");
        } else {
            ok.put("description", "The " + (binding.responseBody().isEmpty() ? response.getName()
                    : response.getName() + "'s " + binding.responseBody()) + ".");
            content.putObject(JSON).set("schema", answer);
        }
        errors.addTo(responses, false, !route.auth().isPublic(), hasBody);
        return operation;
    }

    private ObjectNode common(MethodRoute route, String operationId, String how) {
        ObjectNode operation = NODES.objectNode();
        operation.putArray("tags").add(route.serviceName());
        operation.put("operationId", operationId);
        operation.put("summary", route.methodName());
        String comment = comments.of(route.protoMethod());
        operation.put("description", (comment.isEmpty() ? "" : comment + "\n\n") + how + "\n\nWho may call: "
                + route.auth().describe() + ". Timeout: " + RouteDurations.format(route.timeout()) + ".");
        operation.set("security", security.requirement(route.auth()));
        return operation;
    }

    // One NDJSON line: a message, or the error that ended the stream.
    private ObjectNode streamLine(ObjectNode message) {
        ObjectNode schema = NODES.objectNode();
        ArrayNode oneOf = schema.putArray("oneOf");
        ObjectNode result = oneOf.addObject().put("type", "object").put("additionalProperties", false);
        result.putArray("required").add("result");
        result.putObject("properties").set("result", message);
        ObjectNode error = oneOf.addObject().put("type", "object").put("additionalProperties", false);
        error.putArray("required").add("error");
        error.putObject("properties").set("error", schemas.ref(Status.getDescriptor()));
        return schema;
    }

    private String protocolVersion() {
        if (!parameters.has(PROTOCOL_VERSION)) {
            parameters.putObject(PROTOCOL_VERSION).put("name", PROTOCOL_VERSION).put("in", "header")
                    .put("description", "1 for a Connect unary call (errors then come as Connect's error JSON);"
                            + " without it, the legacy dialect.")
                    .putObject("schema").put("type", "string").putArray("enum").add("1");
        }
        return PROTOCOL_VERSION;
    }

    private String timeout() {
        if (!parameters.has(TIMEOUT)) {
            parameters.putObject(TIMEOUT).put("name", TIMEOUT).put("in", "header")
                    .put("description", "The client's timeout in milliseconds; the shorter of it and the route's"
                            + " applies.")
                    .putObject("schema").put("type", "integer").put("minimum", 1).put("maximum", 9_999_999_999L);
        }
        return TIMEOUT;
    }
}
