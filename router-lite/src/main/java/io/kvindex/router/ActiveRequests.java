package io.kvindex.router;

import org.agrona.collections.Object2ObjectHashMap;

/**
 * The booked requests of a router and the load they put on each worker rank, as Dynamo's {@code ActiveSequences}:
 * booking adds the request's blocks (sequence hashes, each counted once per worker however many requests hold it)
 * and its new prefill tokens; {@link #markPrefillComplete} releases the tokens; {@link #free} releases both.
 * Requests never freed expire {@code expiryNs} after booking. Single-threaded; bookings are pooled, so steady state
 * allocates nothing.
 */
final class ActiveRequests
{
    private final Object2ObjectHashMap<String, Booking> byId = new Object2ObjectHashMap<>();
    private final long expiryNs;
    private Booking oldest;
    private Booking newest;
    private Booking pool;

    ActiveRequests(final long expiryNs)
    {
        this.expiryNs = expiryNs;
    }

    boolean contains(final String requestId)
    {
        return byId.containsKey(requestId);
    }

    /**
     * Book a request on a worker.
     *
     * @param requestId      the request id, not yet booked.
     * @param worker         the worker rank.
     * @param sequenceHashes the blocks the request holds there, or none when active blocks are not tracked.
     * @param blockCount     number of hashes.
     * @param prefillTokens  tokens the worker has to prefill for it.
     * @param nowNs          the time now.
     */
    void book(
        final String requestId,
        final WorkerState worker,
        final long[] sequenceHashes,
        final int blockCount,
        final long prefillTokens,
        final long nowNs)
    {
        final Booking booking = claim();
        booking.requestId = requestId;
        booking.worker = worker;
        booking.hashes(sequenceHashes, blockCount);
        booking.prefillTokens = prefillTokens;
        booking.deadlineNs = nowNs + expiryNs;
        worker.addBlocks(sequenceHashes, blockCount);
        worker.activePrefillTokens += prefillTokens;
        worker.activeRequests++;
        byId.put(requestId, booking);
        link(booking);
    }

    /**
     * Release a request's prefill tokens: its first token came out.
     *
     * @param requestId the request id.
     * @return false when the request is not booked.
     */
    boolean markPrefillComplete(final String requestId)
    {
        final Booking booking = byId.get(requestId);
        if (null == booking)
        {
            return false;
        }
        booking.worker.activePrefillTokens -= booking.prefillTokens;
        booking.prefillTokens = 0;
        return true;
    }

    /**
     * Release everything a request holds.
     *
     * @param requestId the request id.
     * @return false when the request is not booked.
     */
    boolean free(final String requestId)
    {
        final Booking booking = byId.remove(requestId);
        if (null == booking)
        {
            return false;
        }
        release(booking);
        return true;
    }

    /**
     * Free the requests booked {@code expiryNs} or longer ago.
     *
     * @param nowNs the time now.
     * @return how many expired.
     */
    int expire(final long nowNs)
    {
        int expired = 0;
        while (null != oldest && nowNs - oldest.deadlineNs >= 0)
        {
            final Booking booking = oldest;
            byId.remove(booking.requestId);
            release(booking);
            expired++;
        }
        return expired;
    }

    /**
     * Release every booking, e.g. of a replica that went away.
     *
     * @return how many were released.
     */
    int freeAll()
    {
        int released = 0;
        while (null != oldest)
        {
            final Booking booking = oldest;
            byId.remove(booking.requestId);
            release(booking);
            released++;
        }
        return released;
    }

    /**
     * Replay the bookings, oldest first, as {@link RequestLifecycleListener#onBooked} calls (isl 0).
     *
     * @param listener told of each booking.
     */
    void forEach(final RequestLifecycleListener listener)
    {
        for (Booking booking = oldest; null != booking; booking = booking.next)
        {
            listener.onBooked(booking.requestId, booking.worker.workerId, booking.worker.dpRank,
                booking.sequenceHashes, booking.blockCount, 0, booking.prefillTokens);
        }
    }

    /**
     * The worker a request is booked on.
     *
     * @param requestId the request id.
     * @return the worker's state or null.
     */
    WorkerState workerOf(final String requestId)
    {
        final Booking booking = byId.get(requestId);
        return null == booking ? null : booking.worker;
    }

    int size()
    {
        return byId.size();
    }

    private void release(final Booking booking)
    {
        final WorkerState worker = booking.worker;
        worker.activePrefillTokens -= booking.prefillTokens;
        worker.removeBlocks(booking.sequenceHashes, booking.blockCount);
        worker.activeRequests--;
        unlink(booking);
        booking.clear();
        booking.next = pool;
        pool = booking;
    }

    private Booking claim()
    {
        final Booking booking = pool;
        if (null == booking)
        {
            return new Booking();
        }
        pool = booking.next;
        booking.next = null;
        return booking;
    }

    private void link(final Booking booking)
    {
        booking.previous = newest;
        booking.next = null;
        if (null == newest)
        {
            oldest = booking;
        }
        else
        {
            newest.next = booking;
        }
        newest = booking;
    }

    private void unlink(final Booking booking)
    {
        if (null == booking.previous)
        {
            oldest = booking.next;
        }
        else
        {
            booking.previous.next = booking.next;
        }
        if (null == booking.next)
        {
            newest = booking.previous;
        }
        else
        {
            booking.next.previous = booking.previous;
        }
    }
}
