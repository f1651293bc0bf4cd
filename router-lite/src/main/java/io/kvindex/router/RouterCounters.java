package io.kvindex.router;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of one router: written by the router's thread only (ordered stores, no locks), readable from any thread,
 * e.g. by a metrics exporter.
 */
public final class RouterCounters
{
    /** Routing calls that chose a worker ({@code router_requests_total}). */
    public static final int ROUTED = 0;
    /** Routed requests that were booked (a request id was given). */
    public static final int BOOKED = 1;
    /** Decisions that wanted overlaps but got none in time and used load alone. */
    public static final int INDEXER_FALLBACKS = 2;
    /** Requests that had to wait in the queue. */
    public static final int QUEUED = 3;
    /** Waiting requests routed once capacity freed. */
    public static final int DEQUEUED = 4;
    /** Requests freed by the caller (booked or still waiting). */
    public static final int FREED = 5;
    /** Bookings freed because they were never freed within the expiry time. */
    public static final int EXPIRED = 6;
    /** Frees and prefill completions naming a request the router does not know. */
    public static final int UNKNOWN_REQUESTS = 7;
    /** Calls refused: no candidate, unknown forced worker or duplicate request id. */
    public static final int REFUSED = 8;
    /** Decisions recorded in the approximate index. */
    public static final int APPROXIMATE_RECORDS = 9;
    /** Number of counters. */
    public static final int COUNT = 10;

    private static final String[] NAMES =
    {
        "routed", "booked", "indexer_fallbacks", "queued", "dequeued", "freed", "expired", "unknown_requests",
        "refused", "approximate_records"
    };

    private final AtomicLongArray values = new AtomicLongArray(COUNT);

    /**
     * Current value of a counter.
     *
     * @param counter one of the constants.
     * @return the value.
     */
    public long get(final int counter)
    {
        return values.get(counter);
    }

    /**
     * Name of a counter, for metrics and logs.
     *
     * @param counter one of the constants.
     * @return the name.
     */
    public static String name(final int counter)
    {
        return NAMES[counter];
    }

    void increment(final int counter)
    {
        values.lazySet(counter, values.get(counter) + 1);
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("RouterCounters{");
        for (int i = 0; i < COUNT; i++)
        {
            sb.append(0 == i ? "" : ", ").append(NAMES[i]).append('=').append(values.get(i));
        }
        return sb.append('}').toString();
    }
}
