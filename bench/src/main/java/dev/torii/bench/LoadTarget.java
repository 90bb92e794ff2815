package dev.torii.bench;

/**
 * Makes the benchmarked call one way (straight to the backend, or through the gateway) without
 * blocking the caller, so a handful of event-loop threads can keep many calls in flight.
 */
interface LoadTarget {

    /**
     * Returns the name the report uses for this target.
     *
     * @return a short name such as {@code direct}
     */
    String name();

    /**
     * Starts one call and returns at once; {@code outcome} hears exactly once how it ended, on
     * whatever thread completed it.
     *
     * @param outcome told when the call ends
     */
    void call(Outcome outcome);

    /**
     * Hears how one call ended.
     */
    interface Outcome {

        /** Reports a call answered correctly. */
        void succeeded();

        /**
         * Reports a call that failed or answered something other than the expected offer.
         *
         * @param reason what went wrong, short enough to group identical failures by
         */
        void failed(String reason);
    }
}
