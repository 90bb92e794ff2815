package dev.torii.gateway.httprule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The matcher over one table of bindings shaped like grpc-gateway's and AIP-127's examples:
 * literal over {@code *} over {@code **} with backtracking, custom verbs, 405 with the allowed
 * methods, the percent-encoding rules of http.proto, empty segments; conflicts refused at build
 * time; hostile paths answered fast.
 */
class PathMatcherTest {

    private static final PathMatcher<String> MATCHER = matcher(
            "GET /v1/offers = listOffers",
            "POST /v1/offers = createOffer",
            "SEARCH /v1/offers = searchOffers",
            "GET /v1/offers/{id} = getOffer",
            "DELETE /v1/offers/{id} = deleteOffer",
            "GET /v1/offers/special = special",
            "GET /v1/{name=shelves/*/books/*} = getBook",
            "POST /v1/{name=shelves/*/books/*}:publish = publish",
            "GET /v1/sellers/{seller_id}/offers:watch = watch",
            "GET /v1/files/{path=**} = file",
            "GET /v1/files/{path=**}:stat = stat",
            "GET /v1/{resource=**}:getIamPolicy = getIamPolicy",
            "GET /v1/users/{user_id}/messages/{message_id} = userMessage",
            "GET /v1/messages/{message_id} = message",
            "GET /static/** = static");

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            GET    | /v1/offers                              | listOffers
            POST   | /v1/offers                              | createOffer
            SEARCH | /v1/offers                              | searchOffers
            PUT    | /v1/offers                              | 405 GET,POST,SEARCH
            HEAD   | /v1/offers                              | 405 GET,POST,SEARCH
            get    | /v1/offers                              | 405 GET,POST,SEARCH
            GET    | /v1/offers/123                          | getOffer id=123
            GET    | /v1/offers/special                      | special
            DELETE | /v1/offers/special                      | deleteOffer id=special
            PATCH  | /v1/offers/1                            | 405 DELETE,GET
            GET    | /v1/shelves/1/books/2                   | getBook name=shelves/1/books/2
            POST   | /v1/shelves/1/books/2:publish           | publish name=shelves/1/books/2
            GET    | /v1/shelves/1/books/2:publish           | 405 POST
            GET    | /v1/shelves/1/books/2:unknown           | getBook name=shelves/1/books/2:unknown
            POST   | /v1/shelves/1/books/2:unknown           | 405 GET
            GET    | /v1/sellers/s1/offers:watch             | watch seller_id=s1
            GET    | /v1/sellers/s1/offers                   | 404
            GET    | /v1/sellers/a:b/offers:watch            | watch seller_id=a:b
            GET    | /v1/files/a/b/c                         | file path=a/b/c
            GET    | /v1/files                               | file path=
            GET    | /v1/files/a/b:stat                      | stat path=a/b
            GET    | /v1/files/x:getIamPolicy                | getIamPolicy resource=files/x
            GET    | /v1/projects/p/topics/t:getIamPolicy    | getIamPolicy resource=projects/p/topics/t
            GET    | /v1/users/u1/messages/m1                | userMessage user_id=u1 message_id=m1
            GET    | /v1/messages/m1                         | message message_id=m1
            GET    | /static/css/site.css                    | static
            GET    | /static                                 | static
            GET    | /v2/offers                              | 404
            GET    | /v1/offers/1/extra                      | 404
            GET    | /v1/offers/                             | 404
            GET    | /v1//offers                             | 404
            GET    | //v1/offers                             | 404
            GET    | /v1/offers/1/                           | 404
            GET    | /v1/files/a//b                          | 404
            GET    | /v1/files/a/                            | 404
            GET    | /static/                                | 404
            GET    | /                                       | 404
            GET    | /v1/offers/:watch                       | getOffer id=:watch
            GET    | /v1/offers/x:watch                      | getOffer id=x:watch
            GET    | /v1/offers/x:publish                    | getOffer id=x:publish
            POST   | /v1/offers/x:publish                    | 405 DELETE,GET
            """)
    void findsTheMostSpecificBindingOfTheMethod(String method, String path, String expected) {
        assertThat(describe(MATCHER.match(method, path))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            /v1/offers/a%2Fb                      | getOffer id=a/b
            /v1/offers/a%2fb                      | getOffer id=a/b
            /v1/offers/%E2%82%AC                  | getOffer id=€
            /v1/offers/a%20b                      | getOffer id=a b
            /v1/offers/a+b                        | getOffer id=a+b
            /v1/offers/%25                        | getOffer id=%
            /v1/offers/%3Fq%23f                   | getOffer id=?q#f
            /v1/%6Fffers                          | listOffers
            /v1/offers/%73pecial                  | special
            /v1/offers/%7Especial                 | getOffer id=~special
            /v1/offers%2F1                        | 404
            /v1/shelves/1/books/a%2Fb             | getBook name=shelves/1/books/a%2Fb
            /v1/shelves/1/books/a%2fb             | getBook name=shelves/1/books/a%2fb
            /v1/shelves/1/books/a%20b             | getBook name=shelves/1/books/a b
            /v1/files/a%3Fb/%25/%40%3a%2B         | file path=a%3Fb/%/%40%3a%2B
            /v1/files/%E2%82%AC/%7E               | file path=€/~
            /v1/offers/%zz                        | 400
            /v1/offers/%4                         | 400
            /v1/offers/%                          | 400
            /v1/nothing/%g0                       | 400
            /v1/offers/%٣٣                        | 400
            /v1/offers/%４１                      | 400
            /v1/offers/%FF                        | 400
            /v1/offers/%C3                        | 400
            /v1/files/a/%FF                       | 400
            /v1/nothing/%FF                       | 404
            v1/offers                             | 400
            ""                                    | 400
            """)
    void decodesVariablesAsHttpProtoSays(String path, String expected) {
        assertThat(describe(MATCHER.match("GET", path))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} and {1}")
    @CsvSource(delimiter = '|', textBlock = """
            GET /v1/{id}           | GET /v1/{name}
            GET /v1/offers         | GET /v1/offers
            GET /v1/{a=*/*}        | GET /v1/{a}/{b}
            GET /v1/**             | GET /v1/{path=**}
            GET /v1/{id}:watch     | GET /v1/*:watch
            GET /v1/%7Eme          | GET /v1/~me
            SEARCH /v1/x           | SEARCH /v1/x
            """)
    void refusesTwoBindingsNoRequestCouldTellApart(String first, String second) {
        PathMatcher.Builder<String> builder = PathMatcher.<String>builder().add(binding(first), "first");

        assertThatThrownBy(() -> builder.add(binding(second), "second"))
                .isInstanceOf(ConflictingBindingException.class)
                .hasMessageContaining(binding(first).toString()).hasMessageContaining("(first)")
                .hasMessageContaining(binding(second).toString()).hasMessageContaining("(second)");
    }

    @ParameterizedTest(name = "{0} and {1}")
    @CsvSource(delimiter = '|', textBlock = """
            GET /v1/{id}           | POST /v1/{id}
            GET /v1/{id}           | GET /v1/{id}:watch
            GET /v1/{id}           | GET /v1/offers
            GET /v1/**             | GET /v1/*
            GET /v1/{id}:watch     | GET /v1/{id}:cancel
            GET /v1/offers         | get /v1/offers
            """)
    void acceptsBindingsThatPrecedenceOrTheMethodSeparates(String first, String second) {
        PathMatcher<String> matcher = PathMatcher.<String>builder()
                .add(binding(first), "first").add(binding(second), "second").build();

        assertThat(matcher).isNotNull();
    }

    @Test
    void aMatcherDoesNotSeeBindingsAddedToItsBuilderAfterwards() {
        PathMatcher.Builder<String> builder = PathMatcher.<String>builder().add(binding("GET /v1/a"), "a");
        PathMatcher<String> built = builder.build();
        builder.add(binding("GET /v1/b"), "b");

        assertThat(built.match("GET", "/v1/b")).isEqualTo(new Match.NotFound<>());
        assertThat(builder.build().match("GET", "/v1/b")).isInstanceOf(Match.Found.class);
    }

    @Test
    void anEmptyMatcherFindsNothing() {
        assertThat(PathMatcher.<String>builder().build().match("GET", "/v1/offers")).isEqualTo(new Match.NotFound<>());
    }

    @Test
    void foundCarriesTheBindingAndTheVariablesInTemplateOrder() {
        Match<String> match = MATCHER.match("GET", "/v1/users/u1/messages/m1");

        assertThat(match).isInstanceOf(Match.Found.class);
        Match.Found<String> found = (Match.Found<String>) match;
        assertThat(found.value()).isEqualTo("userMessage");
        assertThat(found.binding()).isEqualTo(binding("GET /v1/users/{user_id}/messages/{message_id}"));
        assertThat(List.copyOf(found.variables().keySet())).containsExactly("user_id", "message_id");
    }

    @Test
    void answersHostilePathsFast() {
        String megabyteSegment = "/v1/offers/" + "a".repeat(1 << 20);
        String manySegments = "/v1/files" + "/a".repeat(500_000);
        String manySegmentsNoMatch = "/v1" + "/%41".repeat(100_000);
        String manySlashes = "/".repeat(1 << 20);
        PathMatcher<String> noMultiWildcard = matcher("GET /v1/offers/{id} = getOffer");

        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertThat(describe(MATCHER.match("GET", megabyteSegment))).startsWith("getOffer id=aaaa");
            assertThat(describe(MATCHER.match("GET", manySegments))).startsWith("file path=a/a/a");
            assertThat(describe(MATCHER.match("GET", manySegmentsNoMatch))).isEqualTo("404");
            assertThat(describe(MATCHER.match("GET", manySlashes))).isEqualTo("404");
            assertThat(describe(MATCHER.match("GET", manySegments + ":stat"))).startsWith("stat path=a/a/a");
            assertThat(describe(noMultiWildcard.match("GET", manySegments))).isEqualTo("404");
            assertThat(describe(MATCHER.match("GET", "/v1/offers/" + "%zz".repeat(300_000)))).isEqualTo("400");
        });
    }

    static PathMatcher<String> matcher(String... lines) {
        PathMatcher.Builder<String> builder = PathMatcher.builder();
        for (String line : lines) {
            String[] parts = line.split(" = ");
            builder.add(binding(parts[0]), parts[1]);
        }
        return builder.build();
    }

    // "GET /v1/{id}" -> a binding without bodies.
    static HttpBinding binding(String methodAndTemplate) {
        String[] parts = methodAndTemplate.trim().split(" ");
        return new HttpBinding(parts[0], PathTemplate.parse(parts[1]), "", "");
    }

    // "value k=v k=v", "405 A,B", "404" or "400".
    static String describe(Match<String> match) {
        if (match instanceof Match.Found<String> found) {
            return (found.value() + " " + found.variables().entrySet().stream()
                    .map(Map.Entry::toString).collect(Collectors.joining(" "))).trim();
        }
        if (match instanceof Match.MethodNotAllowed<String> notAllowed) {
            return "405 " + String.join(",", notAllowed.allowed());
        }
        return match instanceof Match.NotFound ? "404" : "400";
    }
}
