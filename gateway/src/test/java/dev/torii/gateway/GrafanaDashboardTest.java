package dev.torii.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Holds the Grafana dashboard ({@code config/grafana/torii-gateway.json}) to the metrics the
 * gateway exports, so a renamed metric or a typo in a query fails the build instead of leaving
 * an empty panel, and checks it imports anywhere: Prometheus chosen at import or through the
 * {@code datasource} variable, never a data source uid from one Grafana.
 */
class GrafanaDashboardTest {

    private static final Path DASHBOARD = Path.of("../config/grafana/torii-gateway.json");

    /**
     * Every series the dashboard may query, by metric family: the gateway's own (Prometheus
     * names), Resilience4j's, and the JVM and process basics.
     */
    static final Map<String, Set<String>> KNOWN_METRICS = knownMetrics();

    private static final Set<String> PROMQL_KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "by",
            "without", "on", "ignoring", "group_left", "group_right");
    // Things that are not metric names: strings, label matchers, ranges, label lists, variables.
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern LABEL_LIST = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?\\w+}?");
    // An identifier that is not a function call.
    private static final Pattern NAME = Pattern.compile("(?<![\\w:.])([A-Za-z_:][\\w:]*+)(?!\\s*\\()");
    private static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\((.+),\\s*\\w+\\)$");

    private static JsonNode dashboard;

    @BeforeAll
    static void read() throws IOException {
        dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
    }

    private static Map<String, Set<String>> knownMetrics() {
        Map<String, Set<String>> metrics = new LinkedHashMap<>();
        for (String histogram : List.of("torii_gateway_requests_seconds", "torii_gateway_upstream_calls_seconds",
                "torii_gateway_authority_exchange_seconds")) {
            metrics.put(histogram, Set.of(histogram + "_bucket", histogram + "_count", histogram + "_sum"));
        }
        for (String single : List.of("torii_gateway_exchange_cache_total", "torii_gateway_ratelimit_decisions_total",
                "torii_gateway_ratelimit_redis_fallback", "resilience4j_circuitbreaker_state",
                "resilience4j_bulkhead_available_concurrent_calls", "torii_gateway_route_reloads_total",
                "torii_gateway_routes", "torii_gateway_upstream_up", "jvm_memory_used_bytes", "process_cpu_usage")) {
            metrics.put(single, Set.of(single));
        }
        return metrics;
    }

    @Test
    void queriesOnlyMetricsTheGatewayExports() {
        Set<String> known = new TreeSet<>();
        KNOWN_METRICS.values().forEach(known::addAll);

        Map<String, Set<String>> used = usedMetrics();

        assertThat(used).isNotEmpty();
        used.forEach((where, names) -> assertThat(names).as(where).isNotEmpty().isSubsetOf(known));
    }

    @Test
    void showsEveryMetricFamily() {
        Set<String> used = new TreeSet<>();
        usedMetrics().values().forEach(used::addAll);

        KNOWN_METRICS.forEach((family, series) -> assertThat(series).as(family).containsAnyElementsOf(used));
    }

    @Test
    void findsMetricNamesInPromQl() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (route, le) (rate(torii_gateway_requests_seconds_bucket"
                + "{route=~\"$route\", status=~\"5..\"}[$__rate_interval])))"))
                .containsExactly("torii_gateway_requests_seconds_bucket");
        assertThat(metricNames("sum(rate(a_total{x=\"by (y)\"}[5m])) / on(instance) group_left b_seconds_count"
                + " or vector(0) and bool 1e3"))
                .containsExactly("a_total", "b_seconds_count");
        assertThat(metricNames("count(max by (name) (resilience4j_circuitbreaker_state) == 1) or vector(0)"))
                .containsExactly("resilience4j_circuitbreaker_state");
    }

    @Test
    void letsTheImporterChooseThePrometheus() {
        assertThat(dashboard.path("__inputs").values()).anySatisfy(input -> {
            assertThat(input.path("name").asString()).isEqualTo("DS_PROMETHEUS");
            assertThat(input.path("pluginId").asString()).isEqualTo("prometheus");
        });
        JsonNode datasource = variable("datasource");
        assertThat(datasource.path("type").asString()).isEqualTo("datasource");
        assertThat(datasource.path("query").asString()).isEqualTo("prometheus");
        assertThat(datasource.path("current").path("value").asString()).isEqualTo("${DS_PROMETHEUS}");

        List<JsonNode> sources = new ArrayList<>();
        panels(dashboard.path("panels")).stream().filter(p -> !p.path("type").asString().equals("row"))
                .forEach(panel -> {
                    sources.add(panel.path("datasource"));
                    panel.path("targets").values().forEach(target -> sources.add(target.path("datasource")));
                });
        sources.add(variable("route").path("datasource"));
        sources.add(variable("upstream").path("datasource"));
        assertThat(sources).isNotEmpty().allSatisfy(source -> {
            assertThat(source.path("type").asString()).isEqualTo("prometheus");
            assertThat(source.path("uid").asString()).isEqualTo("${datasource}");
        });
    }

    @Test
    void filtersByRouteAndUpstream() {
        for (String name : List.of("route", "upstream")) {
            JsonNode variable = variable(name);
            assertThat(variable.path("type").asString()).as(name).isEqualTo("query");
            assertThat(variable.path("includeAll").asBoolean()).as(name).isTrue();
            assertThat(variable.path("multi").asBoolean()).as(name).isTrue();
        }
        List<String> requestQueries = new ArrayList<>();
        panels(dashboard.path("panels")).forEach(panel -> panel.path("targets").values().stream()
                .map(target -> target.path("expr").asString())
                .filter(expr -> expr.contains("torii_gateway_requests_seconds"))
                .forEach(requestQueries::add));
        assertThat(requestQueries).isNotEmpty()
                .allSatisfy(expr -> assertThat(expr).contains("route=~\"$route\"", "upstream=~\"$upstream\""));
    }

    @Test
    void panelIdsAreUnique() {
        List<Integer> ids = panels(dashboard.path("panels")).stream().map(p -> p.path("id").asInt()).toList();

        assertThat(ids).doesNotHaveDuplicates().doesNotContain(0);
    }

    // Panel queries by panel title, and variable queries by variable name.
    private static Map<String, Set<String>> usedMetrics() {
        Map<String, Set<String>> used = new LinkedHashMap<>();
        for (JsonNode panel : panels(dashboard.path("panels"))) {
            for (JsonNode target : panel.path("targets").values()) {
                String expr = target.path("expr").asString();
                assertThat(expr).as(panel.path("title").asString()).isNotBlank();
                used.computeIfAbsent("panel '" + panel.path("title").asString() + "' " + target.path("refId").asString(),
                        k -> new TreeSet<>()).addAll(metricNames(expr));
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list").values()) {
            if (variable.path("type").asString().equals("query")) {
                String query = variable.path("query").path("query").asString();
                Matcher labelValues = LABEL_VALUES.matcher(query);
                assertThat(labelValues.matches()).as("variable %s: %s", variable.path("name").asString(), query).isTrue();
                used.put("variable " + variable.path("name").asString(), metricNames(labelValues.group(1)));
            }
        }
        return used;
    }

    static Set<String> metricNames(String expr) {
        String bare = expr;
        for (Pattern noise : List.of(STRING, MATCHERS, RANGE, LABEL_LIST, VARIABLE)) {
            bare = noise.matcher(bare).replaceAll(" ");
        }
        Set<String> names = new TreeSet<>();
        Matcher name = NAME.matcher(bare);
        while (name.find()) {
            if (!PROMQL_KEYWORDS.contains(name.group(1))) {
                names.add(name.group(1));
            }
        }
        return names;
    }

    private static List<JsonNode> panels(JsonNode list) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : list.values()) {
            all.add(panel);
            all.addAll(panels(panel.path("panels")));
        }
        return all;
    }

    private static JsonNode variable(String name) {
        return dashboard.path("templating").path("list").values().stream()
                .filter(v -> v.path("name").asString().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no template variable '" + name + "'"));
    }
}
