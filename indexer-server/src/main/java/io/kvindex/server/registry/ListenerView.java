package io.kvindex.server.registry;

/**
 * A point-in-time view of one registered stream and its listener, for {@code GET /workers} and tools.
 */
public final class ListenerView
{
    private final WorkerRegistration registration;
    private final ListenerStatus status;
    private final String lastError;
    private final long lastSeq;
    private final long lastEventEpochMs;
    private final boolean idle;

    /**
     * A view of a listener that has received nothing.
     *
     * @param registration the stream.
     * @param status       its listener's state.
     * @param lastError    the last error, or null.
     */
    public ListenerView(final WorkerRegistration registration, final ListenerStatus status, final String lastError)
    {
        this(registration, status, lastError, -1, 0, false);
    }

    /**
     * A view.
     *
     * @param registration     the stream.
     * @param status           its listener's state.
     * @param lastError        the last error, or null.
     * @param lastSeq          the seq of the last batch handed to the index, -1 before the first.
     * @param lastEventEpochMs when the last batch arrived, ms since the epoch, 0 before the first.
     * @param idle             whether the stream has been silent longer than the configured idle time.
     */
    public ListenerView(
        final WorkerRegistration registration,
        final ListenerStatus status,
        final String lastError,
        final long lastSeq,
        final long lastEventEpochMs,
        final boolean idle)
    {
        this.registration = registration;
        this.status = status;
        this.lastError = lastError;
        this.lastSeq = lastSeq;
        this.lastEventEpochMs = lastEventEpochMs;
        this.idle = idle;
    }

    /**
     * The stream.
     *
     * @return the registration.
     */
    public WorkerRegistration registration()
    {
        return registration;
    }

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
     * The last error the listener met.
     *
     * @return the message, or null.
     */
    public String lastError()
    {
        return lastError;
    }

    /**
     * The seq of the last batch handed to the index.
     *
     * @return the seq, -1 before the first.
     */
    public long lastSeq()
    {
        return lastSeq;
    }

    /**
     * When the last batch arrived.
     *
     * @return ms since the epoch, 0 before the first.
     */
    public long lastEventEpochMs()
    {
        return lastEventEpochMs;
    }

    /**
     * Whether the stream has been silent longer than the configured idle time (default 60 s): the usual cause is an
     * engine started without KV events enabled.
     *
     * @return true when idle.
     */
    public boolean idle()
    {
        return idle;
    }
}
