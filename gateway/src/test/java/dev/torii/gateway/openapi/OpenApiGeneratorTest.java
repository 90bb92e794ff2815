package dev.torii.gateway.openapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torii.examples.offer.v1.OfferProto;
import dev.torii.gateway.grpc.DescriptorRegistry;
import dev.torii.gateway.route.MethodRoute;
import dev.torii.gateway.route.RouteTable;
import dev.torii.gateway.routefile.RouteFileLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks the documents the generator writes for the example offer service and for a message with
 * every kind of field: the operations of each method, the proto3 JSON schemas, the parameters of
 * REST bindings, security from the auth policies, the error responses, and that the output is the
 * same bytes each time.
 */
class OpenApiGeneratorTest {

    static final String OFFERS = """
            service: examples.offer.v1.OfferService
            upstream: {target: "localhost:50051"}
            timeout: 5s
            auth:
              users: {}
              serviceAccounts: {roles: [support.reader]}
            methods:
              - name: CreateOffer
                auth: {users: {scopes: [offers.write]}}
              - name: GetOffer
                timeout: 2s
                auth: public
              - WhoAmI
              - WatchOffers
            """;
    private static final String KITCHEN = """
            service: torii.openapi.test.v1.Kitchen
            upstream: {target: "localhost:50052"}
            auth: {serviceAccounts: {emails: [cook@example.iam.gserviceaccount.com]}}
            methods: [Sink, Drain]
            """;
    private static final String SCHEMAS = "#/components/schemas/";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    @Test
    void documentsTheRpcPathOfEveryMethodWithItsMessages() throws IOException {
        JsonNode document = all(Map.of("offer-service.yaml", OFFERS), OpenApiGenerator.rpcOnly("1.0"));

        assertThat(document.get("openapi").asString()).isEqualTo("3.1.0");
        assertThat(document.at("/info/version").asString()).isEqualTo("1.0");
        assertThat(names(document.get("paths"))).containsExactly(
                "/examples.offer.v1.OfferService/CreateOffer", "/examples.offer.v1.OfferService/GetOffer",
                "/examples.offer.v1.OfferService/WatchOffers", "/examples.offer.v1.OfferService/WhoAmI");
        JsonNode create = document.at("/paths/~1examples.offer.v1.OfferService~1CreateOffer/post");
        assertThat(create.get("operationId").asString()).isEqualTo("examples.offer.v1.OfferService.CreateOffer");
        assertThat(create.at("/requestBody/content/application~1json/schema/$ref").asString())
                .isEqualTo(SCHEMAS + "examples.offer.v1.CreateOfferRequest");
        assertThat(create.at("/responses/200/content/application~1json/schema/$ref").asString())
                .isEqualTo(SCHEMAS + "examples.offer.v1.Offer");
        assertThat(create.get("tags").get(0).asString()).isEqualTo("examples.offer.v1.OfferService");
        assertThat(create.get("description").asString()).contains("Who may call: users(scopes: offers.write)")
                .contains("Timeout: 5s");

        JsonNode offer = document.at("/components/schemas/examples.offer.v1.Offer");
        assertThat(offer.get("type").asString()).isEqualTo("object");
        assertThat(names(offer.get("properties")))
                .containsExactly("createTime", "id", "itemId", "price", "sellerId", "state", "title");
        assertThat(offer.at("/properties/price/$ref").asString()).isEqualTo(SCHEMAS + "examples.offer.v1.Money");
        assertThat(document.at("/components/schemas/examples.offer.v1.Money/properties/units/type").asString())
                .isEqualTo("string");
        assertThat(document.at("/components/schemas/examples.offer.v1.OfferState/enum").toString())
                .isEqualTo("[\"OFFER_STATE_UNSPECIFIED\",\"OFFER_STATE_OPEN\",\"OFFER_STATE_CLOSED\"]");
        assertThat(document.at("/components/schemas/google.protobuf.Timestamp/format").asString())
                .isEqualTo("date-time");
        assertThat(document.at("/components/schemas/examples.offer.v1.WhoAmIResponse/properties/metadata"
                + "/additionalProperties/type").asString()).isEqualTo("string");
    }

