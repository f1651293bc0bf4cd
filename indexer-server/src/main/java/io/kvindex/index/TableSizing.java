package io.kvindex.index;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Sizing shared by the index's open-addressing tables: power-of-two capacities kept at most half full (at three
 * quarters, linear probing halved the Stored rate in the apply benchmark), grown by allocating a new direct buffer.
 */
final class TableSizing
{
    static final int MIN_CAPACITY = 1024;
    static final int FITS = 0;
    static final int REFUSED = -1;

    private TableSizing()
    {
    }

    /**
     * Slots for a table that must hold {@code entries}.
     */
    static int capacityFor(final long entries)
    {
        final long wanted = Math.max(MIN_CAPACITY, entries * 2 + 1);
        return BitUtil.findNextPositivePowerOfTwo((int)Math.min(wanted, 1 << 30));
    }

    /**
     * What a table of {@code capacity} slots holding {@code size} entries must do to take {@code additional} more.
     *
     * @return {@link #FITS}, {@link #REFUSED} (over {@code maxEntries} or too big for one buffer), or the capacity
     * to grow to.
     */
    static int growth(
        final long size, final int additional, final long maxEntries, final long capacity, final int entryLength)
    {
        final long needed = size + additional;
        if (needed > maxEntries)
        {
            return REFUSED;
        }
        if (needed * 2 <= capacity)
        {
            return FITS;
        }
        final int newCapacity = capacityFor(needed);
        return (long)newCapacity * entryLength > Integer.MAX_VALUE ? REFUSED : newCapacity;
    }

    /**
     * A zeroed, cache-line aligned table of {@code capacity} entries.
     */
    static UnsafeBuffer allocate(final int capacity, final int entryLength)
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity * entryLength, 64));
    }
}
