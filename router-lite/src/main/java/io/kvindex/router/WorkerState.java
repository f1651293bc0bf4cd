package io.kvindex.router;

/**
 * What the router knows of one worker rank: its active load (blocks held by booked requests, counted once however
 * many requests share them, and prefill tokens not yet prefilled) and the scratch of the decision in progress.
 * Owned by the router's thread.
 */
final class WorkerState
{
    final long workerId;
    final int dpRank;
    final BlockRefCounts blockRefs = new BlockRefCounts();
    Worker worker;
    long activePrefillTokens;
    int activeRequests;
    boolean candidate;

    int overlapBlocks;
    long treeSize;
    long potentialPrefillTokens;
    long potentialDecodeBlocks;
    double logit;

    WorkerState(final Worker worker)
    {
        this.workerId = worker.workerId();
        this.dpRank = worker.dpRank();
        this.worker = worker;
    }

    /**
     * Distinct blocks held by the booked requests.
     *
     * @return active blocks.
     */
    long activeBlocks()
    {
        return blockRefs.size();
    }

    /**
     * Blocks of a request not yet active here. Sequence hashes are prefix-closed (a block is active only with every
     * block before it), so the count stops at the first missing block.
     *
     * @param sequenceHashes the request's sequence hashes.
     * @param count          number of blocks.
     * @return blocks the request would add.
     */
    long newBlocks(final long[] sequenceHashes, final int count)
    {
        if (blockRefs.isEmpty())
        {
            return count;
        }
        int held = 0;
        while (held < count && blockRefs.contains(sequenceHashes[held]))
        {
            held++;
        }
        return count - held;
    }

    void addBlocks(final long[] sequenceHashes, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            blockRefs.increment(sequenceHashes[i]);
        }
    }

    void removeBlocks(final long[] sequenceHashes, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            blockRefs.decrement(sequenceHashes[i]);
        }
    }

    boolean isIdle()
    {
        return 0 == activeRequests && blockRefs.isEmpty() && 0 == activePrefillTokens;
    }
}
