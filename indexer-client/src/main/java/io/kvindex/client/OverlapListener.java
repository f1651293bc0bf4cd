package io.kvindex.client;

/**
 * Told when an asynchronous query completes, from the thread that calls {@link IndexerClient#poll()}.
 */
@FunctionalInterface
public interface OverlapListener
{
    /**
     * A query completed; its result holder is filled and {@link OverlapResult#isDone()}.
     *
     * @param correlationId the id {@link IndexerClient#offer} returned.
     * @param result        the caller's holder passed to {@code offer}.
     */
    void onOverlap(long correlationId, OverlapResult result);
}
