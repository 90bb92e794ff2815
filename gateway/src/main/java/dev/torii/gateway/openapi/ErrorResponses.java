package dev.torii.gateway.openapi;

import com.google.rpc.Status;
import dev.torii.gateway.grpc.GrpcStatusHttpMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Documents the error answers of an operation: the HTTP statuses the gateway answers with (those
 * of {@link GrpcStatusHttpMapping}, and 413 and 415 of its own), each a response in
 * {@code components/responses} whose body is {@code google.rpc.Status} for the legacy dialect and
 * REST, or Connect's error JSON for Connect clients on the RPC path.
 */
final class ErrorResponses {

    /** The schema of Connect's error JSON in {@code components/schemas}. */
    static final String CONNECT_ERROR = "connect.Error";
    /** The schema of a Connect stream's end-of-stream message in {@code components/schemas}. */
    static final String CONNECT_END_OF_STREAM = "connect.EndOfStream";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String RPC_ERROR = "torii.RpcError";
    private static final String RESPONSE_REF = "#/components/responses/";

    // Why the gateway itself answers with a status, beside the codes an upstream may return.
    private static final Map<Integer, String> GATEWAY_REASONS = Map.of(
            400, "The request body does not decode as the method's request message.",
            401, "No credential, or one the Authority refused.",
            403, "The credential's user or service account may not call this route.",
            413, "The request body is larger than the gateway accepts (RESOURCE_EXHAUSTED).",
            415, "The Content-Type is not one this path speaks (INVALID_ARGUMENT).",
            429, "The route's rate limit is used up; Retry-After and a google.rpc.RetryInfo detail say when"
                    + " to try again.",
            503, "The upstream cannot be reached, or its circuit breaker is open.",
            504, "The route's timeout (or the client's shorter one) ran out.");

    private final MessageSchemas schemas;
    private final ObjectNode responses = NODES.objectNode();

    /**
     * Creates the error responses of one document.
     *
     * @param schemas the document's schemas, where {@code google.rpc.Status} is added
     */
    ErrorResponses(MessageSchemas schemas) {
        this.schemas = schemas;
    }

    /**
     * Adds an operation's error responses to its {@code responses}.
     *
     * @param operationResponses the operation's responses
     * @param rpcPath whether the operation is the RPC path (Connect errors too) rather than REST
     * @param authenticated whether the route needs a credential (401 and 403 are possible)
     * @param hasBody whether the request has a body (413 and 415 are possible)
     */
    void addTo(ObjectNode operationResponses, boolean rpcPath, boolean authenticated, boolean hasBody) {
        for (int status : statuses(authenticated, hasBody)) {
            operationResponses.putObject(Integer.toString(status))
                    .put("$ref", RESPONSE_REF + response(rpcPath, status));
        }
        operationResponses.putObject("default").put("$ref", RESPONSE_REF + response(rpcPath, 0));
    }

    /**
     * Returns the responses the operations referred to, for {@code components/responses}.
     *
     * @return the responses by name
     */
    ObjectNode responses() {
        return responses;
    }

    /**
     * Returns the HTTP statuses the gateway may answer an operation with, sorted.
     *
     * @param authenticated whether the route needs a credential
     * @param hasBody whether the request has a body
     * @return the statuses
     */
    static List<Integer> statuses(boolean authenticated, boolean hasBody) {
        List<Integer> statuses = new ArrayList<>(codesByStatus().keySet());
        if (!authenticated) {
            statuses.removeAll(List.of(401, 403));
        }
        if (hasBody) {
            statuses.addAll(List.of(413, 415));
        }
        statuses.sort(null);
        return statuses;
    }

    private String response(boolean rpcPath, int status) {
        String name = (rpcPath ? "rpc." : "rest.") + (status == 0 ? "default" : Integer.toString(status));
        if (!responses.has(name)) {
            ObjectNode response = responses.putObject(name);
            response.put("description", description(status));
            response.putObject("content").putObject("application/json")
                    .set("schema", rpcPath ? rpcErrorSchema() : schemas.ref(Status.getDescriptor()));
            if (status == 429) {
                response.putObject("headers").putObject("Retry-After")
                        .put("description", "Seconds to wait before trying again.")
                        .putObject("schema").put("type", "integer").put("minimum", 1);
            }
        }
        return name;
    }

