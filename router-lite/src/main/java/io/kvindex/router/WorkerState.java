package io.kvindex.router;

import org.agrona.collections.Long2LongHashMap;

/**
 * What the router knows of one worker rank: its active load (blocks held by booked requests, counted once however
 * many requests share them, and prefill tokens not yet prefilled) and the scratch of the decision in progress.
 * Owned by the router's thread.
 */
final class WorkerState
{
    static final long NO_COUNT = 0;

    final long workerId;
    final int dpRank;
    final Long2LongHashMap blockRefs = new Long2LongHashMap(NO_COUNT);
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
        while (held < count && blockRefs.containsKey(sequenceHashes[held]))
        {
            held++;
        }
        return count - held;
    }

    void addBlocks(final long[] sequenceHashes, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final long hash = sequenceHashes[i];
            blockRefs.put(hash, blockRefs.get(hash) + 1);
        }
    }

    void removeBlocks(final long[] sequenceHashes, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final long hash = sequenceHashes[i];
            final long refs = blockRefs.get(hash);
            if (refs <= 1)
            {
                blockRefs.remove(hash);
            }
            else
            {
                blockRefs.put(hash, refs - 1);
            }
        }
    }

    boolean isIdle()
    {
        return 0 == activeRequests && blockRefs.isEmpty() && 0 == activePrefillTokens;
    }
}
