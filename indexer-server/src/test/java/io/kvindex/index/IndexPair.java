package io.kvindex.index;

import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two {@link BlockIndex} implementations driven in lockstep: each event must return the same status from both and
 * each query the same scores, consistent with the tree sizes each index reports. Failure messages start with the
 * context the caller supplies (seed and operation).
 */
final class IndexPair
{
    private final BlockIndex a;
    private final BlockIndex b;
    private final OverlapScores scoresA;
    private final OverlapScores scoresB;
    private final Supplier<String> context;
    private final long[] statusCounts = new long[EventStatus.COUNT];
    private long nonEmptyQueries;

    IndexPair(final BlockIndex a, final BlockIndex b, final int scoresCapacity, final Supplier<String> context)
    {
        this.a = a;
        this.b = b;
        this.scoresA = new OverlapScores(scoresCapacity);
        this.scoresB = new OverlapScores(scoresCapacity);
        this.context = context;
    }

    /**
     * Apply an event to both indexes and fail unless they return the same status.
     */
    int apply(final ToIntFunction<BlockIndex> event, final Supplier<String> description)
    {
        final int statusA = event.applyAsInt(a);
        final int statusB = event.applyAsInt(b);
        if (statusA != statusB)
        {
            fail(context.get() + " " + description.get() + ": " + EventStatus.name(statusA) + " vs " +
                EventStatus.name(statusB));
        }
        statusCounts[statusA]++;
        return statusA;
    }

    /**
     * Query both indexes and fail unless they report the same owners with the same scores and tree sizes.
     */
    void query(final long[] hashes, final int count)
    {
        a.findMatches(hashes, count, scoresA);
        b.findMatches(hashes, count, scoresB);
        checkScores(a, scoresA, count);
        checkScores(b, scoresB, count);
        boolean same = scoresA.size() == scoresB.size();
        for (int i = 0; same && i < scoresA.size(); i++)
        {
            final int j = find(scoresB, scoresA.workerId(i), scoresA.dpRank(i));
            same = j >= 0 && scoresA.matchedBlocks(i) == scoresB.matchedBlocks(j) &&
                scoresA.treeSize(i) == scoresB.treeSize(j);
        }
        if (!same)
        {
            fail(context.get() + " findMatches of " + count + " blocks: " + sorted(scoresA) + " vs " +
                sorted(scoresB));
        }
        nonEmptyQueries += scoresA.size() > 0 ? 1 : 0;
    }

    /**
     * Blocks an owner matched in the last {@link #query}.
     */
    int matched(final long workerId, final int dpRank)
    {
        return scoresA.matchedBlocks(workerId, dpRank);
    }

    /**
     * Fail unless both indexes report the same tree size for an owner; return it.
     */
    long treeSize(final long workerId, final int dpRank)
    {
        final long sizeA = a.treeSize(workerId, dpRank);
        final long sizeB = b.treeSize(workerId, dpRank);
        if (sizeA != sizeB)
        {
            fail(context.get() + " treeSize of " + Long.toUnsignedString(workerId) + "/" + dpRank + ": " + sizeA +
                " vs " + sizeB);
        }
        return sizeA;
    }

    void checkEquivalent(final String when)
    {
        IndexEquivalence.assertEquivalent(a, b, context.get() + when);
    }

    boolean isEmpty()
    {
        return IndexEquivalence.canonicalForm(a).isEmpty() && IndexEquivalence.canonicalForm(b).isEmpty();
    }

    long statusCount(final int status)
    {
        return statusCounts[status];
    }

    long nonEmptyQueries()
    {
        return nonEmptyQueries;
    }

    /**
     * Hashes as hex, for failure messages.
     */
    static String hex(final long[] values, final int count)
    {
        final StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < count; i++)
        {
            sb.append(i == 0 ? "" : ", ").append(Long.toHexString(values[i]));
        }
        return sb.append(']').toString();
    }

    private void checkScores(final BlockIndex index, final OverlapScores scores, final int count)
    {
        for (int i = 0; i < scores.size(); i++)
        {
            final long treeSize = index.treeSize(scores.workerId(i), scores.dpRank(i));
            final int matched = scores.matchedBlocks(i);
            if (matched < 1 || matched > count || scores.treeSize(i) != treeSize || treeSize < matched ||
                find(scores, scores.workerId(i), scores.dpRank(i)) != i)
            {
                fail(context.get() + " inconsistent entry " + i + " of " + scores + " for " + count +
                    " blocks, treeSize " + treeSize);
            }
        }
    }

    private static int find(final OverlapScores scores, final long workerId, final int dpRank)
    {
        for (int i = 0; i < scores.size(); i++)
        {
            if (scores.workerId(i) == workerId && scores.dpRank(i) == dpRank)
            {
                return i;
            }
        }
        return -1;
    }

    private static TreeSet<String> sorted(final OverlapScores scores)
    {
        final TreeSet<String> entries = new TreeSet<>();
        for (int i = 0; i < scores.size(); i++)
        {
            entries.add(Long.toUnsignedString(scores.workerId(i)) + "/" + scores.dpRank(i) + "=" +
                scores.matchedBlocks(i) + " (tree " + scores.treeSize(i) + ")");
        }
        return entries;
    }
}
