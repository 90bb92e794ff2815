package dev.torii.gateway.route;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds the route table in force. Requests read it once, at match time, and keep that table for
 * their whole life; a reload swaps in a new one atomically.
 */
public final class RouteRegistry {

    private final AtomicReference<RouteTable> current;

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
     * Puts a new table in force; requests already matched keep the old one.
     *
     * @param table the new table
     */
    public void swap(RouteTable table) {
        current.set(table);
    }
}
