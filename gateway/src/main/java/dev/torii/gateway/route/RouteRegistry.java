package dev.torii.gateway.route;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds the route table in force. Requests read it once, at match time, and keep that table for
 * their whole life; a reload swaps in a new one atomically.
 *
 * <p>While the gateway warms up it also holds a second table, which only the gateway's own
 * warm-up calls are matched against: everything that shows or checks the routes (the status page,
 * the API documents, health, reloads) reads {@link #current()} and never sees it, and a reload
 * during the warm-up takes effect for clients at once.
 */
public final class RouteRegistry {

    private final AtomicReference<RouteTable> current;
    private volatile RouteTable warmUp;

    /**
     * Creates the registry with its first table.
     *
     * @param initial the table loaded at start-up
     */
    public RouteRegistry(RouteTable initial) {
        this.current = new AtomicReference<>(initial);
    }

    /**
     * Returns the table in force.
     *
     * @return the table
     */
    public RouteTable current() {
        return current.get();
    }

    /**
     * Returns the table a request is matched against: the warm-up table for a warm-up call while
     * one is set, the table in force otherwise.
     *
     * @param warmUpCall whether the request is one of the gateway's own warm-up calls
     * @return the table
     */
    public RouteTable matching(boolean warmUpCall) {
        if (warmUpCall) {
            RouteTable table = warmUp;
            if (table != null) {
                return table;
            }
        }
        return current.get();
    }

    /**
     * Sets or clears the table only warm-up calls are matched against.
     *
     * @param table the warm-up table, or null once the warm-up is over
     */
    public void warmUp(RouteTable table) {
        warmUp = table;
    }

    /**
     * Puts a new table in force; requests already matched keep the old one.
     *
     * @param table the new table
     */
    public void swap(RouteTable table) {
        current.set(table);
    }
}
