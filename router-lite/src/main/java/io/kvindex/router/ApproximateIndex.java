package io.kvindex.router;

import io.kvindex.index.BlockIndex;
import io.kvindex.index.EventStatus;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.index.OverlapScores;

import java.util.Arrays;

/**
 * The router's own picture of the workers' caches when they send no KV events ({@code --no-router-kv-events}):
 * each routing decision is stored as the chosen worker's chain in an {@link OffHeapBlockIndex} (sequence hashes as
 * engine hashes, local hashes as the tree's keys). Every block expires {@code ttl} after the last decision that
 * stored it; when the index holds more than {@code maxTreeSize} (owner, block) pairs it is pruned to
 * {@code pruneTargetRatio} of that, earliest expiry first and, among equal expiries, deepest block first
 * (spec/dynamo-compat.md section 4).
 * <p>
 * Expiries of a chain never increase along it (a decision refreshes a block together with every block before it),
 * so removing in heap order never cuts a chain in its middle. A block has one heap entry, pushed when the block is
 * first recorded; a later decision only moves the block's timer, and an entry that reaches the top with an expiry
 * older than its timer's is pushed again with the timer's (entries only lag behind their timers, so the top with an
 * up-to-date expiry is the true earliest). Single-threaded: one thread records, expires and queries. Steady state
 * allocates nothing; the heap and the timer tables grow when they need to.
 */
public final class ApproximateIndex implements AutoCloseable
{

    private final OffHeapBlockIndex index;
    private final OwnerMap<OwnerTimers> timersByOwner = new OwnerMap<>();
    private final ExpiryHeap heap;
    private final long ttlNs;
    private final long maxTreeSize;
    private final long pruneTarget;
    private final long[] one = new long[1];
    private OwnerTimers[] ownersById = new OwnerTimers[16];
    private int nextOwnerId;
    private long expiredCount;
    private long prunedCount;
    private long refusedCount;

    /**
     * Timers of one owner: its blocks' sequence hashes and their expiry times.
     */
    static final class OwnerTimers
    {
        final long workerId;
        final int dpRank;
        final int id;
        final BlockTimers blocks = new BlockTimers();

        OwnerTimers(final long workerId, final int dpRank, final int id)
        {
            this.workerId = workerId;
            this.dpRank = dpRank;
            this.id = id;
        }
    }

    /**
     * An index pruned at {@code maxTreeSize} (owner, block) pairs.
     *
     * @param ttlNs            time a block stays after the last decision that stored it.
     * @param maxTreeSize      pairs held before pruning, at least 1.
     * @param pruneTargetRatio fraction of {@code maxTreeSize} pruning goes down to, in (0, 1].
     * @param maxOwners        most worker ranks the index tracks.
     */
    public ApproximateIndex(final long ttlNs, final int maxTreeSize, final double pruneTargetRatio, final int maxOwners)
    {
        if (ttlNs <= 0 || maxTreeSize < 1 || !(pruneTargetRatio > 0 && pruneTargetRatio <= 1))
        {
            throw new IllegalArgumentException("ttlNs > 0, maxTreeSize >= 1 and pruneTargetRatio in (0, 1] needed: " +
                ttlNs + ", " + maxTreeSize + ", " + pruneTargetRatio);
        }
        this.ttlNs = ttlNs;
        this.maxTreeSize = maxTreeSize;
        this.pruneTarget = (long)(maxTreeSize * pruneTargetRatio);
        final int capacity = maxTreeSize + Math.max(1024, maxTreeSize / 8);
        this.index = new OffHeapBlockIndex(new OffHeapBlockIndex.Context()
            .maxBlocks(capacity)
            .maxMemberships(capacity)
            .maxOwners(maxOwners));
        this.heap = new ExpiryHeap(Math.min(capacity, 1 << 16));
    }

