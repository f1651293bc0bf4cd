package io.kvindex.router;

import java.util.Arrays;

/**
 * Caller-owned answer of {@code get_potential_loads}: per candidate worker rank, the prefill tokens and decode blocks
 * it would have if the prompt were routed to it. Reused across calls; grows only when there are more candidates than
 * it has held before.
 */
public final class PotentialLoads
{
    private int size;
    private long[] workerIds = new long[16];
    private int[] dpRanks = new int[16];
    private long[] prefillTokens = new long[16];
    private long[] decodeBlocks = new long[16];

    /**
     * Number of candidates.
     *
     * @return entries.
     */
    public int size()
    {
        return size;
    }

    /**
     * Worker id of entry {@code i}.
     *
     * @param i entry index.
     * @return worker id.
     */
    public long workerId(final int i)
    {
        return workerIds[i];
    }

    /**
     * Dp rank of entry {@code i}.
     *
     * @param i entry index.
     * @return dp rank.
     */
    public int dpRank(final int i)
    {
        return dpRanks[i];
    }

    /**
     * {@code potential_prefill_tokens} of entry {@code i}: active prefill tokens plus the prompt's uncached tokens.
     *
     * @param i entry index.
     * @return tokens.
     */
    public long potentialPrefillTokens(final int i)
    {
        return prefillTokens[i];
    }

    /**
     * {@code potential_decode_blocks} of entry {@code i}: active blocks plus the blocks the prompt adds.
     *
     * @param i entry index.
     * @return blocks.
     */
    public long potentialDecodeBlocks(final int i)
    {
        return decodeBlocks[i];
    }

    /**
     * Start filling the holder with {@code count} entries (a client decoding an answer, or the router).
     *
     * @param count entries to come.
     */
    public void reset(final int count)
    {
        size = 0;
        if (count > workerIds.length)
        {
            final int capacity = Math.max(count, workerIds.length * 2);
            workerIds = Arrays.copyOf(workerIds, capacity);
            dpRanks = Arrays.copyOf(dpRanks, capacity);
            prefillTokens = Arrays.copyOf(prefillTokens, capacity);
            decodeBlocks = Arrays.copyOf(decodeBlocks, capacity);
        }
    }

    /**
     * Add one candidate's loads.
     *
     * @param workerId               the worker id.
     * @param dpRank                 the dp rank.
     * @param potentialPrefillTokens prefill tokens it would have with the prompt.
     * @param potentialDecodeBlocks  decode blocks it would have with the prompt.
     */
    public void add(
        final long workerId, final int dpRank, final long potentialPrefillTokens, final long potentialDecodeBlocks)
    {
        final int i = size++;
        workerIds[i] = workerId;
        dpRanks[i] = dpRank;
        prefillTokens[i] = potentialPrefillTokens;
        decodeBlocks[i] = potentialDecodeBlocks;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("PotentialLoads{");
        for (int i = 0; i < size; i++)
        {
            sb.append(0 == i ? "" : ", ").append(Worker.label(workerIds[i], dpRanks[i])).append(": prefill ")
                .append(prefillTokens[i]).append(" tokens, decode ").append(decodeBlocks[i]).append(" blocks");
        }
        return sb.append('}').toString();
    }
}
