package io.kvindex.perf;

import io.kvindex.index.BlockIndex;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.index.ReferenceBlockIndex;

import java.lang.reflect.Method;

/**
 * Builds the index implementations that perf compares, by kind name; every index in perf is made here. Also
 * reads the statistics some implementations have beyond {@link BlockIndex} (off-heap bytes, live blocks).
 */
public final class IndexFactory
{
    /** The off-heap index, {@code io.kvindex.index.OffHeapBlockIndex}. */
    public static final String OFF_HEAP = "offheap";

    /** The on-heap oracle, {@code io.kvindex.index.ReferenceBlockIndex}. */
    public static final String REFERENCE = "reference";

    /** Statistic: off-heap bytes in use. */
    public static final String USED_BYTES = "usedBytes";

    /** Statistic: off-heap bytes in use for nodes (records and branch-point entries). */
    public static final String USED_NODE_BYTES = "usedNodeBytes";

    /** Statistic: off-heap bytes in use for memberships (engine-hash lookups and overflow words). */
    public static final String USED_MEMBERSHIP_BYTES = "usedMembershipBytes";

    /** Statistic: children not in the record after their parent's (branch-point table entries). */
    public static final String BRANCH_ENTRIES = "branchEntries";

    /** Statistic: off-heap bytes reserved. */
    public static final String RESERVED_BYTES = "reservedBytes";

    /** Statistic: distinct blocks (nodes) held. */
    public static final String LIVE_BLOCKS = "liveBlocks";

    /** Statistic: (owner, block) memberships held. */
    public static final String MEMBERSHIPS = "memberships";

    private IndexFactory()
    {
    }

    /**
     * A new, empty index.
     *
     * @param kind      {@link #OFF_HEAP} or {@link #REFERENCE}.
     * @param maxBlocks capacity in blocks (nodes).
     * @param maxOwners most owners {@code (worker, dp rank)} it must track.
     * @return the index; the caller closes it.
     */
    public static BlockIndex create(final String kind, final long maxBlocks, final int maxOwners)
    {
        switch (kind)
        {
            case OFF_HEAP:
                return new OffHeapBlockIndex(
                    new OffHeapBlockIndex.Context().maxBlocks(Math.toIntExact(maxBlocks)).maxOwners(maxOwners));

            case REFERENCE:
                return new ReferenceBlockIndex(Math.toIntExact(maxBlocks), maxOwners);

            default:
                throw new IllegalArgumentException("unknown index kind '" + kind + "', expected " + OFF_HEAP +
                    " or " + REFERENCE);
        }
    }

    /**
     * A statistic that an index offers as a public no-argument method returning {@code long}, such as
     * {@link #USED_BYTES}; read reflectively so that perf compiles against {@link BlockIndex} alone. Never call
     * it on a measured path.
     *
     * @param index the index.
     * @param name  the method name.
     * @return its value, or -1 when the index has no such method.
     */
    public static long stat(final BlockIndex index, final String name)
    {
        final Method method;
        try
        {
            method = index.getClass().getMethod(name);
        }
        catch (final NoSuchMethodException ex)
        {
            return -1;
        }
        if (long.class != method.getReturnType())
        {
            return -1;
        }
        try
        {
            return (Long)method.invoke(index);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("cannot read " + name + " of " + index.getClass().getName(), ex);
        }
    }
}
