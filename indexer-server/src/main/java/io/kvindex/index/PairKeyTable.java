package io.kvindex.index;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Off-heap open-addressing map from a {@code (long hash, int tag)} key to a non-zero {@code int} value, with
 * linear probing and backward-shift deletion. One writer; readers may call {@link #get} concurrently and can then
 * see a torn entry or miss one that moves, so a reader must verify what the value points at (the index checks the
 * node record it names). The table grows by doubling up to a limit; a grown table is published with a volatile
 * write and the old one is left to the garbage collector, so a reader never touches freed memory.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          Key Hash                             |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Key Tag                              |
 *  +---------------------------------------------------------------+
 *  |                     Value (0 = empty slot)                    |
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class PairKeyTable extends OpenAddressingTable
{
    static final int ENTRY_LENGTH = 16;
    static final int HASH_OFFSET = 0;
    static final int TAG_OFFSET = 8;
    static final int VALUE_OFFSET = 12;



    PairKeyTable(final long expectedEntries, final long maxEntries)
    {
        super(ENTRY_LENGTH, expectedEntries, maxEntries);
    }

    /**
     * Value for a key, or 0. Safe to call from reader threads; the answer must be verified by the caller.
     */
    int get(final long hash, final int tag)
    {
        final UnsafeBuffer buffer = this.buffer;
        final int mask = (buffer.capacity() / ENTRY_LENGTH) - 1;
        int index = slot(hash, tag, mask);
        for (int probes = 0; probes <= mask; probes++)
        {
            final int offset = index * ENTRY_LENGTH;
            final int value = buffer.getIntVolatile(offset + VALUE_OFFSET);
            if (0 == value)
            {
                return 0;
            }
            if (buffer.getLong(offset + HASH_OFFSET) == hash && buffer.getInt(offset + TAG_OFFSET) == tag)
            {
                return value;
            }
            index = (index + 1) & mask;
        }
        return 0;
    }

    /**
     * Read the home slot of a key so that its cache line is on its way before {@link #get} needs it; a loop of
     * these over a whole event lets the CPU overlap the misses that one lookup after another would serialise.
     *
     * @return a value to fold into a sink, so the read is not optimised away.
     */
    long touch(final long hash, final int tag)
    {
        return buffer.getLong(slot(hash, tag, mask) * ENTRY_LENGTH + HASH_OFFSET);
    }

    /**
     * Writer's probe for a key: where it is, or where it would go.
     *
     * @return the entry index when present, else {@code -(index of the free slot) - 1}.
     */
    int find(final long hash, final int tag)
    {
        final UnsafeBuffer buffer = this.buffer;
        int index = slot(hash, tag, mask);
        while (true)
        {
            final int offset = index * ENTRY_LENGTH;
            if (0 == buffer.getInt(offset + VALUE_OFFSET))
            {
                return -index - 1;
            }
            if (buffer.getLong(offset + HASH_OFFSET) == hash && buffer.getInt(offset + TAG_OFFSET) == tag)
            {
                return index;
            }
            index = (index + 1) & mask;
        }
    }

    /**
     * Value of the entry at an index returned by {@link #find}.
     */
    int valueAt(final int index)
    {
        return buffer.getInt(index * ENTRY_LENGTH + VALUE_OFFSET);
    }

    /**
     * Insert at the free slot {@link #find} returned, with no change to this table in between.
     */
    void putAt(final int freeSlot, final long hash, final int tag, final int value)
    {
        write(buffer, freeSlot * ENTRY_LENGTH, hash, tag, value);
        size++;
    }

    /**
     * Insert a key known to be absent; capacity must have been ensured.
     */
    void put(final long hash, final int tag, final int value)
    {
        final UnsafeBuffer buffer = this.buffer;
        int index = slot(hash, tag, mask);
        while (0 != buffer.getInt(index * ENTRY_LENGTH + VALUE_OFFSET))
        {
            index = (index + 1) & mask;
        }
        write(buffer, index * ENTRY_LENGTH, hash, tag, value);
        size++;
    }

    /**
     * Remove a key.
     *
     * @return its value, or 0 when absent.
     */
    int remove(final long hash, final int tag)
    {
        final UnsafeBuffer buffer = this.buffer;
        int index = slot(hash, tag, mask);
        while (true)
        {
            final int offset = index * ENTRY_LENGTH;
            final int value = buffer.getInt(offset + VALUE_OFFSET);
            if (0 == value)
            {
                return 0;
            }
            if (buffer.getLong(offset + HASH_OFFSET) == hash && buffer.getInt(offset + TAG_OFFSET) == tag)
            {
                size--;
                compactFrom(buffer, index);
                return value;
            }
            index = (index + 1) & mask;
        }
    }

    private void compactFrom(final UnsafeBuffer buffer, final int deleted)
    {
        int hole = deleted;
        int index = (deleted + 1) & mask;
        while (true)
        {
            final int offset = index * ENTRY_LENGTH;
            final int value = buffer.getInt(offset + VALUE_OFFSET);
            if (0 == value)
            {
                break;
            }
            final long hash = buffer.getLong(offset + HASH_OFFSET);
            final int tag = buffer.getInt(offset + TAG_OFFSET);
            final int home = slot(hash, tag, mask);
            if (((index - home) & mask) >= ((index - hole) & mask))
            {
                write(buffer, hole * ENTRY_LENGTH, hash, tag, value);
                hole = index;
            }
            index = (index + 1) & mask;
        }
        buffer.putIntOrdered(hole * ENTRY_LENGTH + VALUE_OFFSET, 0);
    }

    @Override
    void rehashInto(final UnsafeBuffer newBuffer, final int newMask)
    {
        final UnsafeBuffer oldBuffer = buffer;
        final int oldCapacity = mask + 1;
        for (int i = 0; i < oldCapacity; i++)
        {
            final int offset = i * ENTRY_LENGTH;
            final int value = oldBuffer.getInt(offset + VALUE_OFFSET);
            if (0 != value)
            {
                final long hash = oldBuffer.getLong(offset + HASH_OFFSET);
                final int tag = oldBuffer.getInt(offset + TAG_OFFSET);
                int index = slot(hash, tag, newMask);
                while (0 != newBuffer.getInt(index * ENTRY_LENGTH + VALUE_OFFSET))
                {
                    index = (index + 1) & newMask;
                }
                write(newBuffer, index * ENTRY_LENGTH, hash, tag, value);
            }
        }
    }

    private static void write(
        final UnsafeBuffer buffer, final int offset, final long hash, final int tag, final int value)
    {
        buffer.putLong(offset + HASH_OFFSET, hash);
        buffer.putInt(offset + TAG_OFFSET, tag);
        buffer.putIntOrdered(offset + VALUE_OFFSET, value);
    }

    private static int slot(final long hash, final int tag, final int mask)
    {
        long h = (hash ^ (tag * 0xC2B2AE3D27D4EB4FL)) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        return (int)h & mask;
    }
}
