package io.kvindex.server.registry;

/**
 * A point-in-time view of one registered stream and its listener, for {@code GET /workers} and tools.
 */
public final class ListenerView
{
    private final WorkerRegistration registration;
    private final ListenerStatus status;
    private final String lastError;

    /**
     * A view.
     *
     * @param registration the stream.
     * @param status       its listener's state.
     * @param lastError    the last error, or null.
     */
    public ListenerView(final WorkerRegistration registration, final ListenerStatus status, final String lastError)
    {
        this.registration = registration;
        this.status = status;
        this.lastError = lastError;
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
}
