package io.kvindex.index;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * Counts of applied events by {@link EventType} and {@link EventStatus}. Written by the index's single writer with
 * release semantics (a plain store on x86); other threads, and other processes when the counters live in a
 * {@link CountersManager}'s mapped file, read values that may lag by a few events.
 */
public final class EventCounters implements AutoCloseable
{
    /** Agrona counter type id of these counters in a counters file. */
    public static final int EVENTS_APPLIED_TYPE_ID = 1001;

    private static final int SIZE = EventType.COUNT * EventStatus.COUNT;

    private final AtomicBuffer values;
    private final int[] offsets = new int[SIZE];
    private final int[] counterIds;
    private final CountersManager manager;

    /**
     * Counters private to this process, on the heap.
     */
    public EventCounters()
    {
        values = new UnsafeBuffer(new byte[SIZE * Long.BYTES]);
        for (int i = 0; i < SIZE; i++)
        {
            offsets[i] = i * Long.BYTES;
        }
        counterIds = null;
        manager = null;
    }

    /**
     * Counters allocated in a counters file, labelled {@code events applied: <type> <status> - <owner>}.
     *
     * @param manager the counters file's allocator.
     * @param owner   what the counters belong to, e.g. {@code llama:default}.
     */
    public EventCounters(final CountersManager manager, final String owner)
    {
        this.manager = manager;
        this.values = manager.valuesBuffer();
        counterIds = new int[SIZE];
        int allocated = 0;
        try
        {
            for (int type = 0; type < EventType.COUNT; type++)
            {
                for (int status = 0; status < EventStatus.COUNT; status++)
                {
                    final int id = manager.allocate("events applied: " + EventType.name(type) + " " +
                        EventStatus.name(status) + " - " + owner, EVENTS_APPLIED_TYPE_ID);
                    counterIds[allocated] = id;
                    offsets[allocated++] = CountersReader.counterOffset(id);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            for (int i = 0; i < allocated; i++)
            {
                manager.free(counterIds[i]);
            }
            throw ex;
        }
    }

    /**
     * Count one event.
     *
     * @param type   an {@link EventType}.
     * @param status an {@link EventStatus}.
     * @return the status, for chaining in a return statement.
     */
    public int record(final int type, final int status)
    {
        final int offset = offsets[type * EventStatus.COUNT + status];
        values.putLongRelease(offset, values.getLong(offset) + 1);
        return status;
    }

    /**
     * Events of a type that ended with a status.
     *
     * @param type   an {@link EventType}.
     * @param status an {@link EventStatus}.
     * @return the count.
     */
    public long get(final int type, final int status)
    {
        return values.getLongVolatile(offsets[type * EventStatus.COUNT + status]);
    }

    /**
     * Events of a type, any status.
     *
     * @param type an {@link EventType}.
     * @return the count.
     */
    public long total(final int type)
    {
        long sum = 0;
        for (int status = 0; status < EventStatus.COUNT; status++)
        {
            sum += get(type, status);
        }
        return sum;
    }

    /**
     * Take every count from another set of counters, as when an index is rebuilt and replaces the original.
     *
     * @param other the counters to copy.
     */
    public void copyFrom(final EventCounters other)
    {
        for (int i = 0; i < SIZE; i++)
        {
            values.putLongRelease(offsets[i], other.values.getLongVolatile(other.offsets[i]));
        }
    }

    /**
     * Free the counters in the counters file, if they live in one.
     */
    @Override
    public void close()
    {
        if (null != manager)
        {
            for (final int id : counterIds)
            {
                manager.free(id);
            }
        }
    }
}