    @Test
    void aStreamIsAConnectStreamAndASideEffectFreeMethodHasConnectsGetForm() throws IOException {
        JsonNode document = all(Map.of("offer-service.yaml", OFFERS), OpenApiGenerator.rpcOnly("1.0"));

        JsonNode watch = document.at("/paths/~1examples.offer.v1.OfferService~1WatchOffers");
        assertThat(names(watch)).containsExactly("post");
        assertThat(names(watch.at("/post/requestBody/content"))).containsExactly("application/connect+json");
        assertThat(watch.at("/post/responses/200/content/application~1connect+json/schema/oneOf").toString())
                .isEqualTo("[{\"$ref\":\"" + SCHEMAS + "examples.offer.v1.Offer\"},{\"$ref\":\"" + SCHEMAS
                        + "connect.EndOfStream\"}]");
        assertThat(names(watch.at("/post/responses"))).as("a Connect stream reports every error in its end")
                .containsExactly("200");
        assertThat(document.at("/components/schemas/connect.EndOfStream/properties/error/$ref").asString())
                .isEqualTo(SCHEMAS + "connect.Error");

        JsonNode get = document.at("/paths/~1examples.offer.v1.OfferService~1GetOffer/get");
        assertThat(get.get("operationId").asString()).isEqualTo("examples.offer.v1.OfferService.GetOffer.get");
        List<String> query = new ArrayList<>();
        get.get("parameters").forEach(parameter -> query.add(parameter.get("name").asString()));
        assertThat(query).containsExactly("connect", "encoding", "message", "base64", "compression");
        assertThat(get.has("requestBody")).isFalse();
    }

    @Test
    void theAuthPolicyDecidesTheSecurityRequirement() throws IOException {
        JsonNode document = all(Map.of("offer-service.yaml", OFFERS), OpenApiGenerator.rpcOnly("1.0"));
        JsonNode paths = document.get("paths");

        assertThat(paths.at("/~1examples.offer.v1.OfferService~1GetOffer/post/security").toString()).isEqualTo("[]");
        assertThat(paths.at("/~1examples.offer.v1.OfferService~1CreateOffer/post/security").toString())
                .isEqualTo("[{\"userAccessToken\":[\"offers.write\"]}]");
        assertThat(paths.at("/~1examples.offer.v1.OfferService~1WhoAmI/post/security").toString())
                .isEqualTo("[{\"userAccessToken\":[]},{\"serviceAccountJwt\":[\"support.reader\"]}]");
        assertThat(document.at("/components/securitySchemes/userAccessToken/scheme").asString()).isEqualTo("bearer");
        assertThat(document.at("/components/securitySchemes/serviceAccountJwt/bearerFormat").asString())
                .isEqualTo("JWT");

        JsonNode kitchen = all(Map.of("kitchen.yaml", KITCHEN), OpenApiGenerator.rpcOnly("1.0"));
        assertThat(kitchen.at("/paths/~1torii.openapi.test.v1.Kitchen~1Sink/post/security").toString())
                .isEqualTo("[{\"serviceAccountJwt\":[]}]");
        assertThat(names(kitchen.at("/components/securitySchemes"))).containsExactly("serviceAccountJwt");
    }

