package io.kvindex.router;

import java.util.Arrays;

/**
 * Approximate mode's timers of one worker rank: for each block (sequence hash) it was sent, when the block expires
 * and its depth in the chain. Open addressing with linear probing and backward-shift removal; a put or a lookup is
 * one probe sequence. Grows (allocating) when half full; never shrinks.
 */
final class BlockTimers
{
    /** Returned when a block has no timer. */
    static final long NO_EXPIRY = Long.MIN_VALUE;

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final int INITIAL_CAPACITY = 64;
    private static final int EMPTY = 0;

    private long[] keys;
    private long[] expiries;
    private int[] depthsPlusOne;
    private int mask;
    private int shift;
    private int size;

    BlockTimers()
    {
        allocate(INITIAL_CAPACITY);
    }

    int size()
    {
        return size;
    }

    /**
     * Set a block's expiry (and depth).
     *
     * @param key    the sequence hash.
     * @param expiry when it expires.
     * @param depth  its position in the chain, from 0.
     * @return the previous expiry, {@link #NO_EXPIRY} when the block had no timer.
     */
    long put(final long key, final long expiry, final int depth)
    {
        int i = slot(key);
        while (EMPTY != depthsPlusOne[i])
        {
            if (keys[i] == key)
            {
                final long previous = expiries[i];
                expiries[i] = expiry;
                return previous;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        expiries[i] = expiry;
        depthsPlusOne[i] = depth + 1;
        if (++size * 2 > keys.length)
        {
            grow();
        }
        return NO_EXPIRY;
    }

    /**
     * A block's expiry.
     *
     * @param key the sequence hash.
     * @return its expiry or {@link #NO_EXPIRY}.
     */
    long expiry(final long key)
    {
        int i = slot(key);
        while (EMPTY != depthsPlusOne[i])
        {
            if (keys[i] == key)
            {
                return expiries[i];
            }
            i = (i + 1) & mask;
        }
        return NO_EXPIRY;
    }

    /**
     * Remove a block's timer if it expires at {@code expiry}; a timer that moved since is left alone.
     *
     * @param key    the sequence hash.
     * @param expiry the expiry the caller saw.
     * @return true when removed.
     */
    boolean removeIfExpiry(final long key, final long expiry)
    {
        int i = slot(key);
        while (EMPTY != depthsPlusOne[i])
        {
            if (keys[i] == key)
            {
                if (expiries[i] != expiry)
                {
                    return false;
                }
                depthsPlusOne[i] = EMPTY;
                size--;
                shiftBack(i);
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    void clear()
    {
        Arrays.fill(depthsPlusOne, EMPTY);
        size = 0;
    }

    int capacity()
    {
        return keys.length;
    }

    boolean isUsed(final int slot)
    {
        return EMPTY != depthsPlusOne[slot];
    }

    long keyAt(final int slot)
    {
        return keys[slot];
    }

    long expiryAt(final int slot)
    {
        return expiries[slot];
    }

    int depthAt(final int slot)
    {
        return depthsPlusOne[slot] - 1;
    }

    private void shiftBack(final int removed)
    {
        int hole = removed;
        int i = (removed + 1) & mask;
        while (EMPTY != depthsPlusOne[i])
        {
            final int home = slot(keys[i]);
            if (((i - home) & mask) >= ((i - hole) & mask))
            {
                keys[hole] = keys[i];
                expiries[hole] = expiries[i];
                depthsPlusOne[hole] = depthsPlusOne[i];
                depthsPlusOne[i] = EMPTY;
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
        final long[] oldExpiries = expiries;
        final int[] oldDepths = depthsPlusOne;
        allocate(oldKeys.length * 2);
        for (int j = 0; j < oldKeys.length; j++)
        {
            if (EMPTY != oldDepths[j])
            {
                int i = slot(oldKeys[j]);
                while (EMPTY != depthsPlusOne[i])
                {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                expiries[i] = oldExpiries[j];
                depthsPlusOne[i] = oldDepths[j];
            }
        }
    }

    private void allocate(final int capacity)
    {
        keys = new long[capacity];
        expiries = new long[capacity];
        depthsPlusOne = new int[capacity];
        mask = capacity - 1;
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
    }
}
