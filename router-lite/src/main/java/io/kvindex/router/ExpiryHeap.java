package io.kvindex.router;

import java.util.Arrays;

/**
 * A binary min-heap of block expiries for approximate mode: the top is the earliest expiry and, among equal
 * expiries, the deepest block (largest position in its chain), as Dynamo's prune manager orders them. Each entry is
 * three consecutive longs in one array, so a level of a sift touches one cache line:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------------------------------------+
 *  |                  expiry (ns), 64 bits                       |
 *  +-------------------------------------------------------------+
 *  |                  block's sequence hash, 64 bits             |
 *  +------------------------------+------------------------------+
 *  |          owner id            |          depth               |
 *  +------------------------------+------------------------------+
 * </pre>
 * Grows by doubling; never shrinks.
 */
final class ExpiryHeap
{
    private static final int STRIDE = 3;
    private static final int EXPIRY = 0;
    private static final int HASH = 1;
    private static final int OWNER_DEPTH = 2;

    private long[] entries;
    private int size;

    ExpiryHeap(final int initialCapacity)
    {
        entries = new long[Math.max(16, initialCapacity) * STRIDE];
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
        return entries[EXPIRY];
    }

    long topHash()
    {
        return entries[HASH];
    }

    int topDepth()
    {
        return (int)entries[OWNER_DEPTH];
    }

    int topOwner()
    {
        return (int)(entries[OWNER_DEPTH] >>> 32);
    }

    void clear()
    {
        size = 0;
    }

    void push(final long expiry, final long hash, final int depth, final int owner)
    {
        if ((size + 1) * STRIDE > entries.length)
        {
            entries = Arrays.copyOf(entries, entries.length * 2);
        }
        final long ownerDepth = ((long)owner << 32) | (depth & 0xFFFF_FFFFL);
        int i = size++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!before(expiry, depth, parent))
            {
                break;
            }
            copy(parent, i);
            i = parent;
        }
        set(i, expiry, hash, ownerDepth);
    }

    void pop()
    {
        final int last = --size;
        if (0 == last)
        {
            return;
        }
        final int base = last * STRIDE;
        final long expiry = entries[base + EXPIRY];
        final long hash = entries[base + HASH];
        final long ownerDepth = entries[base + OWNER_DEPTH];
        final int depth = (int)ownerDepth;
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= last)
            {
                break;
            }
            if (child + 1 < last && childBefore(child + 1, child))
            {
                child++;
            }
            if (!childBeforeValue(child, expiry, depth))
            {
                break;
            }
            copy(child, i);
            i = child;
        }
        set(i, expiry, hash, ownerDepth);
    }

    private boolean before(final long expiry, final int depth, final int other)
    {
        final int base = other * STRIDE;
        final long diff = expiry - entries[base + EXPIRY];
        return diff < 0 || (0 == diff && depth > (int)entries[base + OWNER_DEPTH]);
    }

    private boolean childBefore(final int a, final int b)
    {
        final int base = a * STRIDE;
        return before(entries[base + EXPIRY], (int)entries[base + OWNER_DEPTH], b);
    }

    private boolean childBeforeValue(final int child, final long expiry, final int depth)
    {
        final int base = child * STRIDE;
        final long diff = entries[base + EXPIRY] - expiry;
        return diff < 0 || (0 == diff && (int)entries[base + OWNER_DEPTH] > depth);
    }

    private void copy(final int from, final int to)
    {
        final int source = from * STRIDE;
        final int target = to * STRIDE;
        entries[target + EXPIRY] = entries[source + EXPIRY];
        entries[target + HASH] = entries[source + HASH];
        entries[target + OWNER_DEPTH] = entries[source + OWNER_DEPTH];
    }

    private void set(final int i, final long expiry, final long hash, final long ownerDepth)
    {
        final int base = i * STRIDE;
        entries[base + EXPIRY] = expiry;
        entries[base + HASH] = hash;
        entries[base + OWNER_DEPTH] = ownerDepth;
    }
}
