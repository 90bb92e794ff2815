package dev.torii.gateway.httprule;

import static dev.torii.gateway.httprule.Bindings.BINDER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.google.protobuf.Timestamp;
import dev.torii.gateway.test.v1.Book;
import dev.torii.gateway.test.v1.Genre;
import dev.torii.gateway.test.v1.Scalars;
import dev.torii.gateway.test.v1.Shelf;
import dev.torii.gateway.test.v1.UpdateShelfRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Query parameters set the fields neither the path nor the body binds, by grpc-gateway's
 * DefaultQueryParser rules; hostile queries are refused fast with a BindingException.
 */
class QueryBindingTest {

    static Stream<Arguments> queries() {
        return Stream.of(
                arguments("text=hello+world", Scalars.newBuilder().setText("hello world")),
                arguments("text=a%2Bb%26c%3Dd", Scalars.newBuilder().setText("a+b&c=d")),
                arguments("te%78t=%E3%81%82", Scalars.newBuilder().setText("あ")),
                arguments("int64Value=42&uint32_value=7", Scalars.newBuilder().setInt64Value(42).setUint32Value(7)),
                arguments("child.child.text=x&child.int32Value=3", Scalars.newBuilder().setChild(Scalars.newBuilder()
                        .setInt32Value(3).setChild(Scalars.newBuilder().setText("x")))),
                arguments("tags=a&tags=b&tags=a", Scalars.newBuilder().addTags("a").addTags("b").addTags("a")),
                arguments("tags=a,b", Scalars.newBuilder().addTags("a,b")),
                arguments("numbers=1&numbers=-2", Scalars.newBuilder().addNumbers(1).addNumbers(-2)),
                arguments("genres=GENRE_POETRY&genres=1", Scalars.newBuilder().addGenres(Genre.GENRE_POETRY)
                        .addGenres(Genre.GENRE_FICTION)),
                arguments("genre=GENRE_FICTION", Scalars.newBuilder().setGenre(Genre.GENRE_FICTION)),
                arguments("labels[env]=prod&labels%5Bteam%5D=core", Scalars.newBuilder().putLabels("env", "prod")
                        .putLabels("team", "core")),
                arguments("labels[]=empty+key", Scalars.newBuilder().putLabels("", "empty key")),
                arguments("genreByRank[1]=GENRE_POETRY", Scalars.newBuilder().putGenreByRank(1, Genre.GENRE_POETRY)),
                arguments("time=2024-05-01T12:00:00Z", Scalars.newBuilder().setTime(Timestamp.newBuilder()
                        .setSeconds(1714564800))),
                arguments("mask=title,author.name", Scalars.newBuilder().setMask(com.google.protobuf.FieldMask
                        .newBuilder().addPaths("title").addPaths("author.name"))),
                arguments("wrapped_int64=5", Scalars.newBuilder().setWrappedInt64(com.google.protobuf.Int64Value.of(5))),
                arguments("customName=c", Scalars.newBuilder().setCustomJson("c")),
                arguments("text=", Scalars.newBuilder()),
                arguments("text", Scalars.newBuilder()),
                arguments("&&text=a&&", Scalars.newBuilder().setText("a")),
                arguments("unknown=1&child.unknown=2&_=1714564800", Scalars.newBuilder()),
                arguments("=1&.=2&child..text=3&child.=4&[k]=5", Scalars.newBuilder()),
                arguments("choice_text=a", Scalars.newBuilder().setChoiceText("a")),
                arguments("", Scalars.newBuilder()));
    }

    @ParameterizedTest(name = "?{0}")
    @MethodSource("queries")
    void setsTheFieldsTheQueryNames(String query, Scalars.Builder expected) throws Exception {
        byte[] request = BINDER.bind(Bindings.testMethod("Search"), "", Map.of(), query, null, null);

        assertThat(Scalars.parseFrom(request)).isEqualTo(expected.build());
    }

    @Test
    void aNullQueryIsNoQuery() throws Exception {
        assertThat(Scalars.parseFrom(BINDER.bind(Bindings.testMethod("Search"), "", Map.of(), null, null, null)))
                .isEqualTo(Scalars.getDefaultInstance());
    }

    @Test
    void fieldsThePathOrTheBodyBindIgnoreTheQuery() throws Exception {
        // name is bound by the path, book by the body: ?name, ?book.title and ?book (json or proto
        // spelling) are ignored; shelf.name is not bound and is set.
        byte[] request = BINDER.bind(Bindings.testMethod("UpdateShelf"), "book", Map.of("name", "shelves/1"),
                "name=other&book.title=q&book.id=q&shelf.name=s&limit=3", "{\"id\":\"b\"}".getBytes(StandardCharsets.UTF_8),
                "application/json");

        assertThat(UpdateShelfRequest.parseFrom(request)).isEqualTo(UpdateShelfRequest.newBuilder()
                .setName("shelves/1").setBook(Book.newBuilder().setId("b")).setShelf(Shelf.newBuilder().setName("s"))
                .setLimit(3).build());
    }

