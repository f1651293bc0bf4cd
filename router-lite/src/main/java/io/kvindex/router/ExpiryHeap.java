package io.kvindex.router;

import java.util.Arrays;

/**
 * A binary min-heap of block expiries for approximate mode: the top is the earliest expiry and, among equal
 * expiries, the deepest block (largest position in its chain), as Dynamo's prune manager orders them. Entries are
 * primitive columns plus the owner's timers; stale entries (the block's timer moved or went) are left in place and
 * skipped when they come to the top. Grows by doubling; never shrinks.
 */
final class ExpiryHeap
{
    private long[] expiries;
    private long[] hashes;
    private int[] depths;
    private ApproximateIndex.OwnerTimers[] owners;
    private int size;

    ExpiryHeap(final int initialCapacity)
    {
        final int capacity = Math.max(16, initialCapacity);
        expiries = new long[capacity];
        hashes = new long[capacity];
        depths = new int[capacity];
        owners = new ApproximateIndex.OwnerTimers[capacity];
    }

    int size()
    {
        return size;
    }

    boolean isEmpty()
    {
        return 0 == size;
    }

    long topExpiry()
    {
        return expiries[0];
    }

    long topHash()
    {
        return hashes[0];
    }

    int topDepth()
    {
        return depths[0];
    }

    ApproximateIndex.OwnerTimers topOwner()
    {
        return owners[0];
    }

    void clear()
    {
        for (int i = 0; i < size; i++)
        {
            owners[i] = null;
        }
        size = 0;
    }

    void push(final long expiry, final long hash, final int depth, final ApproximateIndex.OwnerTimers owner)
    {
        if (size == expiries.length)
        {
            grow();
        }
        int i = size++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!before(expiry, depth, expiries[parent], depths[parent]))
            {
                break;
            }
            move(parent, i);
            i = parent;
        }
        set(i, expiry, hash, depth, owner);
    }

    void pop()
    {
        final int last = --size;
        final long expiry = expiries[last];
        final long hash = hashes[last];
        final int depth = depths[last];
        final ApproximateIndex.OwnerTimers owner = owners[last];
        owners[last] = null;
        if (0 == last)
        {
            return;
        }
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= last)
            {
                break;
            }
            if (child + 1 < last && before(expiries[child + 1], depths[child + 1], expiries[child], depths[child]))
            {
                child++;
            }
            if (!before(expiries[child], depths[child], expiry, depth))
            {
                break;
            }
            move(child, i);
            i = child;
        }
        set(i, expiry, hash, depth, owner);
    }

    private static boolean before(final long expiryA, final int depthA, final long expiryB, final int depthB)
    {
        final long diff = expiryA - expiryB;
        return diff < 0 || (0 == diff && depthA > depthB);
    }

    private void move(final int from, final int to)
    {
        expiries[to] = expiries[from];
        hashes[to] = hashes[from];
        depths[to] = depths[from];
        owners[to] = owners[from];
    }

    private void set(final int i, final long expiry, final long hash, final int depth,
        final ApproximateIndex.OwnerTimers owner)
    {
        expiries[i] = expiry;
        hashes[i] = hash;
        depths[i] = depth;
        owners[i] = owner;
    }

    private void grow()
    {
        final int capacity = expiries.length * 2;
        expiries = Arrays.copyOf(expiries, capacity);
        hashes = Arrays.copyOf(hashes, capacity);
        depths = Arrays.copyOf(depths, capacity);
        owners = Arrays.copyOf(owners, capacity);
    }
}
