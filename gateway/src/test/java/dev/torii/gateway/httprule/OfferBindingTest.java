package dev.torii.gateway.httprule;

import static dev.torii.gateway.httprule.Bindings.BINDER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torii.examples.offer.v1.CreateOfferRequest;
import dev.torii.examples.offer.v1.GetOfferRequest;
import dev.torii.examples.offer.v1.Money;
import dev.torii.examples.offer.v1.WatchOffersRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The example OfferService's own bindings (examples/offer/v1/offer.proto): CreateOffer with
 * {@code body: "*"}, GetOffer at {@code /v1/offers/{id}}, WatchOffers at
 * {@code /v1/sellers/{seller_id}/offers:watch}.
 */
class OfferBindingTest {

    @Test
    void createOfferTakesTheWholeBody() throws Exception {
        byte[] body = "{\"itemId\":\"i1\",\"title\":\"Lamp\",\"price\":{\"currency_code\":\"JPY\",\"units\":\"1500\"}}"
                .getBytes(StandardCharsets.UTF_8);

        byte[] request = BINDER.bind(Bindings.offerMethod("CreateOffer"), "*", Map.of(), "title=ignored", body,
                "application/json");

        assertThat(CreateOfferRequest.parseFrom(request)).isEqualTo(CreateOfferRequest.newBuilder().setItemId("i1")
                .setTitle("Lamp").setPrice(Money.newBuilder().setCurrencyCode("JPY").setUnits(1500)).build());
    }

    @Test
    void createOfferRefusesAnUnknownFieldByName() {
        byte[] body = "{\"itemId\":\"i1\",\"colour\":\"red\"}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> BINDER.bind(Bindings.offerMethod("CreateOffer"), "*", Map.of(), null, body,
                "application/json"))
                .isInstanceOfSatisfying(BindingException.class, e -> {
                    assertThat(e.fieldPath()).isEqualTo("colour");
                    assertThat(e.getMessage()).contains("colour");
                });
    }

    @Test
    void createOfferNamesANestedFieldOfTheWrongType() {
        byte[] body = "{\"price\":{\"units\":\"many\"}}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> BINDER.bind(Bindings.offerMethod("CreateOffer"), "*", Map.of(), null, body,
                "application/json"))
                .isInstanceOfSatisfying(BindingException.class, e -> assertThat(e.fieldPath()).isEqualTo("price.units"));
    }

    @Test
    void getOfferTakesTheIdFromThePath() throws Exception {
        byte[] request = BINDER.bind(Bindings.offerMethod("GetOffer"), "", Map.of("id", "0b6f/ü x"), "id=other", null,
                null);

        assertThat(GetOfferRequest.parseFrom(request).getId()).isEqualTo("0b6f/ü x");
    }

    @Test
    void watchOffersTakesTheSellerFromThePath() throws Exception {
        byte[] request = BINDER.bind(Bindings.offerMethod("WatchOffers"), "", Map.of("seller_id", "s-1"), "", null, null);

        assertThat(WatchOffersRequest.parseFrom(request).getSellerId()).isEqualTo("s-1");
    }

    @Test
    void watchOffersTakesTheSellerFromTheQueryWhenNoPathBindsIt() throws Exception {
        byte[] request = BINDER.bind(Bindings.offerMethod("WatchOffers"), "", Map.of(), "sellerId=s-2", null, null);

        assertThat(WatchOffersRequest.parseFrom(request).getSellerId()).isEqualTo("s-2");
    }
}
