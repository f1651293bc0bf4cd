package io.kvindex.router;

/**
 * A candidate worker: one data-parallel rank of a worker, the unit the router scores and books.
 *
 * @param workerId            the worker id (unsigned in a long), as the engines report it in KV events.
 * @param dpRank              the data-parallel rank.
 * @param weight              relative capacity for {@link RouterMode#DEVICE_AWARE_WEIGHTED}, above 0 (1 by default).
 * @param url                 where requests for this worker go, may be null for a core used without a pass-through.
 * @param maxNumBatchedTokens the engine's {@code max_num_batched_tokens}, for the queue threshold.
 */
public record Worker(long workerId, int dpRank, double weight, String url, long maxNumBatchedTokens)
{
    /** {@code max_num_batched_tokens} assumed when a worker does not say (Dynamo's: queueing stays off). */
    public static final long DEFAULT_MAX_NUM_BATCHED_TOKENS = 10_000_000L;

    /**
     * Validates the values.
     *
     * @param workerId            the worker id.
     * @param dpRank              the dp rank, at least 0.
     * @param weight              relative capacity, finite and above 0.
     * @param url                 the worker's URL or null.
     * @param maxNumBatchedTokens at least 1.
     */
    public Worker
    {
        if (dpRank < 0)
        {
            throw new IllegalArgumentException("dpRank must be >= 0: " + dpRank);
        }
        if (!(weight > 0) || Double.isInfinite(weight))
        {
            throw new IllegalArgumentException("weight must be finite and > 0: " + weight);
        }
        if (maxNumBatchedTokens < 1)
        {
            throw new IllegalArgumentException("maxNumBatchedTokens must be >= 1: " + maxNumBatchedTokens);
        }
    }

    /**
     * A worker rank with weight 1, no URL and the default {@code max_num_batched_tokens}.
     *
     * @param workerId the worker id.
     * @param dpRank   the dp rank.
     * @return the worker.
     */
    public static Worker of(final long workerId, final int dpRank)
    {
        return new Worker(workerId, dpRank, 1.0, null, DEFAULT_MAX_NUM_BATCHED_TOKENS);
    }

    /**
     * Whether this is the rank {@code (workerId, dpRank)}.
     *
     * @param workerId the worker id.
     * @param dpRank   the dp rank.
     * @return true when both match.
     */
    public boolean is(final long workerId, final int dpRank)
    {
        return this.workerId == workerId && this.dpRank == dpRank;
    }

    /**
     * The worker as operators read it: {@code 3} for rank 0, {@code 3 dp 1} otherwise; ids print unsigned.
     *
     * @return the label.
     */
    public String label()
    {
        return label(workerId, dpRank);
    }

    static String label(final long workerId, final int dpRank)
    {
        final String id = Long.toUnsignedString(workerId);
        return 0 == dpRank ? id : id + " dp " + dpRank;
    }
}
