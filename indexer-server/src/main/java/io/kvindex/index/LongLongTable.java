package io.kvindex.index;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Off-heap open-addressing map from a non-zero {@code long} key to a {@code long} value, with linear probing and
 * backward-shift deletion. One writer. {@link #getConcurrent} may be called from reader threads: it reads the key,
 * the value, then the key again, so the value it returns was the key's value at some instant during the call
 * (a miss is possible while entries move; callers treat it as an under-count). Grows by doubling up to a limit;
 * a grown table is published with a volatile write and the old one is left to the garbage collector.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Key (0 = empty slot)                      |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                            Value                              |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class LongLongTable extends OpenAddressingTable
{
    static final int ENTRY_LENGTH = 16;
    static final int KEY_OFFSET = 0;
    static final int VALUE_OFFSET = 8;

    private static final int READ_ATTEMPTS = 8;


    LongLongTable(final long expectedEntries, final long maxEntries)
    {
        super(ENTRY_LENGTH, expectedEntries, maxEntries);
    }

    /**
     * Writer's lookup.
     *
     * @return the value, or {@code missing} when the key is absent.
     */
    long get(final long key, final long missing)
    {
        final UnsafeBuffer buffer = this.buffer;
        int index = slot(key, mask);
        while (true)
        {
            final int offset = index * ENTRY_LENGTH;
            final long k = buffer.getLong(offset + KEY_OFFSET);
            if (k == key)
            {
                return buffer.getLong(offset + VALUE_OFFSET);
            }
            if (0 == k)
            {
                return missing;
            }
            index = (index + 1) & mask;
        }
    }

    /**
     * Reader's lookup, safe beside the writer.
     *
     * @return the value, or {@code missing} when the key is absent or could not be read steadily.
     */
    long getConcurrent(final long key, final long missing)
    {
        for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++)
        {
            final UnsafeBuffer buffer = this.buffer;
            final int mask = (buffer.capacity() / ENTRY_LENGTH) - 1;
            int index = slot(key, mask);
            for (int probes = 0; probes <= mask; probes++)
            {
                final int offset = index * ENTRY_LENGTH;
                final long k = buffer.getLongVolatile(offset + KEY_OFFSET);
                if (0 == k)
                {
                    return missing;
                }
                if (k == key)
                {
                    final long value = buffer.getLongVolatile(offset + VALUE_OFFSET);
                    if (buffer.getLongVolatile(offset + KEY_OFFSET) == key)
                    {
                        return value;
                    }
                    break;
                }
                index = (index + 1) & mask;
            }
        }
        return missing;
    }

    /**
     * Insert or replace; capacity must have been ensured for an insert.
     */
    void put(final long key, final long value)
    {
        final UnsafeBuffer buffer = this.buffer;
        int index = slot(key, mask);
        while (true)
        {
            final int offset = index * ENTRY_LENGTH;
            final long k = buffer.getLong(offset + KEY_OFFSET);
            if (k == key)
            {
                buffer.putLongOrdered(offset + VALUE_OFFSET, value);
                return;
            }
            if (0 == k)
            {
                write(buffer, offset, key, value);
                size++;
                return;
            }
            index = (index + 1) & mask;
        }
    }

    /**
     * Remove a key.
     *
     * @return its value, or {@code missing} when absent.
     */
    long remove(final long key, final long missing)
    {
        final UnsafeBuffer buffer = this.buffer;
        int index = slot(key, mask);
        while (true)
        {
            final int offset = index * ENTRY_LENGTH;
            final long k = buffer.getLong(offset + KEY_OFFSET);
            if (0 == k)
            {
                return missing;
            }
            if (k == key)
            {
                final long value = buffer.getLong(offset + VALUE_OFFSET);
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
            final long key = buffer.getLong(offset + KEY_OFFSET);
            if (0 == key)
            {
                break;
            }
            final int home = slot(key, mask);
            if (((index - home) & mask) >= ((index - hole) & mask))
            {
                buffer.putLongOrdered(hole * ENTRY_LENGTH + KEY_OFFSET, 0L);
                write(buffer, hole * ENTRY_LENGTH, key, buffer.getLong(offset + VALUE_OFFSET));
                hole = index;
            }
            index = (index + 1) & mask;
        }
        buffer.putLongOrdered(hole * ENTRY_LENGTH + KEY_OFFSET, 0L);
    }

    @Override
    void rehashInto(final UnsafeBuffer newBuffer, final int newMask)
    {
        final UnsafeBuffer oldBuffer = buffer;
        final int oldCapacity = mask + 1;
        for (int i = 0; i < oldCapacity; i++)
        {
            final int offset = i * ENTRY_LENGTH;
            final long key = oldBuffer.getLong(offset + KEY_OFFSET);
            if (0 != key)
            {
                int index = slot(key, newMask);
                while (0 != newBuffer.getLong(index * ENTRY_LENGTH + KEY_OFFSET))
                {
                    index = (index + 1) & newMask;
                }
                write(newBuffer, index * ENTRY_LENGTH, key, oldBuffer.getLong(offset + VALUE_OFFSET));
            }
        }
    }

    private static void write(final UnsafeBuffer buffer, final int offset, final long key, final long value)
    {
        buffer.putLongOrdered(offset + VALUE_OFFSET, value);
        buffer.putLongOrdered(offset + KEY_OFFSET, key);
    }

    private static int slot(final long key, final int mask)
    {
        long h = key * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        return (int)h & mask;
    }
}
