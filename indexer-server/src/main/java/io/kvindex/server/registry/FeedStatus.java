package io.kvindex.server.registry;

/**
 * The live state of the listener of one registered stream, written by the feed's thread and read by
 * {@link WorkerRegistry#listeners()} from any thread: status, last error, last seq, last batch time and the idle
 * flag. Plain volatile fields, written on batches and state changes only (never per event, never a lock).
 */
public final class FeedStatus
{
    private volatile ListenerStatus status = ListenerStatus.PENDING;
    private volatile String lastError;
    private volatile long lastSeq = -1;
    private volatile long lastBatchEpochMs;
    private volatile boolean idle;

    /**
     * The listener's state.
     *
     * @return the status.
     */
    public ListenerStatus status()
    {
        return status;
    }

    /**
     * Set the listener's state.
     *
     * @param status the new state.
     */
    public void status(final ListenerStatus status)
    {
        if (this.status != status)
        {
            this.status = status;
        }
    }

    /**
     * The last error the listener met.
     *
     * @return the message, or null.
     */
    public String lastError()
    {
        return lastError;
    }

    /**
     * Record an error; the status is left as it is.
     *
     * @param lastError the message.
     */
    public void lastError(final String lastError)
    {
        this.lastError = lastError;
    }

    /**
     * Record a failure: status {@link ListenerStatus#FAILED} and its error.
     *
     * @param error the message.
     */
    public void fail(final String error)
    {
        this.lastError = error;
        this.status = ListenerStatus.FAILED;
    }

    /**
     * The seq of the last batch handed to the index, -1 before the first.
     *
     * @return the seq.
     */
    public long lastSeq()
    {
        return lastSeq;
    }

    /**
     * The time of the last batch received, in ms since the epoch; 0 before the first.
     *
     * @return the time.
     */
    public long lastBatchEpochMs()
    {
        return lastBatchEpochMs;
    }

    /**
     * Record a batch handed to the index.
     *
     * @param seq     its seq.
     * @param epochMs when it arrived.
     */
    public void onBatch(final long seq, final long epochMs)
    {
        lastSeq = seq;
        lastBatchEpochMs = epochMs;
    }

    /**
     * Whether the stream has been silent for longer than the configured idle time (an engine without KV events
     * enabled is the usual cause).
     *
     * @return true when idle.
     */
    public boolean idle()
    {
        return idle;
    }

    /**
     * Set the idle flag.
     *
     * @param idle true when the stream has been silent too long.
     */
    public void idle(final boolean idle)
    {
        if (this.idle != idle)
        {
            this.idle = idle;
        }
    }
}