    @Test
    void errorsAreGoogleRpcStatusWithTheStatusesTheGatewayAnswers() throws IOException {
        JsonNode document = all(Map.of("offer-service.yaml", OFFERS), OpenApiGenerator.rpcOnly("1.0"));
        JsonNode responses = document.get("components").get("responses");

        JsonNode publicGet = document.at("/paths/~1examples.offer.v1.OfferService~1GetOffer/post/responses");
        assertThat(names(publicGet)).containsExactly("200", "400", "404", "409", "413", "415", "429", "500", "501",
                "503", "504", "default");
        JsonNode protectedCreate = document.at("/paths/~1examples.offer.v1.OfferService~1CreateOffer/post/responses");
        assertThat(names(protectedCreate)).contains("401", "403");
        assertThat(protectedCreate.at("/401/$ref").asString()).isEqualTo("#/components/responses/rpc.401");
        assertThat(responses.at("/rpc.401/description").asString()).contains("UNAUTHENTICATED");
        assertThat(responses.at("/rpc.400/description").asString())
                .contains("INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE");
        assertThat(responses.at("/rpc.429/headers/Retry-After/schema/type").asString()).isEqualTo("integer");
        assertThat(document.at("/components/schemas/torii.RpcError/oneOf").toString())
                .contains(SCHEMAS + "google.rpc.Status").contains(SCHEMAS + "connect.Error");

        JsonNode status = document.at("/components/schemas/google.rpc.Status/properties");
        assertThat(status.at("/code/type").asString()).isEqualTo("integer");
        assertThat(status.at("/message/type").asString()).isEqualTo("string");
        assertThat(status.at("/details/items/$ref").asString()).isEqualTo(SCHEMAS + "google.protobuf.Any");
        assertThat(document.at("/components/schemas/google.protobuf.Any/required").toString()).isEqualTo("[\"@type\"]");
        assertThat(document.at("/components/schemas/connect.Error/properties/code/enum").toString())
                .contains("\"canceled\"", "\"not_found\"", "\"unauthenticated\"").doesNotContain("\"ok\"");
    }

    @Test
    void mapsEveryKindOfFieldAsTheProto3JsonMappingWritesIt() throws IOException {
        JsonNode document = all(Map.of("kitchen.yaml", KITCHEN), OpenApiGenerator.rpcOnly("1.0"));
        JsonNode schemas = document.at("/components/schemas");
        JsonNode sink = schemas.get("torii.openapi.test.v1.Sink").get("properties");

        assertThat(sink.get("count").toString()).isEqualTo(
                "{\"description\":\"How many.\\nNever negative.\",\"format\":\"int32\",\"type\":\"integer\"}");
        assertThat(sink.get("bigNumber").toString()).isEqualTo("{\"format\":\"int64\",\"type\":\"string\"}");
        assertThat(sink.at("/unsigned/maximum").asLong()).isEqualTo(4_294_967_295L);
        assertThat(sink.at("/ratio/format").asString()).isEqualTo("double");
        assertThat(sink.at("/on/type").asString()).isEqualTo("boolean");
        assertThat(sink.get("blob").toString())
                .isEqualTo("{\"contentEncoding\":\"base64\",\"format\":\"byte\",\"type\":\"string\"}");
        assertThat(sink.at("/color/$ref").asString()).isEqualTo(SCHEMAS + "torii.openapi.test.v1.Color");
        assertThat(schemas.get("torii.openapi.test.v1.Color").toString()).isEqualTo("{\"description\":\"A color.\\n\\n- `COLOR_RED`: Red as a torii.\","
                + "\"enum\":[\"COLOR_UNSPECIFIED\",\"COLOR_RED\"],\"type\":\"string\"}");
        assertThat(sink.get("tags").toString()).isEqualTo("{\"items\":{\"type\":\"string\"},\"type\":\"array\"}");
        assertThat(sink.at("/colors/items/$ref").asString()).isEqualTo(SCHEMAS + "torii.openapi.test.v1.Color");
        assertThat(sink.get("childrenByName").toString()).isEqualTo("{\"additionalProperties\":{\"$ref\":\""
                + SCHEMAS + "torii.openapi.test.v1.Sink\"},\"type\":\"object\"}");
        assertThat(sink.at("/namesByNumber/propertyNames/pattern").asString()).isEqualTo("^-?[0-9]+$");
        assertThat(sink.at("/child/$ref").asString()).isEqualTo(SCHEMAS + "torii.openapi.test.v1.Sink");
        assertThat(sink.at("/byEmail/description").asString())
                .isEqualTo("One of `lookup`: at most one of byEmail, byId is set.");
        assertThat(schemas.at("/torii.openapi.test.v1.Sink/description").asString()).isEqualTo("A sink of everything.");
        assertThat(schemas.at("/torii.openapi.test.v1.Sink.Inner/properties/outer/$ref").asString())
                .isEqualTo(SCHEMAS + "torii.openapi.test.v1.Sink");
        assertThat(schemas.at("/torii.openapi.test.v1.Sink.Inner/properties/depth/format").asString()).isEqualTo("uint64");

        assertThat(schemas.at("/google.protobuf.Timestamp/format").asString()).isEqualTo("date-time");
        assertThat(schemas.at("/google.protobuf.Duration/pattern").asString()).isEqualTo("^-?[0-9]+(\\.[0-9]{1,9})?s$");
        assertThat(schemas.at("/google.protobuf.FieldMask/type").asString()).isEqualTo("string");
        assertThat(schemas.at("/google.protobuf.Struct/additionalProperties").asBoolean()).isTrue();
        assertThat(schemas.at("/google.protobuf.Value").has("type")).isFalse();
        assertThat(schemas.at("/google.protobuf.ListValue/type").asString()).isEqualTo("array");
        assertThat(schemas.at("/google.protobuf.Int64Value/type").toString()).isEqualTo("[\"string\",\"null\"]");
        assertThat(schemas.at("/google.protobuf.StringValue/type").toString()).isEqualTo("[\"string\",\"null\"]");
        assertThat(schemas.at("/google.protobuf.Empty/type").asString()).isEqualTo("object");
        assertThat(schemas.at("/google.protobuf.Any/properties/@type/type").asString()).isEqualTo("string");

        JsonNode sinkOperation = document.at("/paths/~1torii.openapi.test.v1.Kitchen~1Sink/post");
        assertThat(sinkOperation.get("description").asString()).startsWith("Fills the sink.\n\n");
        assertThat(document.at("/tags/0").toString()).isEqualTo("{\"description\":\"Cooks.\","
                + "\"name\":\"torii.openapi.test.v1.Kitchen\"}");
    }

