package io.kvindex.router;

/**
 * How many booked requests hold each active block (sequence hash) of one worker: an open-addressing table of
 * {@code long} keys and {@code int} counts with linear probing, where an increment or a decrement is one probe
 * sequence and removal shifts the cluster back (no tombstones). Grows (allocating) when half full; never shrinks.
 */
final class BlockRefCounts
{
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final int INITIAL_CAPACITY = 64;

    private long[] keys;
    private int[] counts;
    private int mask;
    private int shift;
    private int size;

    BlockRefCounts()
    {
        allocate(INITIAL_CAPACITY);
    }

    /**
     * Distinct blocks held.
     *
     * @return blocks with a count above 0.
     */
    int size()
    {
        return size;
    }

    boolean isEmpty()
    {
        return 0 == size;
    }

    boolean contains(final long key)
    {
        int i = slot(key);
        while (0 != counts[i])
        {
            if (keys[i] == key)
            {
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    /**
     * One more request holds the block.
     *
     * @param key the block's sequence hash.
     */
    void increment(final long key)
    {
        int i = slot(key);
        while (0 != counts[i])
        {
            if (keys[i] == key)
            {
                counts[i]++;
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        counts[i] = 1;
        if (++size * 2 > keys.length)
        {
            grow();
        }
    }

    /**
     * One request fewer holds the block; at 0 the block is no longer active.
     *
     * @param key the block's sequence hash.
     */
    void decrement(final long key)
    {
        int i = slot(key);
        while (0 != counts[i])
        {
            if (keys[i] == key)
            {
                if (--counts[i] == 0)
                {
                    size--;
                    shiftBack(i);
                }
                return;
            }
            i = (i + 1) & mask;
        }
    }

    private void shiftBack(final int removed)
    {
        int hole = removed;
        int i = (removed + 1) & mask;
        while (0 != counts[i])
        {
            final int home = slot(keys[i]);
            if (((i - home) & mask) >= ((i - hole) & mask))
            {
                keys[hole] = keys[i];
                counts[hole] = counts[i];
                counts[i] = 0;
                hole = i;
            }
            i = (i + 1) & mask;
        }
    }

    private int slot(final long key)
    {
        return (int)((key * GOLDEN) >>> shift);
    }

    private void grow()
    {
        final long[] oldKeys = keys;
        final int[] oldCounts = counts;
        allocate(oldKeys.length * 2);
        for (int j = 0; j < oldKeys.length; j++)
        {
            if (0 != oldCounts[j])
            {
                int i = slot(oldKeys[j]);
                while (0 != counts[i])
                {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                counts[i] = oldCounts[j];
            }
        }
    }

    private void allocate(final int capacity)
    {
        keys = new long[capacity];
        counts = new int[capacity];
        mask = capacity - 1;
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
    }
}
