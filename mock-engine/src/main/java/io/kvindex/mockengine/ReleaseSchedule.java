package io.kvindex.mockengine;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Running requests ordered by the time they release their blocks: a binary min-heap of pooled entries, each holding
 * the slots the request references. Single-threaded; allocates only while the number of running requests grows.
 */
final class ReleaseSchedule
{
    /**
     * A running request: its rank, its referenced slots, and when it finishes.
     */
    static final class Entry
    {
        long releaseNs;
        RankEngine rank;
        int[] slots = new int[16];
        int count;
    }

    private final ArrayDeque<Entry> pool = new ArrayDeque<>();
    private Entry[] heap = new Entry[64];
    private int size;

    int size()
    {
        return size;
    }

    /**
     * Schedule a request's release.
     */
    void add(final long releaseNs, final RankEngine rank, final int[] slots, final int count)
    {
        final Entry entry = pool.isEmpty() ? new Entry() : pool.pop();
        entry.releaseNs = releaseNs;
        entry.rank = rank;
        if (entry.slots.length < count)
        {
            entry.slots = new int[Math.max(count, entry.slots.length * 2)];
        }
        System.arraycopy(slots, 0, entry.slots, 0, count);
        entry.count = count;
        if (size == heap.length)
        {
            heap = Arrays.copyOf(heap, size * 2);
        }
        int i = size++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (heap[parent].releaseNs <= releaseNs)
            {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = entry;
    }

    /**
     * The earliest release time.
     *
     * @return ns, or {@link Long#MAX_VALUE} when nothing runs.
     */
    long nextReleaseNs()
    {
        return 0 == size ? Long.MAX_VALUE : heap[0].releaseNs;
    }

    /**
     * Release every request due at a time, earliest first.
     *
     * @return requests released.
     */
    int releaseDue(final long nowNs)
    {
        int released = 0;
        while (size > 0 && heap[0].releaseNs <= nowNs)
        {
            final Entry entry = heap[0];
            removeTop();
            entry.rank.cache().release(entry.slots, entry.count);
            entry.rank = null;
            pool.push(entry);
            released++;
        }
        return released;
    }

    private void removeTop()
    {
        final Entry last = heap[--size];
        heap[size] = null;
        if (0 == size)
        {
            return;
        }
        int i = 0;
        while (true)
        {
            final int left = 2 * i + 1;
            if (left >= size)
            {
                break;
            }
            final int right = left + 1;
            final int child = right < size && heap[right].releaseNs < heap[left].releaseNs ? right : left;
            if (heap[child].releaseNs >= last.releaseNs)
            {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = last;
    }
}
