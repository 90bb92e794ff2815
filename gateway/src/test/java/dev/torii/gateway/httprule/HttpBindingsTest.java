package dev.torii.gateway.httprule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.HttpRule;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.TextFormat;
import dev.torii.gateway.grpc.DescriptorRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Reading {@code google.api.http} rules and checking them against the method's messages: the
 * shapes of {@code torii/test/httprule/v1/binding_shapes.proto}, read through
 * {@link DescriptorRegistry} from the test descriptor set as the gateway reads its sets.
 */
class HttpBindingsTest {

    private static final ServiceDescriptor SHELVES = DescriptorRegistry
            .load(new PathMatchingResourcePatternResolver(), List.of("classpath:test-descriptors.binpb"))
            .findService("torii.test.httprule.v1.ShelfService").orElseThrow();
    private static final MethodDescriptor PLAIN = SHELVES.findMethodByName("Plain");

    @Test
    void readsTheRuleAndItsAdditionalBindingsFromADescriptorSet() {
        assertThat(HttpBindings.of(SHELVES.findMethodByName("GetBook"))).containsExactly(
                new HttpBinding("GET", PathTemplate.parse("/v1/{name=shelves/*/books/*}"), "", ""),
                new HttpBinding("GET", PathTemplate.parse("/v1/books/{book.id}"), "", ""),
                new HttpBinding("SEARCH", PathTemplate.parse("/v1/books"), "*", ""));
        assertThat(HttpBindings.of(SHELVES.findMethodByName("UpdateBook"))).containsExactly(
                new HttpBinding("PATCH", PathTemplate.parse("/v1/{book.id}"), "book", "book"));
    }

    @Test
    void aMethodWithoutTheOptionHasNoBindings() {
        assertThat(HttpBindings.of(PLAIN)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            get: "/v1/{name}"
            get: "/v1/{count}"
            get: "/v1/{flag}"
            get: "/v1/{ratio}"
            get: "/v1/{blob}"
            get: "/v1/{genre}"
            get: "/v1/{nick}"
            get: "/v1/{limit}"
            get: "/v1/{since}"
            get: "/v1/{ttl}"
            get: "/v1/{update_mask}"
            get: "/v1/{book.id}"
            get: "/v1/{book.author.name=authors/*}"
            get: "/v1/{first}"
            get: "/v1/{name}/{count}/{book.id}"
            post: "/v1/books" body: "book"
            post: "/v1/books" body: "books"
            put: "/v1/books" body: "*"
            patch: "/v1/{book.id}" body: "book"
            get: "/v1/books" response_body: "books"
            get: "/v1/books" response_body: "book"
            custom { kind: "SEARCH" path: "/v1/books" } body: "*"
            delete: "/v1/{name}"
            get: "/v1/books" additional_bindings { post: "/v1/books:search" body: "*" }
            """)
    void acceptsARuleTheMessagesCanServe(String rule) throws Exception {
        List<HttpBinding> bindings = HttpBindings.of(rule(rule), PLAIN);

        assertThat(bindings).isNotEmpty();
        assertThat(bindings.get(0).template().text()).startsWith("/v1/");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            ``                                                  | google.api.http has no pattern (expected: one of get, put, post, delete, patch, custom)
            get: ""                                             | google.api.http GET: the path is empty
            get: "v1/books"                                     | google.api.http GET: path template 'v1/books': expected '/' to start the template
            get: "/v1/{name=**}/x"                              | '**' must be the last segment
            get: "/v1/{missing}"                                | path variable 'missing': torii.test.httprule.v1.BindingShapes has no field 'missing'
            get: "/v1/{Name}"                                   | has no field 'Name'
            get: "/v1/{tags}"                                   | path variable 'tags' is a repeated field of torii.test.httprule.v1.BindingShapes (expected: a singular field)
            get: "/v1/{labels}"                                 | path variable 'labels' is a repeated field
            get: "/v1/{books}"                                  | path variable 'books' is a repeated field
            get: "/v1/{book}"                                   | path variable 'book' is a message of type torii.test.httprule.v1.Book
            get: "/v1/{second}"                                 | path variable 'second' is a message of type torii.test.httprule.v1.Author
            get: "/v1/{book.tags}"                              | path variable 'book.tags' is a repeated field of torii.test.httprule.v1.Book
            get: "/v1/{book.author.missing}"                    | torii.test.httprule.v1.Author has no field 'missing'
            get: "/v1/{name.x}"                                 | path variable 'name.x': name is not a singular message field
            get: "/v1/{books.id}"                               | path variable 'books.id': books is not a singular message field
            get: "/v1/{name}/{name}"                            | field 'name' is bound twice
            post: "/v1/{name}" body: "name"                     | field 'name' is bound twice, by the path and by the body
            get: "/v1/books" body: "*"                          | body '*' on GET (expected: no body, AIP-127)
            delete: "/v1/books" body: "book"                    | body 'book' on DELETE (expected: no body, AIP-127)
            post: "/v1/books" body: "missing"                   | body 'missing': torii.test.httprule.v1.BindingShapes has no field 'missing'
            post: "/v1/books" body: "book.id"                   | body 'book.id': torii.test.httprule.v1.BindingShapes has no field 'book.id' (expected: a top-level field of the message, or '*' for the whole message)
            get: "/v1/books" response_body: "book.id"           | response_body 'book.id': torii.test.httprule.v1.ShelfResponse has no field 'book.id' (expected: a top-level field of the message, or none for the whole message)
            get: "/v1/books" response_body: "missing"           | response_body 'missing': torii.test.httprule.v1.ShelfResponse has no field 'missing'
            get: "/v1/books" response_body: "*"                 | response_body '*': torii.test.httprule.v1.ShelfResponse has no field '*'
            custom { kind: "" path: "/v1/books" }               | custom kind '' (expected: an HTTP method token such as SEARCH)
            custom { kind: "BAD KIND" path: "/v1/books" }       | custom kind 'BAD KIND'
            get: "/v1/a" additional_bindings { }                | additional_bindings[0] has no pattern
            get: "/v1/a" additional_bindings { get: "/v1/{tags}" } | additional_bindings[0] GET /v1/{tags}: path variable 'tags' is a repeated field
            get: "/v1/a" additional_bindings { get: "/v2/a" additional_bindings { get: "/v3/a" } } | additional_bindings[0] has additional_bindings of its own (expected: only the top-level rule has them)
            """)
    void refusesARuleNamingTheMethodAndTheProblem(String rule, String problem) throws Exception {
        HttpRule parsed = rule(rule == null ? "" : rule);

        assertThatThrownBy(() -> HttpBindings.of(parsed, PLAIN))
                .isInstanceOf(InvalidHttpRuleException.class)
                .hasMessageStartingWith("method torii.test.httprule.v1.ShelfService.Plain: google.api.http")
                .hasMessageContaining(problem);
    }

    static HttpRule rule(String text) throws TextFormat.ParseException {
        HttpRule.Builder rule = HttpRule.newBuilder();
        TextFormat.merge(text, rule);
        return rule.build();
    }
}
