package io.kvindex.index;

/**
 * Lays an eroded {@link OffHeapBlockIndex} out afresh. Removals free records anywhere, and once the records' high
 * water reaches the capacity new chains are built from those scattered free records: "the child of node n is
 * record n + 1" holds less and less, so more lookups go through the branch table (one cache miss each). A compaction
 * copies every owner's chains, parents first, into a new index, whose chains are consecutive again and whose free
 * records are all above its high water.
 * <p>
 * It runs on the writer thread, off the query path: queries keep reading the original until the caller swaps the new
 * index in (readers still inside the original stay safe, as its buffers live until it is unreachable). It costs one
 * Stored per chain segment, about as much as applying the index's content once, and twice the memory meanwhile.
 */
public final class IndexCompactor
{
    private IndexCompactor()
    {
    }

    /**
     * Whether an index is worth compacting: its fresh records are used up and too few lookups find the next record.
     *
     * @param index             the index.
     * @param maxBranchFraction the largest acceptable share of live nodes reached through the branch table.
     * @return true when the high water is at the capacity and the branch share is above the limit.
     */
    public static boolean isEroded(final OffHeapBlockIndex index, final double maxBranchFraction)
    {
        final long live = index.liveBlocks();
        return index.recordHighWater() >= index.recordCapacity() && live > 0 &&
            (double)index.branchEntries() / live > maxBranchFraction;
    }

    /**
     * Copy an index into a new one with the given capacities; event counters carry over.
     *
     * @param source the index to copy, not changed.
     * @param ctx    capacities of the new index, at least those the source's content needs.
     * @return the new index, holding the same blocks, owners, engine hashes and tree sizes.
     * @throws IllegalStateException when the new index could not take everything (its capacity is too small).
     */
    public static OffHeapBlockIndex compact(final OffHeapBlockIndex source, final OffHeapBlockIndex.Context ctx)
    {
        final OffHeapBlockIndex target = new OffHeapBlockIndex(ctx);
        source.dump(target::store);
        if (target.liveBlocks() != source.liveBlocks() || target.memberships() != source.memberships())
        {
            throw new IllegalStateException("compaction lost state: " + target.liveBlocks() + " of " +
                source.liveBlocks() + " blocks, " + target.memberships() + " of " + source.memberships() +
                " memberships (is the new capacity too small?)");
        }
        target.counters().copyFrom(source.counters());
        return target;
    }
}
