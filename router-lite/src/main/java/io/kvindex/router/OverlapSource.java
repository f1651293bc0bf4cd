package io.kvindex.router;

import io.kvindex.index.OverlapScores;

/**
 * Where a router learns how many leading blocks of a prompt each worker rank holds: an indexer over Aeron
 * ({@link IndexerOverlapSource}) or an index in the same process ({@link LocalIndexOverlapSource}). Called from the
 * router's thread only.
 */
public interface OverlapSource extends AutoCloseable
{
    /**
     * Fill {@code scores} with the overlaps of a prompt, or say that they are not available now (the router then
     * routes on load alone and counts a fallback).
     *
     * @param localHashes the prompt's local block hashes.
     * @param count       number of hashes.
     * @param scores      caller-owned holder, reset and filled when the answer is available.
     * @return true when {@code scores} holds the answer.
     */
    boolean findOverlaps(long[] localHashes, int count, OverlapScores scores);

    /**
     * Background work between requests (reading late answers, reconnecting); called from the router's duty cycle.
     *
     * @return work done, 0 when idle.
     */
    default int poll()
    {
        return 0;
    }

    /**
     * Release what the source holds; the router closes only the sources it created.
     */
    @Override
    default void close()
    {
    }
}
