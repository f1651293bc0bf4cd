package io.kvindex.perf.trace;

import java.util.Arrays;

/**
 * A recorded stream of KV events and overlap queries in primitive arrays, replayable against any index. Op
 * {@code i} has a kind, a worker (index into the worker ids {@code WORKER_ID_BASE + worker}, dp rank 0), and a
 * range of {@link #data()}:
 * <pre>
 *   STORED:  [parent engine hash (0 when none)][count engine hashes][count local hashes]
 *   REMOVED: [count engine hashes], leaf first
 *   QUERY:   [count local hashes]
 * </pre>
 * Each query also carries the answer the simulated engines imply (a digest, see {@link AnswerDigest}) and its walked
 * blocks: the most leading blocks any worker holds.
 */
public final class ReplayStream
{
    /** Worker id of worker 0; worker {@code w} is {@code WORKER_ID_BASE + w}. */
    public static final long WORKER_ID_BASE = 1000;

    /** A Stored event with no parent (under the root). */
    public static final byte STORED = 0;

    /** A Stored event under a parent. */
    public static final byte STORED_UNDER_PARENT = 1;

    /** A Removed event. */
    public static final byte REMOVED = 2;

    /** A find_matches query. */
    public static final byte QUERY = 3;

    private final int workers;
    private byte[] kinds = new byte[1024];
    private int[] opWorkers = new int[1024];
    private int[] offsets = new int[1025];
    private long[] data = new long[16384];
    private long[] expectedDigests = new long[256];
    private int[] walkedBlocks = new int[256];
    private int ops;
    private int dataLength;
    private int queries;
    private long events;
    private long storedBlocks;
    private long removedBlocks;
    private long queryBlocks;
    private long queryWalkedBlocks;
    private int maxCount;

    /**
     * An empty stream over a number of workers.
     *
     * @param workers the workers the events come from.
     */
    public ReplayStream(final int workers)
    {
        this.workers = workers;
    }

    void addStored(
        final int worker,
        final boolean hasParent,
        final long parent,
        final long[] engineHashes,
        final long[] localHashes,
        final int from,
        final int count)
    {
        final int at = beginOp(hasParent ? STORED_UNDER_PARENT : STORED, worker, 1 + 2 * count);
        data[at] = hasParent ? parent : 0;
        System.arraycopy(engineHashes, from, data, at + 1, count);
        System.arraycopy(localHashes, from, data, at + 1 + count, count);
        endOp(at + 1 + 2 * count, count);
        events++;
        storedBlocks += count;
    }

    void addRemoved(final int worker, final long[] engineHashes, final int count)
    {
        final int at = beginOp(REMOVED, worker, count);
        System.arraycopy(engineHashes, 0, data, at, count);
        endOp(at + count, count);
        events++;
        removedBlocks += count;
    }

    void addQuery(final long[] localHashes, final int count, final long expectedDigest, final int walked)
    {
        final int at = beginOp(QUERY, 0, count);
        System.arraycopy(localHashes, 0, data, at, count);
        endOp(at + count, count);
        if (queries == expectedDigests.length)
        {
            expectedDigests = Arrays.copyOf(expectedDigests, queries * 2);
            walkedBlocks = Arrays.copyOf(walkedBlocks, queries * 2);
        }
        expectedDigests[queries] = expectedDigest;
        walkedBlocks[queries] = walked;
        queries++;
        queryBlocks += count;
        queryWalkedBlocks += walked;
    }

    private int beginOp(final byte kind, final int worker, final int length)
    {
        if (ops == kinds.length)
        {
            kinds = Arrays.copyOf(kinds, ops * 2);
            opWorkers = Arrays.copyOf(opWorkers, ops * 2);
            offsets = Arrays.copyOf(offsets, ops * 2 + 1);
        }
        final long needed = (long)dataLength + length;
        if (needed > Integer.MAX_VALUE - 16)
        {
            throw new IllegalStateException("stream too large: use fewer workers or requests");
        }
        if (needed > data.length)
        {
            data = Arrays.copyOf(data, (int)Math.min(Integer.MAX_VALUE - 16, Math.max(needed, data.length * 2L)));
        }
        kinds[ops] = kind;
        opWorkers[ops] = worker;
        offsets[ops] = dataLength;
        return dataLength;
    }

