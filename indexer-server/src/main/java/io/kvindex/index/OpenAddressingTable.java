package io.kvindex.index;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What the index's off-heap open-addressing tables share: a power-of-two array of fixed-size entries in one direct
 * buffer, kept at most half full (at three quarters, linear probing halved the Stored rate in the apply benchmark),
 * grown by allocating a bigger buffer and publishing it with a volatile write. The old buffer is left to the
 * garbage collector, so a reader still probing it never touches freed memory.
 */
abstract class OpenAddressingTable
{
    static final int MIN_CAPACITY = 1024;

    final int entryLength;
    final long maxEntries;
    volatile UnsafeBuffer buffer;
    int mask;
    long size;

    OpenAddressingTable(final int entryLength, final long expectedEntries, final long maxEntries)
    {
        this.entryLength = entryLength;
        this.maxEntries = maxEntries;
        final int capacity = capacityFor(Math.min(expectedEntries, maxEntries));
        this.buffer = allocate(capacity);
        this.mask = capacity - 1;
    }

    final long size()
    {
        return size;
    }

    final long capacity()
    {
        return mask + 1L;
    }

    final long reservedBytes()
    {
        return capacity() * entryLength;
    }

    /**
     * Make room for {@code additional} more entries, growing if needed.
     *
     * @return false when the limit, one buffer's size or the memory would be exceeded.
     */
    final boolean ensureCapacity(final int additional)
    {
        final long needed = size + additional;
        if (needed > maxEntries)
        {
            return false;
        }
        if (needed * 2 <= capacity())
        {
            return true;
        }
        final int newCapacity = capacityFor(needed);
        if ((long)newCapacity * entryLength > Integer.MAX_VALUE)
        {
            return false;
        }
        try
        {
            final UnsafeBuffer newBuffer = allocate(newCapacity);
            rehashInto(newBuffer, newCapacity - 1);
            mask = newCapacity - 1;
            buffer = newBuffer;
            return true;
        }
        catch (final OutOfMemoryError ex)
        {
            return false;
        }
    }

    /**
     * Drop every entry, keeping the capacity reached (as a cleared map does): an index that empties and fills
     * again does not grow its tables again.
     */
    final void reset()
    {
        if (0 != size)
        {
            buffer.setMemory(0, buffer.capacity(), (byte)0);
            size = 0;
        }
    }

    /**
     * Copy every entry of the current buffer into an empty bigger one.
     */
    abstract void rehashInto(UnsafeBuffer newBuffer, int newMask);

    private UnsafeBuffer allocate(final int capacity)
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity * entryLength, 64));
    }

    private static int capacityFor(final long entries)
    {
        final long wanted = Math.max(MIN_CAPACITY, entries * 2 + 1);
        return BitUtil.findNextPositivePowerOfTwo((int)Math.min(wanted, 1 << 30));
    }
}