    /**
     * Record a routing decision: the worker now holds the chain, every block of it until {@code nowNs + ttl}.
     *
     * @param workerId       the chosen worker.
     * @param dpRank         its dp rank.
     * @param sequenceHashes the request's sequence hashes (stored as the worker's engine hashes).
     * @param localHashes    the request's local hashes.
     * @param count          number of blocks.
     * @param nowNs          the time now.
     * @return the index's {@link EventStatus}; {@link EventStatus#CAPACITY_EXCEEDED} when the chain did not fit
     *         even after pruning.
     */
    public int record(
        final long workerId,
        final int dpRank,
        final long[] sequenceHashes,
        final long[] localHashes,
        final int count,
        final long nowNs)
    {
        expire(nowNs);
        if (0 == count)
        {
            return EventStatus.OK;
        }
        int status = index.store(workerId, dpRank, false, 0, sequenceHashes, localHashes, count);
        if (EventStatus.CAPACITY_EXCEEDED == status)
        {
            pruneTo(pruneTarget);
            status = index.store(workerId, dpRank, false, 0, sequenceHashes, localHashes, count);
            if (EventStatus.CAPACITY_EXCEEDED == status)
            {
                refusedCount++;
                return status;
            }
        }
        final OwnerTimers timers = timersOf(workerId, dpRank);
        final long expiry = nowNs + ttlNs;
        for (int i = 0; i < count; i++)
        {
            if (BlockTimers.NO_EXPIRY == timers.blocks.put(sequenceHashes[i], expiry, i))
            {
                heap.push(expiry, sequenceHashes[i], i, timers.id);
            }
        }
        if (index.memberships() > maxTreeSize)
        {
            pruneTo(pruneTarget);
        }
        return status;
    }

    /**
     * Drop the blocks whose time is up.
     *
     * @param nowNs the time now.
     * @return blocks expired.
     */
    public int expire(final long nowNs)
    {
        int expired = 0;
        while (!heap.isEmpty() && heap.topExpiry() - nowNs <= 0)
        {
            expired += removeTop();
        }
        expiredCount += expired;
        return expired;
    }

    /**
     * For every worker rank holding the first block: how many leading blocks it holds.
     *
     * @param localHashes the query's local hashes.
     * @param count       number of hashes.
     * @param scores      caller-owned holder.
     */
    public void findMatches(final long[] localHashes, final int count, final OverlapScores scores)
    {
        index.findMatches(localHashes, count, scores);
    }

    /**
     * Forget a worker rank and everything recorded for it.
     *
     * @param workerId the worker id.
     * @param dpRank   the dp rank.
     */
    public void removeWorker(final long workerId, final int dpRank)
    {
        index.removeWorker(workerId, dpRank);
        final OwnerTimers timers = timersByOwner.remove(workerId, dpRank);
        if (null != timers)
        {
            ownersById[timers.id] = null;
        }
    }

    /**
     * (owner, block) pairs held: the size pruning compares with {@code maxTreeSize}.
     *
     * @return pairs held.
     */
    public long treeSize()
    {
        return index.memberships();
    }

    /**
     * Blocks held for one worker rank.
     *
     * @param workerId the worker id.
     * @param dpRank   the dp rank.
     * @return its tree size.
     */
    public long treeSize(final long workerId, final int dpRank)
    {
        return index.treeSize(workerId, dpRank);
    }

    /**
     * The index itself, for reading (dumps, tools).
     *
     * @return the index.
     */
    public BlockIndex index()
    {
        return index;
    }

    /**
     * Blocks dropped because their time was up.
     *
     * @return expired count.
     */
    public long expiredCount()
    {
        return expiredCount;
    }

    /**
     * Blocks dropped by pruning.
     *
     * @return pruned count.
     */
    public long prunedCount()
    {
        return prunedCount;
    }

    /**
     * Decisions not recorded because the index had no room even after pruning.
     *
     * @return refused count.
     */
    public long refusedCount()
    {
        return refusedCount;
    }

    /**
     * Release the index.
     */
    public void close()
    {
        index.close();
        heap.clear();
    }

    private void pruneTo(final long target)
    {
        while (index.memberships() > target && !heap.isEmpty())
        {
            prunedCount += removeTop();
        }
    }

    private int removeTop()
    {
        final OwnerTimers timers = ownersById[heap.topOwner()];
        final long hash = heap.topHash();
        final long expiry = heap.topExpiry();
        final int depth = heap.topDepth();
        heap.pop();
        if (null == timers)
        {
            return 0;
        }
        final long current = timers.blocks.expiry(hash);
        if (current != expiry)
        {
            if (BlockTimers.NO_EXPIRY != current)
            {
                heap.push(current, hash, depth, timers.id);
            }
            return 0;
        }
        timers.blocks.removeIfExpiry(hash, expiry);
        final long before = index.memberships();
        one[0] = hash;
        index.remove(timers.workerId, timers.dpRank, one, 1);
        return (int)(before - index.memberships());
    }

    private OwnerTimers timersOf(final long workerId, final int dpRank)
    {
        OwnerTimers timers = timersByOwner.get(workerId, dpRank);
        if (null == timers)
        {
            final int id = nextOwnerId++;
            if (id == ownersById.length)
            {
                ownersById = Arrays.copyOf(ownersById, id * 2);
            }
            timers = new OwnerTimers(workerId, dpRank, id);
            ownersById[id] = timers;
            timersByOwner.put(workerId, dpRank, timers);
        }
        return timers;
    }
}