    @Test
    void restBindingsGetPathAndQueryParametersAndTheirBodies() throws IOException {
        Map<String, List<RestOperation>> bindings = Map.of(
                "GetOffer", List.of(new RestOperation("GET", "/v1/offers/{id}", List.of("id"), "", "")),
                "CreateOffer", List.of(new RestOperation("post", "/v1/offers", List.of(), "*", ""),
                        new RestOperation("put", "/v1/items/{item_id}/offer", List.of("item_id"), "price", ""),
                        new RestOperation("get", "/v1/offer-drafts", List.of(), "", "price")),
                "WatchOffers", List.of(new RestOperation("get", "/v1/sellers/{seller_id}/offers:watch",
                        List.of("seller_id"), "", "")));
        JsonNode document = all(Map.of("offer-service.yaml", OFFERS), generator(bindings));
        JsonNode paths = document.get("paths");

        JsonNode get = paths.at("/~1v1~1offers~1{id}/get");
        assertThat(get.get("operationId").asString()).isEqualTo("examples.offer.v1.OfferService.GetOffer.rest");
        assertThat(get.get("parameters").toString()).isEqualTo("[{\"in\":\"path\",\"name\":\"id\",\"required\":true,"
                + "\"schema\":{\"type\":\"string\"}}]");
        assertThat(get.has("requestBody")).isFalse();
        assertThat(get.get("security").toString()).isEqualTo("[]");
        assertThat(get.at("/responses/404/$ref").asString()).isEqualTo("#/components/responses/rest.404");
        assertThat(document.at("/components/responses/rest.404/content/application~1json/schema/$ref").asString())
                .isEqualTo(SCHEMAS + "google.rpc.Status");

        JsonNode post = paths.at("/~1v1~1offers/post");
        assertThat(post.has("parameters")).as("body * leaves no query parameter").isFalse();
        assertThat(post.at("/requestBody/content/application~1json/schema/$ref").asString())
                .isEqualTo(SCHEMAS + "examples.offer.v1.CreateOfferRequest");

        JsonNode put = paths.at("/~1v1~1items~1{item_id}~1offer/put");
        assertThat(put.get("operationId").asString()).isEqualTo("examples.offer.v1.OfferService.CreateOffer.rest.2");
        assertThat(parameters(put)).containsExactly("item_id in path", "title in query");
        assertThat(put.at("/requestBody/content/application~1json/schema/$ref").asString())
                .isEqualTo(SCHEMAS + "examples.offer.v1.Money");

        JsonNode draft = paths.at("/~1v1~1offer-drafts/get");
        assertThat(parameters(draft)).containsExactly("itemId in query", "title in query",
                "price.currencyCode in query", "price.units in query");
        assertThat(draft.at("/parameters/3/schema").toString()).isEqualTo("{\"format\":\"int64\",\"type\":\"string\"}");
        assertThat(draft.at("/responses/200/content/application~1json/schema/$ref").asString())
                .isEqualTo(SCHEMAS + "examples.offer.v1.Money");
        assertThat(draft.has("requestBody")).isFalse();

        JsonNode watch = paths.at("/~1v1~1sellers~1{seller_id}~1offers:watch/get");
        assertThat(names(watch.at("/responses/200/content"))).containsExactly("application/x-ndjson",
                "text/event-stream");
        assertThat(watch.at("/responses/200/content/application~1x-ndjson/schema/oneOf/0/properties/result/$ref")
                .asString()).isEqualTo(SCHEMAS + "examples.offer.v1.Offer");
        assertThat(watch.at("/responses/200/content/application~1x-ndjson/schema/oneOf/1/properties/error/$ref")
                .asString()).isEqualTo(SCHEMAS + "google.rpc.Status");
    }