    private void endOp(final int end, final int count)
    {
        dataLength = end;
        ops++;
        offsets[ops] = end;
        maxCount = Math.max(maxCount, count);
    }

    /**
     * Number of workers.
     *
     * @return workers.
     */
    public int workers()
    {
        return workers;
    }

    /**
     * Number of ops (events and queries).
     *
     * @return ops.
     */
    public int ops()
    {
        return ops;
    }

    /**
     * Kind of op {@code i}.
     *
     * @param i op index.
     * @return {@link #STORED}, {@link #STORED_UNDER_PARENT}, {@link #REMOVED} or {@link #QUERY}.
     */
    public byte kind(final int i)
    {
        return kinds[i];
    }

    /**
     * Worker of event {@code i}.
     *
     * @param i op index.
     * @return worker index.
     */
    public int worker(final int i)
    {
        return opWorkers[i];
    }

    /**
     * Where op {@code i}'s data starts in {@link #data()}.
     *
     * @param i op index.
     * @return offset.
     */
    public int offset(final int i)
    {
        return offsets[i];
    }

    /**
     * Blocks (or hashes) in op {@code i}.
     *
     * @param i op index.
     * @return count.
     */
    public int count(final int i)
    {
        final int length = offsets[i + 1] - offsets[i];
        return kinds[i] <= STORED_UNDER_PARENT ? (length - 1) / 2 : length;
    }

    /**
     * The hashes of every op.
     *
     * @return the data array (not a copy).
     */
    public long[] data()
    {
        return data;
    }

    /**
     * The answer digest the simulated engines imply for query {@code q}.
     *
     * @param q query index (queries numbered in stream order).
     * @return digest.
     */
    public long expectedDigest(final int q)
    {
        return expectedDigests[q];
    }

    /**
     * Walked blocks of query {@code q}: the most leading blocks any worker holds.
     *
     * @param q query index.
     * @return walked blocks.
     */
    public int walkedBlocks(final int q)
    {
        return walkedBlocks[q];
    }

    /**
     * Number of queries.
     *
     * @return queries.
     */
    public int queries()
    {
        return queries;
    }

    /**
     * Number of events (Stored and Removed).
     *
     * @return events.
     */
    public long events()
    {
        return events;
    }

    /**
     * Blocks in Stored events.
     *
     * @return stored blocks.
     */
    public long storedBlocks()
    {
        return storedBlocks;
    }

    /**
     * Hashes in Removed events.
     *
     * @return removed blocks.
     */
    public long removedBlocks()
    {
        return removedBlocks;
    }

    /**
     * Local hashes in queries.
     *
     * @return query blocks.
     */
    public long queryBlocks()
    {
        return queryBlocks;
    }

    /**
     * Walked blocks over all queries.
     *
     * @return walked blocks.
     */
    public long queryWalkedBlocks()
    {
        return queryWalkedBlocks;
    }

    /**
     * Block operations in one replay: stored + removed + walked by queries.
     *
     * @return block ops.
     */
    public long blockOps()
    {
        return storedBlocks + removedBlocks + queryWalkedBlocks;
    }

    /**
     * The most blocks in any op.
     *
     * @return max count.
     */
    public int maxCount()
    {
        return maxCount;
    }

    /**
     * Bytes the stream's arrays hold.
     *
     * @return bytes.
     */
    public long bytes()
    {
        return kinds.length + 4L * (opWorkers.length + offsets.length + walkedBlocks.length) +
            8L * (data.length + expectedDigests.length);
    }
}
