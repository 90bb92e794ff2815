package dev.torii.gateway.routefile;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a start-up stopped by bad route files into a short report that lists each problem with
 * its file and line, instead of a stack trace.
 */
public final class RouteFileFailureAnalyzer extends AbstractFailureAnalyzer<RouteFileException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, RouteFileException cause) {
        return new FailureAnalysis("The gateway did not start: " + cause.getMessage(),
                "Fix the route files listed above (their JSON Schema is routes/route-file.schema.json),"
                        + " or point torii.gateway.routes-dir at another folder.", cause);
    }
}
