package io.kvindex.server.feed;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of an {@link AeronEventFeed}: written by its agent only, readable from any thread. To be moved to Agrona
 * counters in the server's counters file when that lands.
 */
public final class AeronFeedCounters
{
    /** Messages consumed from the subscription, well formed or not (a message retried after back pressure once). */
    public static final int MESSAGES = 0;
    /** Stored events (BlocksStored and TokensStored) handed to the pipeline. */
    public static final int STORED = 1;
    /** BlocksRemoved events handed to the pipeline. */
    public static final int REMOVED = 2;
    /** AllBlocksCleared events handed to the pipeline. */
    public static final int CLEARED = 3;
    /** WorkerRemoved events handed to the pipeline. */
    public static final int WORKERS_REMOVED = 4;
    /** Polls stopped because the ring was full; the message stayed in the log and was offered again. */
    public static final int BACK_PRESSURED = 5;
    /** Events for a (model, tenant) the feed has no index for: skipped. */
    public static final int UNKNOWN_INDEX = 6;
    /** Stored events whose block size is not their index's: skipped. */
    public static final int WRONG_BLOCK_SIZE = 7;
    /** Messages shorter than their fixed fields, lengths or counts running past the end, bad enum values. */
    public static final int MALFORMED = 8;
    /** Messages of another schema or an unknown template. */
    public static final int UNKNOWN_MESSAGE = 9;
    /** Events over the feed's limits (blocks, token ids, LoRA name length): skipped. */
    public static final int TOO_LARGE = 10;

    /** Number of counters. */
    public static final int COUNT = 11;

    private static final String[] NAMES =
    {
        "messages", "stored", "removed", "cleared", "workers_removed", "back_pressured", "unknown_index",
        "wrong_block_size", "malformed", "unknown_message", "too_large"
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

    /**
     * The metric label of a counter.
     *
     * @param counter one of the constants.
     * @return its label.
     */
    public static String name(final int counter)
    {
        return counter >= 0 && counter < COUNT ? NAMES[counter] : "unknown";
    }

    void increment(final int counter)
    {
        values.lazySet(counter, values.get(counter) + 1);
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("AeronFeedCounters{");
        for (int i = 0; i < COUNT; i++)
        {
            sb.append(i == 0 ? "" : ", ").append(NAMES[i]).append('=').append(values.get(i));
        }
        return sb.append('}').toString();
    }
}
