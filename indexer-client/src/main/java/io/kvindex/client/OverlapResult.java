package io.kvindex.client;

/**
 * Caller-owned result of an overlap query: a status and one entry per owner {@code (workerId, dpRank)} holding the
 * first block, with its matched leading blocks and tree size. Reused across queries; it grows only when an answer has
 * more owners than it has held before, so steady-state queries allocate nothing.
 */
public final class OverlapResult
{
    private long correlationId;
    private OverlapStatus status = OverlapStatus.OK;
    private int size;
    private long[] workerIds;
    private int[] dpRanks;
    private int[] matchedBlocks;
    private long[] treeSizes;

    /**
     * A holder with room for {@code initialOwners} entries before it grows.
     *
     * @param initialOwners initial capacity in owners.
     */
    public OverlapResult(final int initialOwners)
    {
        final int capacity = Math.max(1, initialOwners);
        workerIds = new long[capacity];
        dpRanks = new int[capacity];
        matchedBlocks = new int[capacity];
        treeSizes = new long[capacity];
    }

    /**
     * A holder with room for 64 owners before it grows.
     */
    public OverlapResult()
    {
        this(64);
    }

    /**
     * Correlation id of the query this result belongs to.
     *
     * @return the id the client gave the query.
     */
    public long correlationId()
    {
        return correlationId;
    }

    /**
     * Status of the query; the entries are valid only when it is {@link OverlapStatus#OK}.
     *
     * @return the status.
     */
    public OverlapStatus status()
    {
        return status;
    }

    /**
     * Whether the query has an answer (or a final local status).
     *
     * @return false while {@link OverlapStatus#PENDING}.
     */
    public boolean isDone()
    {
        return OverlapStatus.PENDING != status;
    }

    /**
     * Number of owners with a score above zero.
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
     * @return worker id (unsigned in a long).
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
     * Leading blocks matched by entry {@code i}.
     *
     * @param i entry index.
     * @return matched blocks.
     */
    public int matchedBlocks(final int i)
    {
        return matchedBlocks[i];
    }

    /**
     * Blocks the index holds for entry {@code i}'s owner.
     *
     * @param i entry index.
     * @return tree size.
     */
    public long treeSize(final int i)
    {
        return treeSizes[i];
    }

    /**
     * Matched blocks for an owner, 0 when it is not among the entries.
     *
     * @param workerId owner's worker id.
     * @param dpRank   owner's dp rank.
     * @return matched blocks.
     */
    public int matchedBlocks(final long workerId, final int dpRank)
    {
        for (int i = 0; i < size; i++)
        {
            if (workerIds[i] == workerId && dpRanks[i] == dpRank)
            {
                return matchedBlocks[i];
            }
        }
        return 0;
    }

    void pending(final long correlationId)
    {
        this.correlationId = correlationId;
        this.status = OverlapStatus.PENDING;
        this.size = 0;
    }

    void begin(final int count)
    {
        size = 0;
        if (count > workerIds.length)
        {
            final int capacity = Math.max(count, workerIds.length * 2);
            workerIds = new long[capacity];
            dpRanks = new int[capacity];
            matchedBlocks = new int[capacity];
            treeSizes = new long[capacity];
        }
    }

    void add(final long workerId, final int dpRank, final int blocks, final long treeSize)
    {
        final int i = size++;
        workerIds[i] = workerId;
        dpRanks[i] = dpRank;
        matchedBlocks[i] = blocks;
        treeSizes[i] = treeSize;
    }

    void complete(final OverlapStatus status)
    {
        if (OverlapStatus.OK != status)
        {
            size = 0;
        }
        this.status = status;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("OverlapResult{").append(correlationId).append(' ').append(status);
        for (int i = 0; i < size; i++)
        {
            sb.append(i == 0 ? ": " : ", ").append(Long.toUnsignedString(workerIds[i])).append('/').append(dpRanks[i])
                .append('=').append(matchedBlocks[i]).append(" (tree ").append(treeSizes[i]).append(')');
        }
        return sb.append('}').toString();
    }
}