    @Test
    void queryParametersFlattenNestedMessagesOnceAndLeaveOutWhatAQueryCannotCarry() throws IOException {
        Map<String, List<RestOperation>> bindings = Map.of("Sink",
                List.of(new RestOperation("get", "/v1/sinks/{inner.depth}", List.of("inner.depth"), "", "")));
        JsonNode document = all(Map.of("kitchen.yaml", KITCHEN), generator(bindings));

        JsonNode get = document.at("/paths/~1v1~1sinks~1{inner.depth}/get");
        assertThat(parameters(get)).containsExactly("inner.depth in path", "count in query", "bigNumber in query",
                "unsigned in query", "ratio in query", "on in query", "blob in query", "color in query",
                "tags in query", "colors in query", "byEmail in query", "byId in query", "at in query",
                "wait in query", "mask in query", "maybeBig in query", "maybeText in query");
        JsonNode count = get.get("parameters").get(1);
        assertThat(count.get("description").asString()).isEqualTo("How many.\nNever negative.");
        assertThat(count.get("schema").has("description")).isFalse();
        assertThat(get.at("/parameters/8/schema/type").asString()).isEqualTo("array");
        assertThat(get.at("/parameters/0/schema/format").asString()).isEqualTo("uint64");
    }

    @Test
    void aBindingThatNamesNoFieldOrTakesATakenPathIsRefused() throws IOException {
        Map<String, List<RestOperation>> unknownField = Map.of("GetOffer",
                List.of(new RestOperation("get", "/v1/offers/{offer_id}", List.of("offer_id"), "", "")));
        assertThatThrownBy(() -> all(Map.of("offer-service.yaml", OFFERS), generator(unknownField)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("field path 'offer_id' of examples.offer.v1.GetOfferRequest: no field 'offer_id' in"
                        + " examples.offer.v1.GetOfferRequest");

        Map<String, List<RestOperation>> twice = Map.of(
                "GetOffer", List.of(new RestOperation("get", "/v1/offers/{id}", List.of("id"), "", "")),
                "WhoAmI", List.of(new RestOperation("get", "/v1/offers/{id}", List.of(), "", "")));
        assertThatThrownBy(() -> all(Map.of("offer-service.yaml", OFFERS), generator(twice)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("GET /v1/offers/{id}: bound by both");

        assertThatThrownBy(() -> new RestOperation("get", "/v1/offers", List.of("id"), "", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pathFieldPaths: 'id' is not a parameter of '/v1/offers'");
        assertThatThrownBy(() -> new RestOperation("trace", "/v1/offers", List.of(), "", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("verb: 'trace' (expected: one of");
    }

    @Test
    void theSameRoutesGiveTheSameBytesWithSortedKeys() throws IOException {
        RouteTable table = table(Map.of("offer-service.yaml", OFFERS, "kitchen.yaml", KITCHEN));
        OpenApiGenerator generator = OpenApiGenerator.rpcOnly("1.0");

        byte[] first = OpenApiGenerator.json(generator.allRoutes(table));
        byte[] second = OpenApiGenerator.json(generator.allRoutes(table(Map.of("kitchen.yaml", KITCHEN,
                "offer-service.yaml", OFFERS))));

        assertThat(first).isEqualTo(second);
        String text = new String(first, StandardCharsets.UTF_8);
        assertThat(text.indexOf("\"components\"")).isLessThan(text.indexOf("\"info\""));
        assertThat(text.indexOf("\"info\"")).isLessThan(text.indexOf("\"openapi\""));
        assertThat(text.indexOf("\"openapi\"")).isLessThan(text.indexOf("\"paths\""));
        assertThat(text).contains("\n  \"openapi\" : \"3.1.0\"");
    }

    @Test
    void aRouteFilesDocumentHoldsOnlyItsOwnRoutes() throws IOException {
        RouteTable table = table(Map.of("offer-service.yaml", OFFERS, "kitchen.yaml", KITCHEN));
        OpenApiGenerator generator = OpenApiGenerator.rpcOnly("1.0");

        JsonNode kitchen = JSON.readTree(OpenApiGenerator.json(generator.routeFile(table.services().stream()
                .filter(s -> s.serviceName().endsWith("Kitchen")).findFirst().orElseThrow())));

        assertThat(kitchen.at("/info/title").asString()).isEqualTo("Torii gateway: kitchen");
        assertThat(names(kitchen.get("paths"))).allMatch(path -> path.startsWith("/torii.openapi.test.v1.Kitchen/"));
        assertThat(names(kitchen.at("/components/schemas"))).noneMatch(name -> name.startsWith("examples."));
    }

    private JsonNode all(Map<String, String> files, OpenApiGenerator generator) throws IOException {
        return JSON.readTree(OpenApiGenerator.json(generator.allRoutes(table(files))));
    }

    static OpenApiGenerator generator(Map<String, List<RestOperation>> byMethod) {
        Function<MethodRoute, List<RestOperation>> bindings =
                route -> byMethod.getOrDefault(route.methodName(), List.of());
        return new OpenApiGenerator("1.0", bindings);
    }

    private RouteTable table(Map<String, String> files) throws IOException {
        Path folder = Files.createTempDirectory(dir, "routes");
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(folder.resolve(file.getKey()), file.getValue());
        }
        DescriptorRegistry descriptors = DescriptorRegistry.of(List.of(OfferProto.getDescriptor(),
                KitchenSinkProto.file()));
        return new RouteFileLoader(descriptors, new MockEnvironment(), Clock.systemUTC()).load(folder);
    }

    private static List<String> names(JsonNode object) {
        return new ArrayList<>(object.propertyNames());
    }

    private static List<String> parameters(JsonNode operation) {
        List<String> names = new ArrayList<>();
        operation.get("parameters").forEach(p -> names.add(p.get("name").asString() + " in " + p.get("in").asString()));
        return names;
    }
}
