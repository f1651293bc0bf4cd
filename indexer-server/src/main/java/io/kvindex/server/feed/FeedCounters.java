package io.kvindex.server.feed;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of one {@link ZmqEngineFeed}: written by the feed's thread only (ordered stores, no locks, no
 * allocation), readable from any thread. Indexed by the constants below; {@link #name(int)} gives the metric label.
 */
public final class FeedCounters
{
    /** Messages taken from the SUB socket, well-formed or not. */
    public static final int MESSAGES = 0;
    /** Messages dropped for a frame count other than 3 or a seq frame other than 8 bytes (replies included). */
    public static final int MALFORMED_FRAMES = 1;
    /** Messages dropped for a payload over the size limit. */
    public static final int OVERSIZED = 2;
    /** Batches handed to the index (applied directly or published to the ring), replayed ones included. */
    public static final int BATCHES = 3;
    /** Times the seq jumped forward by more than one. */
    public static final int SEQ_GAPS = 4;
    /** Batches skipped over by those jumps. */
    public static final int MISSED_BATCHES = 5;
    /** Engine restarts: the seq fell back to 0, or fell back after a quiet period. */
    public static final int ENGINE_RESTARTS = 6;
    /** The first batch seen had a seq above 0: the feed joined late. */
    public static final int LATE_JOINS = 7;
    /** Batches with a seq at or below the last one, not a restart: dropped. */
    public static final int STALE_DROPPED = 8;
    /** Live batches that found the ring full and were held instead of published. */
    public static final int RING_FULL = 9;
    /** Batches dropped because the hold buffer was full; a gap to repair by replay. */
    public static final int HOLD_OVERFLOWS = 10;
    /** Replays requested. */
    public static final int REPLAYS = 11;
    /** Batches received from replays. */
    public static final int REPLAYED_BATCHES = 12;
    /** Replayed or held batches skipped because they were covered already. */
    public static final int DUPLICATES_SKIPPED = 13;
    /** Replays that timed out. */
    public static final int REPLAY_FAILURES = 14;
    /** Gaps or late joins with no replay endpoint to repair them. */
    public static final int REPLAY_UNAVAILABLE = 15;
    /** Replays that started after the seq asked for or had a hole: the batches before were gone. */
    public static final int REPLAY_TOO_OLD = 16;
    /** Times the worker's blocks were cleared to be re-learned (restart, unavailable or too-old replay). */
    public static final int WORKER_CLEARS = 17;
    /** Times the SUB socket was opened anew after an idle period. */
    public static final int RESUBSCRIBES = 18;
    /** Number of counters. */
    public static final int COUNT = 19;

    private static final String[] NAMES =
    {
        "messages", "malformed_frames", "oversized", "batches", "seq_gaps", "missed_batches", "engine_restarts",
        "late_joins", "stale_dropped", "ring_full", "hold_overflows", "replays", "replayed_batches",
        "duplicates_skipped", "replay_failures", "replay_unavailable", "replay_too_old", "worker_clears",
        "resubscribes"
    };

    private final AtomicLongArray values = new AtomicLongArray(COUNT);

    /**
     * The value of a counter.
     *
     * @param counter one of the constants.
     * @return its value.
     */
    public long get(final int counter)
    {
        return values.get(counter);
    }

    /**
     * The metric label of a counter.
     *
     * @param counter one of the constants.
     * @return e.g. {@code "seq_gaps"}.
     */
    public static String name(final int counter)
    {
        return counter >= 0 && counter < COUNT ? NAMES[counter] : "unknown";
    }

    void increment(final int counter)
    {
        values.lazySet(counter, values.get(counter) + 1);
    }

    void add(final int counter, final long delta)
    {
        values.lazySet(counter, values.get(counter) + delta);
    }
}
