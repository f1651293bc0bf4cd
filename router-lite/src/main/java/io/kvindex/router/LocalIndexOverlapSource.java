package io.kvindex.router;

import io.kvindex.index.BlockIndex;
import io.kvindex.index.OverlapScores;

/**
 * Overlaps from an index in the same process: an {@link io.kvindex.index.OffHeapBlockIndex} fed by someone else,
 * or the router's own {@link ApproximateIndex}. Always available.
 */
public final class LocalIndexOverlapSource implements OverlapSource
{
    private final BlockIndex index;

    /**
     * A source over an index.
     *
     * @param index the index; queries may run while another thread writes it.
     */
    public LocalIndexOverlapSource(final BlockIndex index)
    {
        this.index = index;
    }

    /**
     * {@inheritDoc}
     */
    public boolean findOverlaps(final long[] localHashes, final int count, final OverlapScores scores)
    {
        index.findMatches(localHashes, count, scores);
        return true;
    }
}
