package io.kvindex.index;

/**
 * Caller-owned result of {@link BlockIndex#findMatches}: one entry per owner with a score above zero, in no
 * particular order. Reused across queries; holds the scratch a query needs so that a query allocates nothing.
 */
public final class OverlapScores
{
    private final long[] workerIds;
    private final int[] dpRanks;
    private final int[] matchedBlocks;
    private final long[] treeSizes;
    private final long[] scratchWords;
    private final int[] scratchWordList;
    private int size;
    private long retries;
    private boolean truncated;

    /**
     * A holder for up to {@code maxOwners} entries; entries beyond it are dropped and {@link #truncated()} says so.
     *
     * @param maxOwners the most owners an index may report.
     */
    public OverlapScores(final int maxOwners)
    {
        workerIds = new long[maxOwners];
        dpRanks = new int[maxOwners];
        matchedBlocks = new int[maxOwners];
        treeSizes = new long[maxOwners];
        scratchWords = new long[(maxOwners + 63) >>> 6];
        scratchWordList = new int[scratchWords.length];
    }

    /**
     * Forget every entry.
     */
    public void reset()
    {
        size = 0;
        truncated = false;
    }

    /**
     * Whether the last query had more owners to report than this holder's capacity; size it to the index's
     * owner capacity to never lose one.
     *
     * @return true when entries were dropped.
     */
    public boolean truncated()
    {
        return truncated;
    }

    /**
     * Append an entry.
     *
     * @param workerId owner's worker id.
     * @param dpRank   owner's dp rank.
     * @param blocks   leading blocks matched.
     * @param treeSize blocks the index holds for the owner.
     */
    public void add(final long workerId, final int dpRank, final int blocks, final long treeSize)
    {
        if (size == workerIds.length)
        {
            truncated = true;
            return;
        }
        final int i = size++;
        workerIds[i] = workerId;
        dpRanks[i] = dpRank;
        matchedBlocks[i] = blocks;
        treeSizes[i] = treeSize;
    }

    /**
     * Number of entries.
     *
     * @return entries with a score above zero.
     */
    public int size()
    {
        return size;
    }

    /**
     * Capacity in owners.
     *
     * @return the most entries this holder takes.
     */
    public int capacity()
    {
        return workerIds.length;
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
     * Tree size of entry {@code i}'s owner.
     *
     * @param i entry index.
     * @return blocks held by the owner.
     */
    public long treeSize(final int i)
    {
        return treeSizes[i];
    }

    /**
     * Matched blocks for an owner, or 0 when it is not among the entries.
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

    /**
     * Queries through this holder that ran again because the index's writer reused memory under them; a query
     * that could not finish steadily in a few attempts answers with no entries (an under-count, never more).
     *
     * @return retries since this holder was made.
     */
    public long retries()
    {
        return retries;
    }

    void countRetry()
    {
        retries++;
    }

    int[] scratchWordList()
    {
        return scratchWordList;
    }

    long[] scratchWords()
    {
        return scratchWords;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("OverlapScores{");
        for (int i = 0; i < size; i++)
        {
            sb.append(i == 0 ? "" : ", ").append(Long.toUnsignedString(workerIds[i])).append('/')
                .append(dpRanks[i]).append('=').append(matchedBlocks[i]).append(" (tree ").append(treeSizes[i])
                .append(')');
        }
        return sb.append('}').toString();
    }
}
