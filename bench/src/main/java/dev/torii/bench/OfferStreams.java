package dev.torii.bench;

import dev.torii.examples.offer.v1.Offer;

/**
 * Opens and cancels {@code WatchOffers} streams one way: straight on the offer service over
 * gRPC, or through the gateway as Connect streams.
 */
interface OfferStreams {

    /**
     * Opens {@code count} streams and returns without waiting for them; every offer any of them
     * receives, and the end of each, go to {@code listener} on the thread that read them.
     *
     * @param count how many streams, numbered from 0
     * @param listener hears the offers and the ends
     */
    void open(int count, Listener listener);

    /**
     * Cancels every stream {@link #open} opened; the listener hears nothing after this.
     */
    void cancel();

    /**
     * Hears what the streams receive.
     */
    interface Listener {

        /**
         * Takes one offer.
         *
         * @param stream the stream's number
         * @param offer the offer it carried
         */
        void received(int stream, Offer offer);

        /**
         * Hears that a stream ended before it was cancelled: the backend or the gateway closed
         * it, cleanly or not.
         *
         * @param stream the stream's number
         * @param reason how it ended
         */
        void ended(int stream, String reason);
    }
}
