package io.kvindex.index;

/**
 * Counts of applied events by {@link EventType} and {@link EventStatus}. Written by the index's single writer;
 * other threads read values that may lag by a few events.
 */
public final class EventCounters
{
    private final long[] counts = new long[EventType.COUNT * EventStatus.COUNT];

    /**
     * Count one event.
     *
     * @param type   an {@link EventType}.
     * @param status an {@link EventStatus}.
     * @return the status, for chaining in a return statement.
     */
    public int record(final int type, final int status)
    {
        counts[type * EventStatus.COUNT + status]++;
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
        return counts[type * EventStatus.COUNT + status];
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
        System.arraycopy(other.counts, 0, counts, 0, counts.length);
    }
}
