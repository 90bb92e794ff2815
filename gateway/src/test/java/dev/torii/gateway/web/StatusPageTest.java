package dev.torii.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusPageTest {

    private static final String ATTACK = "<script>alert('x')</script>&\"";

    @Test
    void escapesEverythingItPrints() {
        StatusReport report = new StatusReport(ATTACK,
                new StatusReport.Reload(true, "5s", "rejected", ATTACK, 1, 2, ATTACK, "abc", ATTACK,
                        List.of(new StatusReport.Problem("routes/" + ATTACK + ".yaml", 3, ATTACK, ATTACK))),
                List.of(new StatusReport.Upstream(ATTACK, false, "DOWN", ATTACK, ATTACK, ATTACK, List.of(ATTACK))),
                List.of(new StatusReport.Route(ATTACK, ATTACK, ATTACK, ATTACK, ATTACK, ATTACK, ATTACK, ATTACK)));

        String html = StatusPage.render(report);

        assertThat(html).doesNotContain("<script", "alert('x')", "&\"")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
    }

    @Test
    void showsTheRefusedReloadsProblemsAndTheHealthOfEachUpstream() {
        StatusReport report = new StatusReport("2026-01-01T00:00:00Z",
                new StatusReport.Reload(true, "5s", "rejected", "2026-01-01T00:00:00Z", 0, 1, "def", "abc",
                        "2025-12-31T23:00:00Z", List.of(new StatusReport.Problem("routes/offers.yaml", 7,
                                "methods[0]", "unknown method 'Nope'"))),
                List.of(new StatusReport.Upstream("localhost:50051", false, "DOWN", "UNAVAILABLE: io exception", null,
                        "TRANSIENT_FAILURE", List.of("examples.offer.v1.OfferService"))),
                List.of());

        String html = StatusPage.render(report);

        assertThat(html).contains("<li>routes/offers.yaml:7: methods[0]: unknown method &#39;Nope&#39;</li>",
                "<span class=\"health bad\">DOWN</span>", "TRANSIENT_FAILURE", "href=\"torii/json\"",
                "<meta http-equiv=\"refresh\" content=\"5\">");
        assertThat(html).doesNotContain("<link", "<script", "http://", "https://");
    }

    @Test
    void writesDurationsAsRouteFilesDo() {
        assertThat(StatusReport.duration(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(StatusReport.duration(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(StatusReport.duration(Duration.ofMinutes(2))).isEqualTo("2m");
        assertThat(StatusReport.duration(Duration.ofHours(1))).isEqualTo("1h");
    }
}
