package io.kvindex.index;

/**
 * Kinds of index event, as counted in {@code kv_cache_events_applied_total}.
 */
public final class EventType
{
    /** Blocks stored under a parent. */
    public static final int STORED = 0;

    /** Blocks removed, with everything after them on their chains. */
    public static final int REMOVED = 1;

    /** Every block of every dp rank of a worker dropped. */
    public static final int CLEARED = 2;

    /** A worker (or one of its dp ranks) dropped and forgotten. */
    public static final int REMOVE_WORKER = 3;

    /** Number of distinct event types. */
    public static final int COUNT = 4;

    private static final String[] NAMES = { "stored", "removed", "cleared", "remove_worker" };

    private EventType()
    {
    }

    /**
     * The metric label of an event type.
     *
     * @param type one of the type constants.
     * @return its label, as used in metrics.
     */
    public static String name(final int type)
    {
        return type >= 0 && type < COUNT ? NAMES[type] : "unknown";
    }
}
