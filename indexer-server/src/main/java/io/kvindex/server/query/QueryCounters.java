package io.kvindex.server.query;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of a query service: written by its agent only, readable from any thread. To be moved to Agrona counters
 * in the server's counters file when that lands.
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

    private final AtomicLongArray values = new AtomicLongArray(COUNT);

    /**
     * Value of a counter.
     *
     * @param counter one of the constants.
     * @return its value.
     */
    public long get(final int counter)
    {
        return values.get(counter);
    }

    void increment(final int counter)
    {
        values.lazySet(counter, values.get(counter) + 1);
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("QueryCounters{");
        for (int i = 0; i < COUNT; i++)
        {
            sb.append(i == 0 ? "" : ", ").append(NAMES[i]).append('=').append(values.get(i));
        }
        return sb.append('}').toString();
    }
}
