package io.kvindex.perf.e2e;

import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * Sends queries at a fixed offered rate from the calling thread, which spins: query {@code i} of a phase is due at
 * {@code start + i / rate}, and its latency is measured from that due time, not from when it could actually be sent
 * (coordinated omission corrected, as a client with a fixed arrival schedule would see it). A query that cannot be
 * sent when due (no free in-flight slot, back pressure) is retried after a poll and then the next ones catch up at
 * once, so a stall shows as the latency of every query due during it. Queries still unsent {@code drainNs} after
 * the end of the phase are given up (counted unsent); the load then waits for the answers in flight, at most
 * {@code answerWaitNs} more (the targets time queries out before that).
 */
final class FixedRateLoad
{
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long rate;
    private final int queryCount;
    private final long drainNs;
    private final long answerWaitNs;
    private final NanoClock clock = SystemNanoClock.INSTANCE;
    private int nextQuery;

    /**
     * A load over a workload's queries, taken in turn.
     *
     * @param rate       queries per second.
     * @param queryCount queries in the workload.
     * @param drainNs      how long after the end of the phase late queries may still be sent.
     * @param answerWaitNs how long after that the load waits for answers in flight.
     */
    FixedRateLoad(final long rate, final int queryCount, final long drainNs, final long answerWaitNs)
    {
        this.rate = rate;
        this.queryCount = queryCount;
        this.drainNs = drainNs;
        this.answerWaitNs = answerWaitNs;
    }

    /**
     * Run one phase (or a warm-up) against a target.
     *
     * @param target     where queries go.
     * @param result     where answers are recorded.
     * @param durationNs how long queries are due for.
     */
    void run(final LoadTarget target, final PhaseResult result, final long durationNs)
    {
        target.recordInto(result);
        final long gcCount = gcCount();
        final long gcMillis = gcMillis();
        final long planned = Math.max(1, (long)Math.ceil(durationNs * (double)rate / NANOS_PER_SECOND));
        final long startNs = clock.nanoTime();
        final long endNs = startNs + durationNs;
        result.start(startNs);
        long sequence = 0;
        long intendedNs = startNs;
        final long sendDeadlineNs = endNs + drainNs;
        final long answerDeadlineNs = sendDeadlineNs + answerWaitNs;
        long nowNs;
        boolean sending;
        do
        {
            nowNs = clock.nanoTime();
            sending = sequence < planned && nowNs - sendDeadlineNs < 0;
            while (sending && intendedNs - nowNs <= 0 && target.send(nextQuery, intendedNs))
            {
                result.onSent();
                nextQuery = nextQuery + 1 == queryCount ? 0 : nextQuery + 1;
                sequence++;
                sending = sequence < planned;
                intendedNs = startNs + sequence * NANOS_PER_SECOND / rate;
            }
            target.poll();
        }
        while (sending || (target.inFlight() > 0 && nowNs - answerDeadlineNs < 0));
        result.end(nowNs, planned - sequence);
        result.gc(gcCount() - gcCount, gcMillis() - gcMillis);
    }

    static long gcCount()
    {
        long count = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }

    static long gcMillis()
    {
        long millis = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            millis += Math.max(0, gc.getCollectionTime());
        }
        return millis;
    }
}
