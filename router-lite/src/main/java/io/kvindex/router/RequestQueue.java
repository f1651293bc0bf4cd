package io.kvindex.router;

import org.agrona.collections.Object2ObjectHashMap;

import java.util.Arrays;

/**
 * Requests waiting for capacity, highest key first (equal keys in arrival order), with lookup and removal by
 * request id. A binary heap of pooled entries: steady state allocates nothing.
 */
final class RequestQueue
{
    private final Object2ObjectHashMap<String, QueuedRequest> byId = new Object2ObjectHashMap<>();
    private QueuedRequest[] heap = new QueuedRequest[16];
    private int size;
    private long sequence;
    private QueuedRequest pool;

    int size()
    {
        return size;
    }

    boolean isEmpty()
    {
        return 0 == size;
    }

    boolean contains(final String requestId)
    {
        return byId.containsKey(requestId);
    }

    /**
     * Add a request.
     *
     * @param requestId   the request id, not already waiting.
     * @param localHashes its local hashes.
     * @param count       number of hashes.
     * @param isl         its length in tokens.
     * @param overrides   its overrides or null.
     * @param key         its key under the queue policy.
     * @param nowNs       arrival time.
     */
    void add(
        final String requestId,
        final long[] localHashes,
        final int count,
        final int isl,
        final RouteOverrides overrides,
        final double key,
        final long nowNs)
    {
        final QueuedRequest request = claim();
        request.set(requestId, localHashes, count, isl, overrides);
        request.key = key;
        request.sequence = sequence++;
        request.arrivalNs = nowNs;
        byId.put(requestId, request);
        if (size == heap.length)
        {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = request;
        request.heapIndex = size++;
        siftUp(request.heapIndex);
    }

    /**
     * Take the request with the highest key; hand it back with {@link #recycle} once routed.
     *
     * @return the request, or null when none waits.
     */
    QueuedRequest poll()
    {
        if (0 == size)
        {
            return null;
        }
        final QueuedRequest head = heap[0];
        removeAt(0);
        byId.remove(head.requestId);
        return head;
    }

    /**
     * Drop a waiting request, e.g. its client went away.
     *
     * @param requestId the request id.
     * @return true when it was waiting.
     */
    boolean remove(final String requestId)
    {
        final QueuedRequest request = byId.remove(requestId);
        if (null == request)
        {
            return false;
        }
        removeAt(request.heapIndex);
        recycle(request);
        return true;
    }

    void recycle(final QueuedRequest request)
    {
        request.requestId = null;
        request.nextFree = pool;
        pool = request;
    }

    private QueuedRequest claim()
    {
        final QueuedRequest request = pool;
        if (null == request)
        {
            return new QueuedRequest();
        }
        pool = request.nextFree;
        request.nextFree = null;
        return request;
    }

    private void removeAt(final int index)
    {
        final int last = --size;
        final QueuedRequest moved = heap[last];
        heap[last] = null;
        if (index == last)
        {
            return;
        }
        heap[index] = moved;
        moved.heapIndex = index;
        siftDown(index);
        siftUp(moved.heapIndex);
    }

    private void siftUp(final int start)
    {
        int i = start;
        final QueuedRequest request = heap[i];
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!request.before(heap[parent]))
            {
                break;
            }
            place(heap[parent], i);
            i = parent;
        }
        place(request, i);
    }

    private void siftDown(final int start)
    {
        int i = start;
        final QueuedRequest request = heap[i];
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= size)
            {
                break;
            }
            if (child + 1 < size && heap[child + 1].before(heap[child]))
            {
                child++;
            }
            if (!heap[child].before(request))
            {
                break;
            }
            place(heap[child], i);
            i = child;
        }
        place(request, i);
    }

    private void place(final QueuedRequest request, final int index)
    {
        heap[index] = request;
        request.heapIndex = index;
    }
}