    @Test
    void aPathVariableCannotBeOverwrittenByItsJsonNameInTheQuery() throws Exception {
        byte[] request = BINDER.bind(Bindings.testMethod("Search"), "", Map.of("custom_json", "path"),
                "customName=query&child.customName=child", null, null);

        assertThat(Scalars.parseFrom(request)).isEqualTo(Scalars.newBuilder().setCustomJson("path")
                .setChild(Scalars.newBuilder().setCustomJson("child")).build());
    }

    @Test
    void aPathVariableInsideAMessageLeavesItsSiblingsToTheQuery() throws Exception {
        byte[] request = BINDER.bind(Bindings.testMethod("UpdateShelf"), "", Map.of("shelf.name", "s1"),
                "shelf.name=no&shelf.capacity=9&shelf.tags=t", null, null);

        assertThat(UpdateShelfRequest.parseFrom(request)).isEqualTo(UpdateShelfRequest.newBuilder()
                .setShelf(Shelf.newBuilder().setName("s1").setCapacity(9).addTags("t")).build());
    }

    @Test
    void withTheWholeBodyTheQueryIsIgnored() throws Exception {
        byte[] request = BINDER.bind(Bindings.testMethod("Search"), "*", Map.of(), "text=query&int64Value=x",
                "{\"text\":\"body\"}".getBytes(StandardCharsets.UTF_8), "application/json");

        assertThat(Scalars.parseFrom(request)).isEqualTo(Scalars.newBuilder().setText("body").build());
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                arguments("text=a&text=b", "text", "2 values for the singular field"),
                arguments("int64Value=x", "int64_value", "int64"),
                arguments("genre=POETRY", "genre", "GENRE_POETRY"),
                arguments("numbers=1&numbers=two", "numbers", "int64"),
                arguments("child=x", "child", "one parameter per field"),
                arguments("books=x", "books", "one parameter per field"),
                arguments("books.id=x", "books.id", "not a singular message"),
                arguments("text.x=1", "text.x", "not a singular message"),
                arguments("labels=x", "labels", "labels[key]=value"),
                arguments("labels[a]=x&labels[a]=y", "labels", "labels[key]=value"),
                arguments("genreByRank[one]=GENRE_POETRY", "genre_by_rank[one]", "int32"),
                arguments("text[a]=x", "text", "not a map"),
                arguments("choice_text=a&choice_number=1", "choice_number", "oneof choice"),
                arguments("text=%zz", "text", "malformed escape"),
                arguments("text=%4", "text", "malformed escape"),
                arguments("text=%ff", "text", "not UTF-8"),
                arguments("a=1;b=2", "", "';'"),
                arguments("time=yesterday", "time", "RFC 3339"));
    }

    @ParameterizedTest(name = "?{0}")
    @MethodSource("refusals")
    void refusesAParameterThatCannotBeSet(String query, String fieldPath, String hint) {
        assertThatThrownBy(() -> BINDER.bind(Bindings.testMethod("Search"), "", Map.of(), query, null, null))
                .isInstanceOfSatisfying(BindingException.class, e -> {
                    assertThat(e.fieldPath()).isEqualTo(fieldPath);
                    assertThat(e.getMessage()).contains(hint);
                });
    }

    static Stream<Arguments> hostileQueries() {
        return Stream.of(
                arguments("10,000 parameters", "t=1&".repeat(10_000), "more than 1000 parameters"),
                arguments("a 1 MB value", "text=" + "a".repeat(1 << 20), "too long"),
                arguments("a 10,000-deep path", "child." .repeat(10_000) + "text=x", "more than 32 segments"),
                arguments("a 10,000-deep escaped path", "child%2E".repeat(5_000) + "text=x", "more than 32 segments"),
                arguments("a 33-deep path", "child.".repeat(32) + "text=x", "more than 32 segments"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileQueries")
    @Timeout(5)
    void refusesAHostileQueryFast(String what, String query, String hint) {
        assertThatThrownBy(() -> BINDER.bind(Bindings.testMethod("Search"), "", Map.of(), query, null, null))
                .isInstanceOf(BindingException.class).hasMessageContaining(hint);
    }

    @Test
    void takesAQueryAtTheLimits() throws Exception {
        String query = IntStream.range(0, QueryParameters.MAX_PARAMETERS).mapToObj(i -> "numbers=" + i)
                .collect(Collectors.joining("&"));
        String deep = "child.".repeat(FieldPath.MAX_DEPTH - 1) + "text=x";

        Scalars request = Scalars.parseFrom(BINDER.bind(Bindings.testMethod("Search"), "", Map.of(), query, null, null));
        Scalars nested = Scalars.parseFrom(BINDER.bind(Bindings.testMethod("Search"), "", Map.of(), deep, null, null));

        assertThat(request.getNumbersCount()).isEqualTo(QueryParameters.MAX_PARAMETERS);
        Scalars innermost = nested;
        for (int i = 0; i < FieldPath.MAX_DEPTH - 1; i++) {
            innermost = innermost.getChild();
        }
        assertThat(innermost.getText()).isEqualTo("x");
    }
}
