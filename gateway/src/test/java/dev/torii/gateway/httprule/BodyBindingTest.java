package dev.torii.gateway.httprule;

import static dev.torii.gateway.httprule.Bindings.BINDER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.google.api.HttpBody;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.torii.gateway.test.v1.Book;
import dev.torii.gateway.test.v1.Scalars;
import dev.torii.gateway.test.v1.Shelf;
import dev.torii.gateway.test.v1.UpdateShelfRequest;
import dev.torii.gateway.test.v1.UploadRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The body binds the whole request ({@code *}) or one field, by the proto3 JSON mapping; path
 * variables win over it; HttpBody takes the raw bytes; a body that does not fit names the field.
 */
class BodyBindingTest {

    static Stream<Arguments> bodies() {
        return Stream.of(
                arguments("whole body, JSON names", "UpdateShelf", "*", Map.of(),
                        "{\"name\":\"s\",\"updateMask\":\"name,capacity\",\"limit\":\"3\"}",
                        UpdateShelfRequest.newBuilder().setName("s").setLimit(3).setUpdateMask(
                                com.google.protobuf.FieldMask.newBuilder().addPaths("name").addPaths("capacity")).build()),
                arguments("whole body, proto names", "UpdateShelf", "*", Map.of(),
                        "{\"update_mask\":\"name\",\"limit\":3}",
                        UpdateShelfRequest.newBuilder().setLimit(3).setUpdateMask(
                                com.google.protobuf.FieldMask.newBuilder().addPaths("name")).build()),
                arguments("empty whole body", "UpdateShelf", "*", Map.of(), "", UpdateShelfRequest.getDefaultInstance()),
                arguments("blank whole body", "UpdateShelf", "*", Map.of(), " \n", UpdateShelfRequest.getDefaultInstance()),
                arguments("path overwrites the body", "UpdateShelf", "*", Map.of("name", "path"),
                        "{\"name\":\"body\",\"limit\":2}", UpdateShelfRequest.newBuilder().setName("path").setLimit(2).build()),
                arguments("path merges into the body's message", "UpdateShelf", "*", Map.of("shelf.name", "path"),
                        "{\"shelf\":{\"name\":\"body\",\"capacity\":4}}", UpdateShelfRequest.newBuilder()
                                .setShelf(Shelf.newBuilder().setName("path").setCapacity(4)).build()),
                arguments("message field", "UpdateShelf", "shelf", Map.of("name", "shelves/1"),
                        "{\"name\":\"x\",\"books\":[{\"id\":\"b\"}]}", UpdateShelfRequest.newBuilder().setName("shelves/1")
                                .setShelf(Shelf.newBuilder().setName("x").addBooks(Book.newBuilder().setId("b"))).build()),
                arguments("path merges into the body field", "UpdateShelf", "shelf", Map.of("shelf.name", "path"),
                        "{\"name\":\"body\",\"capacity\":4}", UpdateShelfRequest.newBuilder()
                                .setShelf(Shelf.newBuilder().setName("path").setCapacity(4)).build()),
                arguments("empty message field", "UpdateShelf", "shelf", Map.of(), "", UpdateShelfRequest.getDefaultInstance()),
                arguments("repeated message field", "UpdateShelf", "books", Map.of(), "[{\"id\":\"1\"},{\"title\":\"t\"}]",
                        UpdateShelfRequest.newBuilder().addBooks(Book.newBuilder().setId("1"))
                                .addBooks(Book.newBuilder().setTitle("t")).build()),
                arguments("repeated scalar field", "UpdateShelf", "tags", Map.of(), "[\"a\",\"b\"]",
                        UpdateShelfRequest.newBuilder().addTags("a").addTags("b").build()),
                arguments("scalar field", "UpdateShelf", "limit", Map.of(), "\"7\"",
                        UpdateShelfRequest.newBuilder().setLimit(7).build()),
                arguments("scalar field as a number", "UpdateShelf", "limit", Map.of(), " 7 ",
                        UpdateShelfRequest.newBuilder().setLimit(7).build()),
                arguments("string with brackets and escapes", "UpdateShelf", "*", Map.of(), "{\"name\":\"}]\\\"[{\"}\n",
                        UpdateShelfRequest.newBuilder().setName("}]\"[{").build()),
                arguments("nested field path", "UpdateShelf", "shelf.book", Map.of(), "{\"id\":\"n\"}",
                        UpdateShelfRequest.newBuilder().setShelf(Shelf.newBuilder().setBook(Book.newBuilder().setId("n")))
                                .build()),
                arguments("map field", "Search", "labels", Map.of(), "{\"a\":\"b\"}",
                        Scalars.newBuilder().putLabels("a", "b").build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodies")
    void bindsTheBody(String what, String method, String body, Map<String, String> path, String json, Message expected)
            throws Exception {
        byte[] request = BINDER.bind(Bindings.testMethod(method), body, path, null,
                json.getBytes(StandardCharsets.UTF_8), "application/json");

        assertThat(expected.getParserForType().parseFrom(request)).isEqualTo(expected);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                arguments("unknown field", "*", "{\"limit\":1,\"bogus\":2}", "bogus", "bogus"),
                arguments("unknown nested field", "*", "{\"shelf\":{\"bogus\":2}}", "shelf.bogus", "bogus"),
                arguments("string in an int field", "*", "{\"limit\":\"abc\"}", "limit", "abc"),
                arguments("bad nested int", "*", "{\"shelf\":{\"name\":\"n\",\"capacity\":\"x\"}}", "shelf.capacity", "x"),
                arguments("bad Timestamp", "*", "{\"book\":{\"publishTime\":\"abc\"}}", "book.publish_time", "abc"),
                arguments("string for a message", "*", "{\"shelf\":\"s\"}", "shelf", "shelf"),
                arguments("syntax error", "*", "{\"limit\":", "", ""),
                arguments("not an object", "*", "[1]", "", ""),
                arguments("bad field in the body field", "book", "{\"publishTime\":\"abc\"}", "book.publish_time", "abc"),
                arguments("unknown field in the body field", "book", "{\"isbn\":\"1\"}", "book.isbn", "isbn"),
                arguments("bad scalar body", "limit", "\"abc\"", "limit", "abc"),
                arguments("smuggled field", "limit", "7, \"name\": \"x\"", "limit", "content after its JSON value"),
                arguments("smuggled object", "limit", "7} {\"name\":\"x\"", "limit", "content after its JSON value"),
                arguments("two objects", "*", "{\"limit\":1} {\"name\":\"x\"}", "", "content after its JSON value"),
                arguments("junk after the object", "*", "{\"name\":\"}\\\"{\"} xyz", "", "at character 15"),
                arguments("junk after an array", "tags", "[\"a\"]]", "tags", "content after its JSON value"),
                arguments("junk after a string", "tags", "[\"a\"] \"b\"", "tags", "content after its JSON value"),
                arguments("object for a repeated field", "tags", "{\"a\":1}", "tags", "JSON array"),
                arguments("body names no field", "nope", "{}", "nope", "names no field"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesABodyThatDoesNotFitNamingTheField(String what, String body, String json, String fieldPath, String hint) {
        assertThatThrownBy(() -> BINDER.bind(Bindings.testMethod("UpdateShelf"), body, Map.of(), null,
                json.getBytes(StandardCharsets.UTF_8), "application/json"))
                .isInstanceOfSatisfying(BindingException.class, e -> {
                    assertThat(e.fieldPath()).isEqualTo(fieldPath);
                    assertThat(e.getMessage()).contains(hint);
                });
    }

    @Test
    @Timeout(5)
    void refusesADeeplyNestedBodyAsABindingException() {
        byte[] deep = ("{\"child\":".repeat(10_000) + "{}" + "}".repeat(10_000)).getBytes(StandardCharsets.UTF_8);
        byte[] deepButParseable = ("{\"child\":".repeat(150) + "{\"int32Value\":\"x\"}" + "}".repeat(150))
                .getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> BINDER.bind(Bindings.testMethod("Search"), "*", Map.of(), null, deep, "application/json"))
                .isInstanceOf(BindingException.class);
        assertThatThrownBy(() -> BINDER.bind(Bindings.testMethod("Search"), "*", Map.of(), null, deepButParseable,
                "application/json"))
                .isInstanceOf(BindingException.class);
    }

    @Test
    void refusesABodyThatIsNotUtf8() {
        assertThatThrownBy(() -> BINDER.bind(Bindings.testMethod("UpdateShelf"), "*", Map.of(), null,
                new byte[] {'{', (byte) 0xff, '}'}, "application/json"))
                .isInstanceOf(BindingException.class).hasMessageContaining("UTF-8");
    }

    @Test
    void anHttpBodyFieldTakesTheRawBytesAndTheContentType() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1};

        byte[] request = BINDER.bind(Bindings.testMethod("Upload"), "file", Map.of("name", "files/a"), "version=3", png,
                "image/png");

        assertThat(UploadRequest.parseFrom(request)).isEqualTo(UploadRequest.newBuilder().setName("files/a")
                .setVersion(3).setFile(HttpBody.newBuilder().setContentType("image/png")
                        .setData(ByteString.copyFrom(png))).build());
    }

    @Test
    void anHttpBodyRequestTakesTheRawBytesWithoutParsingThem() throws Exception {
        byte[] notJson = "{not json".getBytes(StandardCharsets.UTF_8);

        byte[] request = BINDER.bind(Bindings.testMethod("Raw"), "*", Map.of(), "ignored=1", notJson,
                "text/plain; charset=utf-8");

        assertThat(HttpBody.parseFrom(request)).isEqualTo(HttpBody.newBuilder()
                .setContentType("text/plain; charset=utf-8").setData(ByteString.copyFrom(notJson)).build());
    }

    @Test
    void anEmptyHttpBodyWithoutContentTypeIsTheEmptyMessage() throws Exception {
        byte[] request = BINDER.bind(Bindings.testMethod("Raw"), "*", Map.of(), null, null, null);

        assertThat(HttpBody.parseFrom(request)).isEqualTo(HttpBody.getDefaultInstance());
    }
}
