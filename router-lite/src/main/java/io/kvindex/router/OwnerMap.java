package io.kvindex.router;

/**
 * Open-addressing map from an owner {@code (workerId, dpRank)} to a value, with linear probing and backward-shift
 * removal. Lookups allocate nothing; the table grows (allocating) only when half full.
 *
 * @param <V> the value type.
 */
final class OwnerMap<V>
{
    private static final int INITIAL_CAPACITY = 16;

    private long[] workerIds;
    private int[] dpRanks;
    private Object[] values;
    private int mask;
    private int size;

    OwnerMap()
    {
        allocate(INITIAL_CAPACITY);
    }

    @SuppressWarnings("unchecked")
    V get(final long workerId, final int dpRank)
    {
        int i = hash(workerId, dpRank) & mask;
        while (null != values[i])
        {
            if (workerIds[i] == workerId && dpRanks[i] == dpRank)
            {
                return (V)values[i];
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    void put(final long workerId, final int dpRank, final V value)
    {
        int i = hash(workerId, dpRank) & mask;
        while (null != values[i])
        {
            if (workerIds[i] == workerId && dpRanks[i] == dpRank)
            {
                values[i] = value;
                return;
            }
            i = (i + 1) & mask;
        }
        workerIds[i] = workerId;
        dpRanks[i] = dpRank;
        values[i] = value;
        if (++size * 2 > values.length)
        {
            grow();
        }
    }

    @SuppressWarnings("unchecked")
    V remove(final long workerId, final int dpRank)
    {
        int i = hash(workerId, dpRank) & mask;
        while (null != values[i])
        {
            if (workerIds[i] == workerId && dpRanks[i] == dpRank)
            {
                final V value = (V)values[i];
                values[i] = null;
                size--;
                shiftBack(i);
                return value;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    int size()
    {
        return size;
    }

    /**
     * Slots to scan with {@link #valueAt(int)}, for iterating without an iterator.
     *
     * @return the table's capacity.
     */
    int capacity()
    {
        return values.length;
    }

    @SuppressWarnings("unchecked")
    V valueAt(final int slot)
    {
        return (V)values[slot];
    }

    private void shiftBack(final int removed)
    {
        int hole = removed;
        int i = (removed + 1) & mask;
        while (null != values[i])
        {
            final int home = hash(workerIds[i], dpRanks[i]) & mask;
            if (((i - home) & mask) >= ((i - hole) & mask))
            {
                workerIds[hole] = workerIds[i];
                dpRanks[hole] = dpRanks[i];
                values[hole] = values[i];
                values[i] = null;
                hole = i;
            }
            i = (i + 1) & mask;
        }
    }

    private void grow()
    {
        final long[] oldIds = workerIds;
        final int[] oldRanks = dpRanks;
        final Object[] oldValues = values;
        allocate(oldValues.length * 2);
        for (int i = 0; i < oldValues.length; i++)
        {
            if (null != oldValues[i])
            {
                int j = hash(oldIds[i], oldRanks[i]) & mask;
                while (null != values[j])
                {
                    j = (j + 1) & mask;
                }
                workerIds[j] = oldIds[i];
                dpRanks[j] = oldRanks[i];
                values[j] = oldValues[i];
            }
        }
    }

    private void allocate(final int capacity)
    {
        workerIds = new long[capacity];
        dpRanks = new int[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
    }

    private static int hash(final long workerId, final int dpRank)
    {
        long h = workerId * 0x9E3779B97F4A7C15L + dpRank;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return (int)(h ^ (h >>> 32));
    }
}
