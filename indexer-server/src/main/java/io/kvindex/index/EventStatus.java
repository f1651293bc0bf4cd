package io.kvindex.index;

/**
 * Outcome of applying one KV event to an index, as counted in {@code kv_cache_events_applied_total}.
 */
public final class EventStatus
{
    /** The event was applied in full. */
    public static final int OK = 0;

    /** A Stored event named a parent the owner does not hold; nothing was applied. */
    public static final int PARENT_BLOCK_NOT_FOUND = 1;

    /** A Removed event named at least one block the owner does not hold; the others were applied. */
    public static final int BLOCK_NOT_FOUND = 2;

    /**
     * A Stored block conflicts with what the owner already holds (its engine hash names another block, or the
     * owner holds the block under another engine hash); the event was applied up to that block.
     */
    public static final int INVALID_BLOCK = 3;

    /** The index is full; the Stored event was refused whole. */
    public static final int CAPACITY_EXCEEDED = 4;

    /** Number of distinct statuses. */
    public static final int COUNT = 5;

    private static final String[] NAMES =
    {
        "ok", "parent_block_not_found", "block_not_found", "invalid_block", "capacity_exceeded"
    };

    private EventStatus()
    {
    }

    /**
     * The metric label of a status.
     *
     * @param status one of the status constants.
     * @return its label, as used in metrics.
     */
    public static String name(final int status)
    {
        return status >= 0 && status < COUNT ? NAMES[status] : "unknown";
    }
}
