package io.kvindex.server.registry;

import java.util.ArrayList;
import java.util.List;

/**
 * The registered engine streams and the state of their listeners. Small and changed rarely (registrations,
 * listener state changes), so it is a synchronized list in registration order; never on the per-event path.
 */
public final class WorkerRegistry
{
    /** Matches every dp rank in {@link #remove(long, String, String, int)}. */
    public static final int ALL_RANKS = -1;

    private final List<Slot> slots = new ArrayList<>();

    private static final class Slot
    {
        private WorkerRegistration registration;
        private ListenerStatus status = ListenerStatus.PENDING;
        private String lastError;
        private FeedStatus feed;

        Slot(final WorkerRegistration registration)
        {
            this.registration = registration;
        }
    }

    /**
     * Add a stream, or replace the registration of the same stream (same owner and index).
     *
     * @param registration the stream.
     * @return the registration it replaced, or null when the stream is new.
     */
    public synchronized WorkerRegistration put(final WorkerRegistration registration)
    {
        for (final Slot slot : slots)
        {
            if (slot.registration.sameStream(registration))
            {
                final WorkerRegistration previous = slot.registration;
                if (!previous.equals(registration))
                {
                    slot.registration = registration;
                    slot.status = ListenerStatus.PENDING;
                    slot.lastError = null;
                    slot.feed = null;
                }
                return previous;
            }
        }
        slots.add(new Slot(registration));
        return null;
    }

    /**
     * Remove the streams of a worker.
     *
     * @param instanceId the worker id.
     * @param model      model name.
     * @param tenant     a tenant, or null for every tenant of the model.
     * @param dpRank     a rank, or {@link #ALL_RANKS} for the whole instance.
     * @return the registrations removed, empty when none matched.
     */
    public synchronized List<WorkerRegistration> remove(
        final long instanceId, final String model, final String tenant, final int dpRank)
    {
        final List<WorkerRegistration> removed = new ArrayList<>();
        slots.removeIf(slot ->
        {
            final WorkerRegistration r = slot.registration;
            final boolean match = r.instanceId() == instanceId && r.model().equals(model) &&
                (null == tenant || r.tenant().equals(tenant)) && (ALL_RANKS == dpRank || r.dpRank() == dpRank);
            if (match)
            {
                removed.add(r);
            }
            return match;
        });
        return removed;
    }

    /**
     * Record the state of a stream's listener; ignored when the stream is no longer registered.
     *
     * @param registration the stream.
     * @param status       the new state.
     * @param lastError    the error that caused it, or null.
     */
    public synchronized void status(
        final WorkerRegistration registration, final ListenerStatus status, final String lastError)
    {
        for (final Slot slot : slots)
        {
            if (slot.registration.sameStream(registration))
            {
                slot.status = status;
                if (null != lastError)
                {
                    slot.lastError = lastError;
                }
                if (null != slot.feed)
                {
                    slot.feed.status(status);
                    if (null != lastError)
                    {
                        slot.feed.lastError(lastError);
                    }
                }
                return;
            }
        }
    }

    /**
     * Attach the live state of a stream's feed: from then on its views show the feed's status, last error, last seq
     * and idle flag. Ignored when the stream is no longer registered.
     *
     * @param registration the stream.
     * @param feed         the state its feed writes.
     */
    public synchronized void attach(final WorkerRegistration registration, final FeedStatus feed)
    {
        for (final Slot slot : slots)
        {
            if (slot.registration.sameStream(registration))
            {
                slot.feed = feed;
                return;
            }
        }
    }

    /**
     * The registration of a stream.
     *
     * @param instanceId the worker id.
     * @param dpRank     the dp rank.
     * @param model      model name.
     * @param tenant     tenant.
     * @return the registration, or null when the stream is not registered.
     */
    public synchronized WorkerRegistration find(
        final long instanceId, final int dpRank, final String model, final String tenant)
    {
        for (final Slot slot : slots)
        {
            final WorkerRegistration r = slot.registration;
            if (r.instanceId() == instanceId && r.dpRank() == dpRank && r.model().equals(model) &&
                r.tenant().equals(tenant))
            {
                return r;
            }
        }
        return null;
    }

    /**
     * Every registered stream with its listener's state, in registration order.
     *
     * @return a new list of views.
     */
    public synchronized List<ListenerView> listeners()
    {
        final List<ListenerView> views = new ArrayList<>(slots.size());
        for (final Slot slot : slots)
        {
            final FeedStatus feed = slot.feed;
            views.add(null == feed ? new ListenerView(slot.registration, slot.status, slot.lastError) :
                new ListenerView(slot.registration, feed.status(), feed.lastError(), feed.lastSeq(),
                feed.lastBatchEpochMs(), feed.idle()));
        }
        return views;
    }

    /**
     * Number of registered streams.
     *
     * @return the count.
     */
    public synchronized int size()
    {
        return slots.size();
    }
}
