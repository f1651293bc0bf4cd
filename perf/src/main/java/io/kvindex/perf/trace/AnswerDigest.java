package io.kvindex.perf.trace;

import io.kvindex.index.OverlapScores;

/**
 * An order-independent 64-bit digest of a find_matches answer (the set of owner, matched blocks, tree size
 * entries), so answers from different implementations and from the simulated engines compare in one word.
 */
public final class AnswerDigest
{
    private AnswerDigest()
    {
    }

    /**
     * Digest of one entry; an answer's digest is the sum of its entries' digests (0 for no entries).
     *
     * @param workerId owner's worker id.
     * @param dpRank   owner's dp rank.
     * @param matched  leading blocks matched.
     * @param treeSize blocks the owner holds.
     * @return the entry digest.
     */
    public static long entry(final long workerId, final int dpRank, final int matched, final long treeSize)
    {
        return Hashes.combine(Hashes.combine(Hashes.combine(workerId, dpRank), matched), treeSize);
    }

    /**
     * Digest of an answer.
     *
     * @param scores the answer.
     * @return its digest.
     */
    public static long of(final OverlapScores scores)
    {
        long digest = 0;
        for (int i = 0, size = scores.size(); i < size; i++)
        {
            digest += entry(scores.workerId(i), scores.dpRank(i), scores.matchedBlocks(i), scores.treeSize(i));
        }
        return digest;
    }
}
