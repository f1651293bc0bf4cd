package io.kvindex.perf.trace;

/**
 * The schedule of a paced replay: op {@code n} is due {@code n / rate} seconds after the start. Time the caller
 * spends outside the replay (clearing the index between passes) is taken out with {@link #pause(long)}, so the
 * schedule neither demands a burst afterwards nor forgives a backlog built before.
 */
public final class RatePacer
{
    private final double opsPerSecond;
    private final double nanosPerOp;
    private long startNanos;

    /**
     * A schedule at a rate.
     *
     * @param opsPerSecond the offered rate, ops per second, above 0.
     */
    public RatePacer(final double opsPerSecond)
    {
        if (!(opsPerSecond > 0) || Double.isInfinite(opsPerSecond))
        {
            throw new IllegalArgumentException("rate must be positive and finite: " + opsPerSecond);
        }
        this.opsPerSecond = opsPerSecond;
        this.nanosPerOp = 1e9 / opsPerSecond;
    }

    /**
     * The offered rate.
     *
     * @return ops per second.
     */
    public double opsPerSecond()
    {
        return opsPerSecond;
    }

    /**
     * Start the schedule: op 0 is due now.
     *
     * @param nowNanos the current {@link System#nanoTime()}.
     */
    public void start(final long nowNanos)
    {
        startNanos = nowNanos;
    }

    /**
     * When an op is due.
     *
     * @param op the op's position in the schedule, from 0.
     * @return its intended start, in {@link System#nanoTime()} terms.
     */
    public long intendedStart(final long op)
    {
        return startNanos + (long)(op * nanosPerOp);
    }

    /**
     * Move the rest of the schedule later by time spent outside the replay.
     *
     * @param nanos the pause.
     */
    public void pause(final long nanos)
    {
        startNanos += nanos;
    }

    /**
     * A rate from a count and the time it took.
     *
     * @param ops   ops done.
     * @param nanos time taken.
     * @return ops per second, 0 when no time passed.
     */
    public static double rate(final long ops, final long nanos)
    {
        return nanos > 0 ? ops * 1e9 / nanos : 0;
    }
}
