package io.kvindex.server.feed;

/**
 * Outcome of decoding an engine KV-event batch or one event in it, as counted per feed. A batch status other than
 * {@link #OK} means the whole batch was dropped; an event status other than {@link #OK} drops only that event.
 */
public final class DecodeStatus
{
    /** Decoded in full. */
    public static final int OK = 0;

    /** Not valid msgpack: truncated, trailing bytes, a length larger than the payload, a reserved byte. */
    public static final int MALFORMED = 1;

    /** Valid msgpack, but a value of the wrong type where the format names one (e.g. a string as a hash). */
    public static final int WRONG_TYPE = 2;

    /** An event whose tag names no known kind. */
    public static final int UNKNOWN_EVENT_KIND = 3;

    /** A batch, event, list or string over the configured limits. */
    public static final int TOO_LARGE = 4;

    /** A required field is absent (no tag, no block hashes, no events). */
    public static final int MISSING_FIELD = 5;

    /** Number of distinct statuses. */
    public static final int COUNT = 6;

    private static final String[] NAMES =
    {
        "ok", "malformed", "wrong_type", "unknown_event_kind", "too_large", "missing_field"
    };

    private DecodeStatus()
    {
    }

    /**
     * The metric label of a status.
     *
     * @param status one of the status constants.
     * @return its label.
     */
    public static String name(final int status)
    {
        return status >= 0 && status < COUNT ? NAMES[status] : "unknown";
    }
}
