package io.kvindex.server.query;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * Counters of a query service: written by its agent only, with release semantics, readable from any thread and,
 * when they live in the server's counters file, from other processes ({@code tools/indexer-stat}).
 */
public final class QueryCounters
{
    /** OverlapRequests read, well formed or not. */
    public static final int REQUESTS = 0;
    /** OverlapResponses with status OK. */
    public static final int ANSWERED = 1;
    /** Answered with UNKNOWN_INDEX. */
    public static final int UNKNOWN_INDEX = 2;
    /** Answered with BAD_REQUEST. */
    public static final int BAD_REQUESTS = 3;
    /** Answered with OVERLOAD. */
    public static final int OVERLOADED = 4;
    /** Answered with SERVER_ERROR. */
    public static final int SERVER_ERRORS = 5;
    /** Messages dropped unanswered: unknown schema or template, too short to name a session. */
    public static final int MALFORMED = 6;
    /** Requests naming no open session, dropped. */
    public static final int UNKNOWN_SESSION = 7;
    /** Responses that could not be offered (back pressure or disconnect). */
    public static final int RESPONSES_DROPPED = 8;
    /** Sessions opened. */
    public static final int SESSIONS_OPENED = 9;
    /** Sessions closed, by the client or for lost connection. */
    public static final int SESSIONS_CLOSED = 10;
    /** Connect requests rejected. */
    public static final int CONNECTS_REJECTED = 11;

    private static final int COUNT = 12;
    private static final String[] NAMES =
    {
        "requests", "answered", "unknown_index", "bad_requests", "overloaded", "server_errors", "malformed",
        "unknown_session", "responses_dropped", "sessions_opened", "sessions_closed", "connects_rejected"
    };

    /** Agrona counter type id of these counters in a counters file. */
    public static final int QUERY_COUNTER_TYPE_ID = 1101;

    private final AtomicBuffer values;
    private final int[] offsets = new int[COUNT];
    private final int[] counterIds;
    private final CountersManager manager;

    /**
     * Counters private to this process, on the heap.
     */
    public QueryCounters()
    {
        values = new UnsafeBuffer(new byte[COUNT * Long.BYTES]);
        for (int i = 0; i < COUNT; i++)
        {
            offsets[i] = i * Long.BYTES;
        }
        counterIds = null;
        manager = null;
    }

    /**
     * Counters allocated in a counters file, labelled {@code queries: <name>}.
     *
     * @param manager the counters file's allocator.
     */
    public QueryCounters(final CountersManager manager)
    {
        this.manager = manager;
        values = manager.valuesBuffer();
        counterIds = new int[COUNT];
        for (int i = 0; i < COUNT; i++)
        {
            counterIds[i] = manager.allocate("queries: " + NAMES[i], QUERY_COUNTER_TYPE_ID);
            offsets[i] = CountersReader.counterOffset(counterIds[i]);
        }
    }

    /**
     * Free the counters in the counters file, if they live in one.
     */
    public void close()
    {
        if (null != manager)
        {
            for (final int id : counterIds)
            {
                manager.free(id);
            }
        }
    }

    /**
     * Value of a counter.
     *
     * @param counter one of the constants.
     * @return its value.
     */
    public long get(final int counter)
    {
        return values.getLongVolatile(offsets[counter]);
    }

    void increment(final int counter)
    {
        final int offset = offsets[counter];
        values.putLongRelease(offset, values.getLong(offset) + 1);
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("QueryCounters{");
        for (int i = 0; i < COUNT; i++)
        {
            sb.append(i == 0 ? "" : ", ").append(NAMES[i]).append('=').append(get(i));
        }
        return sb.append('}').toString();
    }
}
