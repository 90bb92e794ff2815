package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.torii.examples.offer.OfferServer;
import dev.torii.gateway.testing.HeadlessChromium;
import dev.torii.gateway.testing.HttpCalls;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Opens the status page in a real headless Chromium while the gateway serves the repository's
 * own route files in front of the real example offer service, then stops that service and opens
 * the page again, as an operator would.
 */
@SpringBootTest(classes = GatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StatusPageBrowserIT {

    private static OfferServer offers;

    @Autowired
    private Environment environment;

    @DynamicPropertySource
    static void gateway(DynamicPropertyRegistry registry) throws IOException {
        offers = OfferServer.start(0);
        registry.add("torii.gateway.routes-dir", () -> System.getProperty("torii.test.routes-dir"));
        registry.add("OFFER_SERVICE_TARGET", () -> "localhost:" + offers.port());
        // The example routes are protected, so the gateway needs an Authority address; this test
        // never calls it.
        registry.add("torii.gateway.authority.target", () -> "localhost:1");
        registry.add("torii.gateway.status.health-interval", () -> "500ms");
        registry.add("torii.gateway.status.health-timeout", () -> "400ms");
        registry.add("management.server.port", () -> "0");
    }

    @AfterAll
    static void stopOffers() {
        offers.close();
    }

    @Test
    void listsTheExampleRoutesAndShowsTheUpstreamGoingDown() throws Exception {
        HeadlessChromium chromium = HeadlessChromium.locate();
        URI page = URI.create("http://localhost:" + managementPort() + "/actuator/torii");
        String upstream = "localhost:" + offers.port();
        awaitHealth(upstream, "SERVING");

        String dom = chromium.dumpDom(page);

        assertThat(dom).contains("<title>Torii gateway status</title>", "<h1>Torii gateway</h1>");
        assertThat(routeRow(dom, "/examples.offer.v1.OfferService/CreateOffer"))
                .contains("<code>POST /v1/offers</code>", "CreateOffer", "users(scopes: offers.write)", "5s",
                        "examples.offer.v1.OfferService");
        assertThat(routeRow(dom, "/examples.offer.v1.OfferService/GetOffer")).contains(">public<", "2s");
        assertThat(routeRow(dom, "/examples.offer.v1.OfferService/WhoAmI"))
                .contains("users + service-accounts(roles: support.reader)");
        assertThat(upstreamRow(dom, upstream)).contains("SERVING", "READY", "examples.offer.v1.OfferService",
                "<span class=\"circuit good\">CLOSED</span>", "0 / 1000");
        assertThat(dom).contains("id=\"reload-result\">started<");

        offers.close();
        awaitHealth(upstream, "DOWN");
        String after = chromium.dumpDom(page);

        assertThat(upstreamRow(after, upstream)).contains("<span class=\"health bad\">DOWN</span>", "UNAVAILABLE")
                .doesNotContain("SERVING");
        assertThat(routeRow(after, "/examples.offer.v1.OfferService/GetOffer")).isNotEmpty();
    }

    private int managementPort() {
        return environment.getRequiredProperty("local.management.port", Integer.class);
    }

    // Waits for the background health poll, through the JSON form, before the browser looks.
    private void awaitHealth(String target, String health) {
        HttpCalls management = new HttpCalls(managementPort());
        JsonMapper json = JsonMapper.builder().build();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode report = json.readTree(management.send(HttpRequest.newBuilder(
                    URI.create(management.base() + "/actuator/torii/json")).GET().build()).body());
            for (JsonNode upstream : report.get("upstreams")) {
                if (upstream.get("target").asString().equals(target)) {
                    return upstream.get("health").asString().equals(health);
                }
            }
            return false;
        });
    }

    private static String routeRow(String dom, String path) {
        return row(dom, "<tr class=\"route\"><td><code>" + Pattern.quote(path) + "</code>");
    }

    private static String upstreamRow(String dom, String target) {
        return row(dom, "<tr class=\"upstream\" data-target=\"" + Pattern.quote(target) + "\">");
    }

    private static String row(String dom, String start) {
        Matcher row = Pattern.compile(start + "(.*?)</tr>", Pattern.DOTALL).matcher(dom);
        assertThat(row.find()).as("a row starting " + start + " in\n" + dom).isTrue();
        return row.group(1);
    }
}
