package dev.torii.gateway.admin;

import java.util.List;

/**
 * Renders a {@link StatusReport} as one self-contained HTML page: inline CSS, no script, no
 * external resource (operators open it on machines with no internet access), refreshing itself
 * every few seconds. Every value is escaped: route files, problem messages and upstream errors
 * are text from outside the gateway.
 */
final class StatusPage {

    /** How often the page reloads itself, in seconds. */
    static final int REFRESH_SECONDS = 5;

    private static final String STYLE = """
            body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
            h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.4em 0 .4em}
            table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25em .6em;border-bottom:1px solid #ddd;vertical-align:top}
            th{background:#f4f4f4}code{font:12px ui-monospace,monospace}.muted{color:#777}
            .good{color:#176f2c;font-weight:600}.bad{color:#b3261e;font-weight:600}.meh{color:#8a6100;font-weight:600}
            ul.problems{margin:.4em 0;padding-left:1.2em}ul.problems li{font:12px ui-monospace,monospace;white-space:pre-wrap}
            """;

    private StatusPage() {}

    /**
     * Renders the page.
     *
     * @param report what to show
     * @return the HTML document
     */
    static String render(StatusReport report) {
        StringBuilder html = new StringBuilder(8192);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"refresh\" content=\"").append(REFRESH_SECONDS).append("\">")
                .append("<title>Torii gateway status</title><style>").append(STYLE).append("</style></head><body>\n")
                .append("<h1>Torii gateway</h1><p class=\"muted\">Generated ").append(escape(report.generatedAt()))
                .append("; refreshes every ").append(REFRESH_SECONDS).append("s. ")
                .append("<a href=\"torii/json\">The same as JSON</a>. ")
                .append("<a href=\"apidocs\" id=\"api-documents\">API documents (OpenAPI)</a>.</p>\n");
        reload(html, report.reload());
        upstreams(html, report.upstreams());
        routes(html, report.routes());
        return html.append("</body></html>\n").toString();
    }

    private static void reload(StringBuilder html, StatusReport.Reload reload) {
        String css = reload.result().equals("rejected") ? "bad" : "good";
        html.append("<section id=\"reload\"><h2>Route files</h2><table><tbody>\n");
        row(html, "Last attempt", "<span class=\"" + css + "\" id=\"reload-result\">" + escape(reload.result())
                + "</span> at " + escape(reload.at()) + " <span class=\"muted\">(files " + code(reload.digest())
                + ")</span>");
        row(html, "In force", "since " + escape(reload.inForceSince()) + " <span class=\"muted\">(files "
                + code(reload.inForceDigest()) + ")</span>");
        row(html, "Reloads", "<span id=\"reloads-succeeded\">" + reload.succeeded() + "</span> succeeded, "
                + "<span id=\"reloads-failed\">" + reload.failed() + "</span> failed");
        row(html, "Watching", reload.watching() ? "yes, and reading the folder every " + escape(reload.pollInterval())
                : "no (torii.gateway.reload.enabled=false)");
        html.append("</tbody></table>\n");
        if (!reload.problems().isEmpty()) {
            html.append("<p class=\"bad\">The last attempt was refused; the set in force stays. Problems:</p>")
                    .append("<ul class=\"problems\" id=\"reload-problems\">");
            for (StatusReport.Problem problem : reload.problems()) {
                StringBuilder text = new StringBuilder(problem.file());
                if (problem.line() > 0) {
                    text.append(':').append(problem.line());
                }
                text.append(": ");
                if (!problem.field().isEmpty()) {
                    text.append(problem.field()).append(": ");
                }
                html.append("<li>").append(escape(text.append(problem.message()).toString())).append("</li>");
            }
            html.append("</ul>\n");
        }
        html.append("</section>\n");
    }

    private static void row(StringBuilder html, String name, String valueHtml) {
        html.append("<tr><th scope=\"row\">").append(escape(name)).append("</th><td>").append(valueHtml)
                .append("</td></tr>\n");
    }

    private static void upstreams(StringBuilder html, List<StatusReport.Upstream> upstreams) {
        // Only a gateway with local/remote upstreams (local development) needs that column.
        boolean localRemote = upstreams.stream().anyMatch(upstream -> !upstream.localRemote().isEmpty());
        html.append("<section id=\"upstreams\"><h2>Upstreams (").append(upstreams.size()).append(")</h2>")
                .append("<table><thead><tr><th>Target</th><th>TLS</th><th>Health</th><th>Detail</th>")
                .append("<th>Circuit</th><th>In flight</th>").append(localRemote ? "<th>Local/remote</th>" : "")
                .append("<th>Channel</th><th>Checked</th><th>Services</th></tr></thead><tbody>\n");
        for (StatusReport.Upstream upstream : upstreams) {
            html.append("<tr class=\"upstream\" data-target=\"").append(escape(upstream.target())).append("\">")
                    .append(cell(code(upstream.target())))
                    .append(cell(upstream.tls() ? "yes" : "no"))
                    .append(cell("<span class=\"health " + healthCss(upstream.health()) + "\">"
                            + escape(upstream.health()) + "</span>"))
                    .append(cell(escape(orDash(upstream.healthDetail()))))
                    .append(cell(circuit(upstream.circuit())))
                    .append(cell(concurrency(upstream.concurrency())));
            if (localRemote) {
                html.append(cell(localRemote(upstream.localRemote())));
            }
            html.append(cell(escape(orDash(upstream.channel()))))
                    .append(cell(escape(orDash(upstream.checkedAt()))))
                    .append(cell(escape(String.join(", ", upstream.services()))))
                    .append("</tr>\n");
        }
        html.append("</tbody></table></section>\n");
    }

    private static String circuit(StatusReport.Circuit circuit) {
        if (circuit == null) {
            return "–";
        }
        String state = "<span class=\"circuit " + circuitCss(circuit.state()) + "\">" + escape(circuit.state())
                + "</span>";
        if (circuit.calls() == null) {
            return state;
        }
        String counts = circuit.failureRate() == null
                ? circuit.calls() + " call(s), too few for rates"
                : "failed " + percent(circuit.failureRate()) + ", slow " + percent(circuit.slowCallRate()) + " of "
                        + circuit.calls() + " call(s)";
        return state + "<br><span class=\"muted\">" + escape(counts) + "</span>";
    }

    private static String concurrency(StatusReport.Concurrency concurrency) {
        if (concurrency == null) {
            return "–";
        }
        String text = concurrency.inFlight() + " / " + concurrency.max();
        return concurrency.inFlight() >= concurrency.max() ? "<span class=\"bad\">" + text + " (full)</span>" : text;
    }

    private static String localRemote(List<StatusReport.LocalRemote> choices) {
        StringBuilder cell = new StringBuilder();
        for (StatusReport.LocalRemote choice : choices) {
            cell.append(cell.isEmpty() ? "" : "<br>")
                    .append("<span class=\"local-remote\">in use: <strong class=\"in-use\">")
                    .append(escape(choice.inUse())).append("</strong> <span class=\"muted\">(")
                    .append(escape(choice.reason())).append(")</span><br>local ").append(code(choice.local()))
                    .append(", remote ").append(code(choice.remote())).append("</span>");
        }
        return cell.isEmpty() ? "–" : cell.toString();
    }

    private static String percent(Double rate) {
        return rate == null ? "–" : (rate == Math.rint(rate) ? Long.toString(Math.round(rate)) : rate.toString()) + "%";
    }

    private static void routes(StringBuilder html, List<StatusReport.Route> routes) {
        html.append("<section id=\"routes\"><h2>Routes (").append(routes.size()).append(")</h2>")
                .append("<table><thead><tr><th>Path</th><th>Service</th><th>Method</th><th>Auth</th>")
                .append("<th>Timeout</th><th>Audience</th><th>Upstream</th><th>Declared at</th></tr></thead><tbody>\n");
        for (StatusReport.Route route : routes) {
            html.append("<tr class=\"route\">")
                    .append(cell(code(route.path()) + rest(route.rest())))
                    .append(cell(escape(route.service())))
                    .append(cell(escape(route.method())))
                    .append(cell(escape(route.auth())))
                    .append(cell(escape(route.timeout())))
                    .append(cell(escape(route.audience())))
                    .append(cell(code(route.upstream())))
                    .append(cell("<span class=\"muted\">" + escape(route.source()) + "</span>"))
                    .append("</tr>\n");
        }
        html.append("</tbody></table></section>\n");
    }

    // The REST bindings under the RPC path, one per line.
    private static String rest(List<String> bindings) {
        StringBuilder lines = new StringBuilder();
        bindings.forEach(binding -> lines.append("<br>").append(code(binding)));
        return lines.toString();
    }

    private static String healthCss(String health) {
        return switch (health) {
            case "SERVING" -> "good";
            case "DOWN", "NOT_SERVING" -> "bad";
            default -> "meh";
        };
    }

    private static String circuitCss(String state) {
        return switch (state) {
            case "CLOSED" -> "good";
            case "OPEN", "FORCED_OPEN" -> "bad";
            case "HALF_OPEN" -> "meh";
            default -> "muted";
        };
    }

    private static String cell(String valueHtml) {
        return "<td>" + valueHtml + "</td>";
    }

    private static String code(String text) {
        return "<code>" + escape(text) + "</code>";
    }

    private static String orDash(String text) {
        return text == null || text.isEmpty() ? "–" : text;
    }

    /**
     * Escapes text for HTML element content and quoted attribute values.
     */
    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
