package dev.torii.gateway.routefile;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Reports that a set of route files cannot be used, with every problem found (not just the first).
 */
public final class RouteFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<RouteProblem> problems;

    /**
     * Creates the exception.
     *
     * @param problems the problems, at least one
     */
    public RouteFileException(List<RouteProblem> problems) {
        super(describe(problems));
        this.problems = List.copyOf(problems);
    }

    /**
     * Returns every problem found.
     *
     * @return the problems, in file order
     */
    public List<RouteProblem> problems() {
        return problems;
    }

    private static String describe(List<RouteProblem> problems) {
        return problems.size() + " problem(s) in route files:"
                + problems.stream().map(p -> "\n  " + p).collect(Collectors.joining());
    }
}
