package dev.torii.gateway.httprule;

import static dev.torii.gateway.httprule.Bindings.WRITER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.google.api.HttpBody;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.torii.examples.offer.v1.Money;
import dev.torii.examples.offer.v1.Offer;
import dev.torii.examples.offer.v1.OfferState;
import dev.torii.gateway.grpc.MalformedMessageException;
import dev.torii.gateway.test.v1.Book;
import dev.torii.gateway.test.v1.Download;
import dev.torii.gateway.test.v1.Genre;
import dev.torii.gateway.test.v1.Scalars;
import dev.torii.gateway.test.v1.Shelf;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Answers render as JSON by the route's print options, the whole message or the response_body
 * field; HttpBody answers render as their raw data and content type.
 */
class ResponseWriterTest {

    private static final Offer OFFER = Offer.newBuilder().setId("o1").setSellerId("s1").setState(OfferState.OFFER_STATE_OPEN)
            .setPrice(Money.newBuilder().setCurrencyCode("JPY").setUnits(1500))
            .setCreateTime(Timestamp.newBuilder().setSeconds(1714564800)).build();

    private static final Shelf SHELF = Shelf.newBuilder().setName("n").setCapacity(5).setGenre(Genre.GENRE_POETRY)
            .setBook(Book.newBuilder().setId("b1").setTitle("t"))
            .addBooks(Book.newBuilder().setId("b2")).addBooks(Book.newBuilder().setId("b3")).build();

    static Stream<Arguments> renderings() {
        JsonPrintOptions defaults = JsonPrintOptions.DEFAULT;
        return Stream.of(
                arguments("GetOffer", "", OFFER, defaults, "{\"id\":\"o1\",\"price\":{\"currencyCode\":\"JPY\","
                        + "\"units\":\"1500\"},\"sellerId\":\"s1\",\"state\":\"OFFER_STATE_OPEN\","
                        + "\"createTime\":\"2024-05-01T12:00:00Z\"}"),
                arguments("GetOffer", "", OFFER, new JsonPrintOptions(true, false, true), "{\"id\":\"o1\","
                        + "\"price\":{\"currency_code\":\"JPY\",\"units\":\"1500\"},\"seller_id\":\"s1\",\"state\":1,"
                        + "\"create_time\":\"2024-05-01T12:00:00Z\"}"),
                arguments("GetOffer", "", Offer.getDefaultInstance(), defaults, "{}"),
                arguments("GetOffer", "", Offer.getDefaultInstance(), new JsonPrintOptions(false, true, false),
                        "{\"id\":\"\",\"itemId\":\"\",\"title\":\"\",\"sellerId\":\"\",\"state\":\"OFFER_STATE_UNSPECIFIED\"}"),
                arguments("GetOffer", "price", OFFER, defaults, "{\"currencyCode\":\"JPY\",\"units\":\"1500\"}"),
                arguments("GetOffer", "price.units", OFFER, defaults, "\"1500\""),
                arguments("GetOffer", "price", Offer.getDefaultInstance(), defaults, "{}"),
                arguments("GetOffer", "state", OFFER, defaults, "\"OFFER_STATE_OPEN\""),
                arguments("GetOffer", "state", OFFER, new JsonPrintOptions(false, false, true), "1"),
                arguments("GetOffer", "state", Offer.getDefaultInstance(), defaults, "\"OFFER_STATE_UNSPECIFIED\""),
                arguments("GetOffer", "create_time", OFFER, defaults, "\"2024-05-01T12:00:00Z\""),
                arguments("UpdateShelf", "books", SHELF, defaults, "[{\"id\":\"b2\"},{\"id\":\"b3\"}]"),
                arguments("UpdateShelf", "books", Shelf.getDefaultInstance(), defaults, "[]"),
                arguments("UpdateShelf", "books", SHELF, new JsonPrintOptions(false, true, false),
                        "[{\"id\":\"b2\",\"title\":\"\",\"genre\":\"GENRE_UNSPECIFIED\",\"authors\":[]},"
                                + "{\"id\":\"b3\",\"title\":\"\",\"genre\":\"GENRE_UNSPECIFIED\",\"authors\":[]}]"),
                arguments("UpdateShelf", "capacity", SHELF, defaults, "\"5\""),
                arguments("UpdateShelf", "capacity", Shelf.getDefaultInstance(), defaults, "\"0\""),
                arguments("UpdateShelf", "book.title", SHELF, defaults, "\"t\""),
                arguments("UpdateShelf", "tags", SHELF, defaults, "[]"),
                arguments("Search", "labels", Scalars.newBuilder().putLabels("a", "b").build(), defaults, "{\"a\":\"b\"}"),
                arguments("Search", "labels", Scalars.getDefaultInstance(), defaults, "{}"),
                arguments("Search", "books_by_rank", Scalars.newBuilder().putBooksByRank(-1, Book.newBuilder()
                        .setId("b").build()).build(), defaults, "{\"4294967295\":{\"id\":\"b\"}}"),
                arguments("Search", "books_by_rank", Scalars.newBuilder().putBooksByRank(1, Book.newBuilder()
                        .setId("b").build()).putBooksByRank(2, Book.getDefaultInstance()).build(),
                        new JsonPrintOptions(true, true, true), "{\"1\":{\"id\":\"b\",\"title\":\"\",\"genre\":0,"
                                + "\"authors\":[]},\"2\":{\"id\":\"\",\"title\":\"\",\"genre\":0,\"authors\":[]}}"),
                arguments("Search", "books_by_rank", Scalars.getDefaultInstance(), new JsonPrintOptions(false, true, false),
                        "{}"),
                arguments("Search", "genre", Scalars.getDefaultInstance(), new JsonPrintOptions(false, false, true), "0"),
                arguments("Search", "text", Scalars.getDefaultInstance(), defaults, "\"\""),
                arguments("Search", "bool_value", Scalars.getDefaultInstance(), defaults, "false"),
                arguments("Search", "float_value", Scalars.getDefaultInstance(), defaults, "0.0"),
                arguments("Search", "uint32_value", Scalars.newBuilder().setUint32Value(-1).build(), defaults, "4294967295"),
                arguments("Search", "maybe", Scalars.getDefaultInstance(), defaults, "null"),
                arguments("Search", "maybe", Scalars.newBuilder().setMaybe(0).build(), defaults, "0"),
                arguments("Search", "double_value", Scalars.newBuilder().setDoubleValue(Double.NaN).build(), defaults,
                        "\"NaN\""));
    }

