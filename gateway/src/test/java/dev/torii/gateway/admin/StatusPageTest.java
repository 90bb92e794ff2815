package dev.torii.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class StatusPageTest {

    private static final String ATTACK = "<script>alert('x')</script>&\"";
    private static final StatusReport.Circuit CLOSED = new StatusReport.Circuit("CLOSED", null, null, 0);

    @Test
    void escapesEverythingItPrints() {
        StatusReport report = new StatusReport(ATTACK,
                new StatusReport.Reload(true, "5s", "rejected", ATTACK, 1, 2, ATTACK, "abc", ATTACK,
                        List.of(new StatusReport.Problem("routes/" + ATTACK + ".yaml", 3, ATTACK, ATTACK))),
                List.of(new StatusReport.Upstream(ATTACK, false, "DOWN", ATTACK, ATTACK, ATTACK,
                        new StatusReport.Circuit(ATTACK, 1.0, 2.0, 3), new StatusReport.Concurrency(0, 1),
                        List.of(new StatusReport.LocalRemote(ATTACK, ATTACK, ATTACK, ATTACK)), List.of(ATTACK))),
                List.of(new StatusReport.Route(ATTACK, ATTACK, ATTACK, ATTACK, ATTACK, ATTACK, ATTACK, ATTACK,
                        List.of(ATTACK))));

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
                        "TRANSIENT_FAILURE", CLOSED, new StatusReport.Concurrency(0, 1000), List.of(),
                        List.of("examples.offer.v1.OfferService"))),
                List.of());

        String html = StatusPage.render(report);

        assertThat(html).contains("<li>routes/offers.yaml:7: methods[0]: unknown method &#39;Nope&#39;</li>",
                "<span class=\"health bad\">DOWN</span>", "TRANSIENT_FAILURE", "href=\"torii/json\"",
                "<meta http-equiv=\"refresh\" content=\"5\">");
        assertThat(html).doesNotContain("<link", "<script", "http://", "https://");
    }

    @Test
    void showsEachUpstreamsCircuitAndCallsInFlight() {
        String html = StatusPage.render(report(
                upstream("open:1", new StatusReport.Circuit("OPEN", 60.0, 0.0, 5), new StatusReport.Concurrency(0, 10),
                        List.of()),
                upstream("half-open:1", new StatusReport.Circuit("HALF_OPEN", null, null, 1),
                        new StatusReport.Concurrency(2, 2), List.of()),
                upstream("closed:1", new StatusReport.Circuit("CLOSED", 33.3, 12.5, 40),
                        new StatusReport.Concurrency(7, 1000), List.of()),
                upstream("off:1", new StatusReport.Circuit("off", null, null, null), new StatusReport.Concurrency(0, 5),
                        List.of())));

        assertThat(upstreamRow(html, "open:1")).contains("<span class=\"circuit bad\">OPEN</span>",
                "failed 60%, slow 0% of 5 call(s)", "<td>0 / 10</td>");
        assertThat(upstreamRow(html, "half-open:1")).contains("<span class=\"circuit meh\">HALF_OPEN</span>",
                "1 call(s), too few for rates", "<span class=\"bad\">2 / 2 (full)</span>");
        assertThat(upstreamRow(html, "closed:1")).contains("<span class=\"circuit good\">CLOSED</span>",
                "failed 33.3%, slow 12.5% of 40 call(s)", "<td>7 / 1000</td>");
        assertThat(upstreamRow(html, "off:1")).contains("<span class=\"circuit muted\">off</span>")
                .doesNotContain("call(s)");
        assertThat(html).as("no local/remote upstream, no column for it").doesNotContain("Local/remote", "in use");
    }

    @Test
    void showsWhichTargetOfALocalRemoteUpstreamIsInUseAndWhy() {
        StatusReport.LocalRemote local = new StatusReport.LocalRemote("localhost:50051", "offers.dev:443", "local",
                "local answers its health check (SERVING)");
        StatusReport.LocalRemote remote = new StatusReport.LocalRemote("localhost:50052", "search.dev:443", "remote",
                "local does not answer its health check: UNAVAILABLE: io exception");
        String html = StatusPage.render(report(
                upstream("offers.dev:443", CLOSED, new StatusReport.Concurrency(0, 1000), List.of(local)),
                upstream("localhost:50051", CLOSED, new StatusReport.Concurrency(0, 1000), List.of(local)),
                upstream("search.dev:443", CLOSED, new StatusReport.Concurrency(0, 1000), List.of(remote)),
                upstream("plain:1", CLOSED, new StatusReport.Concurrency(0, 1000), List.of())));

        assertThat(html).contains("<th>Local/remote</th>");
        for (String target : List.of("offers.dev:443", "localhost:50051")) {
            assertThat(upstreamRow(html, target)).contains("in use: <strong class=\"in-use\">local</strong>",
                    "(local answers its health check (SERVING))",
                    "local <code>localhost:50051</code>, remote <code>offers.dev:443</code>");
        }
        assertThat(upstreamRow(html, "search.dev:443")).contains("in use: <strong class=\"in-use\">remote</strong>",
                "(local does not answer its health check: UNAVAILABLE: io exception)");
        assertThat(upstreamRow(html, "plain:1")).doesNotContain("in use");
    }

    @Test
    void writesDurationsAsRouteFilesDo() {
        assertThat(StatusReport.duration(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(StatusReport.duration(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(StatusReport.duration(Duration.ofMinutes(2))).isEqualTo("2m");
        assertThat(StatusReport.duration(Duration.ofHours(1))).isEqualTo("1h");
    }

    private static StatusReport report(StatusReport.Upstream... upstreams) {
        return new StatusReport("2026-01-01T00:00:00Z", new StatusReport.Reload(true, "5s", "started",
                "2026-01-01T00:00:00Z", 0, 0, "abc", "abc", "2026-01-01T00:00:00Z", List.of()), List.of(upstreams),
                List.of());
    }

    private static StatusReport.Upstream upstream(String target, StatusReport.Circuit circuit,
            StatusReport.Concurrency concurrency, List<StatusReport.LocalRemote> localRemote) {
        return new StatusReport.Upstream(target, false, "SERVING", null, "2026-01-01T00:00:00Z", "READY", circuit,
                concurrency, localRemote, List.of("examples.offer.v1.OfferService"));
    }

    private static String upstreamRow(String html, String target) {
        Matcher row = Pattern.compile("<tr class=\"upstream\" data-target=\"" + Pattern.quote(target)
                + "\">(.*?)</tr>", Pattern.DOTALL).matcher(html);
        assertThat(row.find()).as("a row for " + target + " in\n" + html).isTrue();
        return row.group(1);
    }
}
