package dev.torii.bench;

/**
 * Makes the benchmarked call one way (straight to the backend, or through the gateway) without
 * blocking the caller, so a handful of event-loop threads can keep many calls in flight. A call
 * may stand for several messages (one offer fanned out to many streams), and a target may hold
 * state open around each load (those streams).
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
     * Returns how many messages one successful call delivers: 1 for a unary call, the number of
     * streams for an offer fanned out to every open stream.
     *
     * @return messages per call, at least 1
     */
    default int messagesPerCall() {
        return 1;
    }

    /**
     * Prepares what the calls need before a load starts, such as open streams; nothing by default.
     *
     * @throws Exception if the target cannot be made ready, with the reason
     */
    default void beforeLoad() throws Exception {}

    /**
     * Releases what {@link #beforeLoad} opened, once every call of the load has ended; nothing by
     * default.
     */
    default void afterLoad() {}

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
