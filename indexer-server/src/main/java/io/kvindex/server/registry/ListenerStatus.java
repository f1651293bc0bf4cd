package io.kvindex.server.registry;

/**
 * State of the listener that follows one registered engine stream, as {@code GET /workers} reports it.
 */
public enum ListenerStatus
{
    /** Registered; the feed is not receiving yet (not started, or connecting). */
    PENDING,
    /** Receiving the engine's events. */
    ACTIVE,
    /** Stopped on purpose, e.g. while the worker's state is rebuilt or the server drains. */
    PAUSED,
    /** Stopped by an error; {@code last_error} says which. */
    FAILED;

    /**
     * The lower-case name used in the JSON API.
     *
     * @return e.g. {@code "active"}.
     */
    public String label()
    {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