    @ParameterizedTest(name = "{0} {1} {3}")
    @MethodSource("renderings")
    void printsTheMessageOrItsResponseBodyField(String method, String responseBody, Message answer,
            JsonPrintOptions options, String json) {
        Rendered rendered = WRITER.render(methodNamed(method), responseBody, answer.toByteArray(), options);

        assertThat(rendered.contentType()).isEqualTo("application/json");
        assertThat(new String(rendered.bytes(), StandardCharsets.UTF_8)).isEqualTo(json);
    }

    @Test
    void anHttpBodyAnswerIsItsDataWithItsContentType() {
        HttpBody answer = HttpBody.newBuilder().setContentType("text/csv").setData(ByteString.copyFromUtf8("a,b\n")).build();

        Rendered rendered = WRITER.render(Bindings.testMethod("Upload"), "", answer.toByteArray(), JsonPrintOptions.DEFAULT);

        assertThat(rendered.contentType()).isEqualTo("text/csv");
        assertThat(rendered.bytes()).isEqualTo("a,b\n".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anHttpBodyWithoutContentTypeIsOctetStream() {
        HttpBody answer = HttpBody.newBuilder().setData(ByteString.copyFrom(new byte[] {0, 1})).build();

        Rendered rendered = WRITER.render(Bindings.testMethod("Upload"), "", answer.toByteArray(), JsonPrintOptions.DEFAULT);

        assertThat(rendered.contentType()).isEqualTo("application/octet-stream");
        assertThat(rendered.bytes()).containsExactly(0, 1);
    }

    @Test
    void anHttpBodyResponseBodyFieldIsItsData() {
        Download answer = Download.newBuilder().setName("ignored").setFile(HttpBody.newBuilder()
                .setContentType("image/png").setData(ByteString.copyFromUtf8("png"))).build();

        Rendered rendered = WRITER.render(Bindings.testMethod("Raw"), "file", answer.toByteArray(), JsonPrintOptions.DEFAULT);

        assertThat(rendered.contentType()).isEqualTo("image/png");
        assertThat(new String(rendered.bytes(), StandardCharsets.UTF_8)).isEqualTo("png");
    }

    @Test
    void rendersAStreamMessageByMessage() {
        Scalars first = Scalars.newBuilder().addTags("a").build();
        Scalars second = Scalars.newBuilder().addTags("b").addTags("c").build();

        Rendered one = WRITER.render(Bindings.testMethod("Tags"), "tags", first.toByteArray(), JsonPrintOptions.DEFAULT);
        Rendered two = WRITER.render(Bindings.testMethod("Tags"), "tags", second.toByteArray(), JsonPrintOptions.DEFAULT);

        assertThat(new String(one.bytes(), StandardCharsets.UTF_8)).isEqualTo("[\"a\"]");
        assertThat(new String(two.bytes(), StandardCharsets.UTF_8)).isEqualTo("[\"b\",\"c\"]");
    }

    @Test
    void refusesAnAnswerThatIsNotTheOutputType() {
        assertThatThrownBy(() -> WRITER.render(Bindings.offerMethod("GetOffer"), "", new byte[] {(byte) 0xff},
                JsonPrintOptions.DEFAULT))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("examples.offer.v1.Offer");
    }

    @Test
    void refusesAResponseBodyThatNamesNoField() {
        assertThatThrownBy(() -> WRITER.render(Bindings.offerMethod("GetOffer"), "nope", OFFER.toByteArray(),
                JsonPrintOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
    }

    private static com.google.protobuf.Descriptors.MethodDescriptor methodNamed(String name) {
        return name.equals("GetOffer") ? Bindings.offerMethod(name) : Bindings.testMethod(name);
    }
}