    /**
     * Returns a reference to the schema of a Connect stream's end-of-stream message, which carries
     * the stream's error, if any: every failure of a Connect stream, even one the gateway finds
     * before calling, is answered 200 and reported there.
     *
     * @return a schema holding only the {@code $ref}
     */
    ObjectNode connectEndOfStream() {
        ObjectNode components = schemas.schemas();
        if (!components.has(CONNECT_END_OF_STREAM)) {
            ObjectNode schema = components.putObject(CONNECT_END_OF_STREAM).put("type", "object")
                    .put("description", "The last envelope of a Connect stream (flag 0x02): the error that ended"
                            + " the stream, if any, and the trailers.");
            ObjectNode properties = schema.putObject("properties");
            properties.set("error", connectErrorRef());
            properties.putObject("metadata").put("type", "object")
                    .put("description", "The trailers, each name with its values.")
                    .putObject("additionalProperties").put("type", "array").putObject("items").put("type", "string");
        }
        return NODES.objectNode().put("$ref", MessageSchemas.REF_PREFIX + CONNECT_END_OF_STREAM);
    }

    private ObjectNode connectErrorRef() {
        ObjectNode components = schemas.schemas();
        if (!components.has(CONNECT_ERROR)) {
            components.set(CONNECT_ERROR, connectError());
        }
        return NODES.objectNode().put("$ref", MessageSchemas.REF_PREFIX + CONNECT_ERROR);
    }

    private ObjectNode rpcErrorSchema() {
        ObjectNode components = schemas.schemas();
        if (!components.has(RPC_ERROR)) {
            ObjectNode schema = components.putObject(RPC_ERROR);
            schema.put("description", "google.rpc.Status in the legacy dialect; Connect's error JSON for requests"
                    + " with Connect-Protocol-Version (and for every Connect stream).");
            ArrayNode oneOf = schema.putArray("oneOf");
            oneOf.add(schemas.ref(Status.getDescriptor()));
            oneOf.add(connectErrorRef());
        }
        return NODES.objectNode().put("$ref", MessageSchemas.REF_PREFIX + RPC_ERROR);
    }

    private static ObjectNode connectError() {
        ObjectNode schema = NODES.objectNode().put("type", "object")
                .put("description", "Connect's error JSON: the code's name, the message and the details.");
        schema.putArray("required").add("code");
        ObjectNode properties = schema.putObject("properties");
        ArrayNode codes = properties.putObject("code").put("type", "string").putArray("enum");
        for (io.grpc.Status.Code code : io.grpc.Status.Code.values()) {
            if (code != io.grpc.Status.Code.OK) {
                codes.add(connectName(code));
            }
        }
        properties.putObject("message").put("type", "string");
        ObjectNode detail = properties.putObject("details").put("type", "array").putObject("items")
                .put("type", "object");
        detail.putArray("required").add("type").add("value");
        ObjectNode detailFields = detail.putObject("properties");
        detailFields.putObject("type").put("type", "string")
                .put("description", "The detail's full message name, for example google.rpc.BadRequest.");
        detailFields.putObject("value").put("type", "string").put("contentEncoding", "base64")
                .put("description", "The detail's protobuf bytes, base64 without padding.");
        detailFields.putObject("debug").put("description", "The detail in proto3 JSON, when the gateway knows its type.");
        return schema;
    }

    // Connect names codes in lower snake case, and spells CANCELLED its own way.
    private static String connectName(io.grpc.Status.Code code) {
        return code == io.grpc.Status.Code.CANCELLED ? "canceled" : code.name().toLowerCase(Locale.ROOT);
    }

    private static String description(int status) {
        if (status == 0) {
            return "Any other error, as google.rpc.Status (Connect's error JSON for Connect clients on the RPC path).";
        }
        List<String> codes = codesByStatus().getOrDefault(status, List.of());
        String reason = GATEWAY_REASONS.getOrDefault(status, "");
        if (codes.isEmpty()) {
            return reason;
        }
        String fromCodes = String.join(", ", codes);
        return reason.isEmpty() ? fromCodes : fromCodes + ". " + reason;
    }

    // CANCELLED's 499 is left out: the client that cancelled no longer reads the answer.
    private static Map<Integer, List<String>> codesByStatus() {
        Map<Integer, List<String>> byStatus = new TreeMap<>();
        for (io.grpc.Status.Code code : io.grpc.Status.Code.values()) {
            int http = GrpcStatusHttpMapping.httpStatus(code.value());
            if (code != io.grpc.Status.Code.OK && code != io.grpc.Status.Code.CANCELLED) {
                byStatus.computeIfAbsent(http, key -> new ArrayList<>()).add(code.name());
            }
        }
        return byStatus;
    }
}
