package io.kvindex.perf.trace;

import io.kvindex.index.BlockIndex;
import io.kvindex.index.EventStatus;
import io.kvindex.index.OverlapScores;
import org.HdrHistogram.Histogram;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Applies a {@link ReplayStream} to an index, either on the calling thread in stream order (answers deterministic),
 * or with the events on a writer thread and the queries on the calling thread, each query waiting until the writer
 * has applied every event recorded more than {@code lagOps} ops before it, as a router sees engine events a little
 * late (answers are then not deterministic).
 */
public final class StreamReplayer
{
    private final ReplayStream stream;
    private final long[] engineHashes;
    private final long[] localHashes;
    private final long[] queryHashes;
    private final OverlapScores scores;
    private final AtomicInteger writerPosition = new AtomicInteger();
    private final AtomicInteger progress = new AtomicInteger();
    private long failedEvents;
    private long queryNanos;

    /**
     * A replayer of one stream.
     *
     * @param stream the stream.
     */
    public StreamReplayer(final ReplayStream stream)
    {
        this.stream = stream;
        final int max = Math.max(1, stream.maxCount());
        engineHashes = new long[max];
        localHashes = new long[max];
        queryHashes = new long[max];
        scores = new OverlapScores(Math.max(1, stream.workers()));
    }

    /**
     * Events the index did not apply with {@link EventStatus#OK} since this replayer was made.
     *
     * @return failed events.
     */
    public long failedEvents()
    {
        return failedEvents;
    }

    /**
     * Queries that ran again because the writer reused memory under them (see {@link OverlapScores#retries()}).
     *
     * @return retries since this replayer was made.
     */
    public long queryRetries()
    {
        return scores.retries();
    }

    /**
     * Nanoseconds spent inside find_matches (as timed per query) since this replayer was made.
     *
     * @return query nanoseconds.
     */
    public long queryNanos()
    {
        return queryNanos;
    }

    /**
     * Ops done in the current or last pass, updated every 4,096 ops; readable from any thread.
     *
     * @return ops done.
     */
    public int progress()
    {
        return progress.get();
    }

    /**
     * Drop every block of every worker of the stream (a Cleared event each), so the stream can replay from empty.
     *
     * @param index the index.
     */
    public void clear(final BlockIndex index)
    {
        for (int w = 0; w < stream.workers(); w++)
        {
            index.clear(ReplayStream.WORKER_ID_BASE + w);
        }
    }

    /**
     * Replay every op on this thread, in order.
     *
     * @param index     the index.
     * @param latencies receives each find_matches latency in ns, or null.
     * @param digests   receives each query's {@link AnswerDigest}, or null.
     * @return elapsed nanoseconds.
     */
    public long replay(final BlockIndex index, final Histogram latencies, final long[] digests)
    {
        return replayRange(index, 0, stream.ops(), 0, latencies, digests);
    }

    /**
     * Replay ops {@code [from, to)} on this thread, in order.
     *
     * @param index      the index.
     * @param from       first op.
     * @param to         one past the last op.
     * @param firstQuery the number of the first query at or after {@code from} (queries before it in the stream).
     * @param latencies  receives each find_matches latency in ns, or null.
     * @param digests    receives each query's {@link AnswerDigest} at its query number, or null.
     * @return elapsed nanoseconds.
     */
    public long replayRange(
        final BlockIndex index,
        final int from,
        final int to,
        final int firstQuery,
        final Histogram latencies,
        final long[] digests)
    {
        final long start = System.nanoTime();
        int query = firstQuery;
        for (int i = from; i < to; i++)
        {
            if ((i & 4095) == 0)
            {
                progress.lazySet(i);
            }
            if (ReplayStream.QUERY == stream.kind(i))
            {
                final long took = query(index, i);
                if (null != latencies)
                {
                    latencies.recordValue(took);
                }
                if (null != digests)
                {
                    digests[query] = AnswerDigest.of(scores);
                }
                query++;
            }
            else
            {
                apply(index, i);
            }
        }
        progress.lazySet(to);
        return System.nanoTime() - start;
    }

    /**
     * Replay one pass paced by a schedule: op {@code i} of the pass does not start before
     * {@code pacer.intendedStart(firstOp + i)}. A query's response time runs from that intended start to its end, so
     * time spent waiting behind a late schedule counts (no coordinated omission); its service time is find_matches
     * alone. The pass stops early at the deadline: when the next op is due after it, or (checked every 1,024 ops)
     * when it has passed.
     *
     * @param index    the index.
     * @param pacer    the schedule.
     * @param firstOp  the schedule position of this pass's first op.
     * @param deadline {@link System#nanoTime()} after which no op starts.
     * @param service  receives each find_matches service time in ns.
     * @param response receives each query's response time in ns.
     * @return ops done: {@link ReplayStream#ops()} unless the deadline came first.
     */
    public int replayPaced(
        final BlockIndex index,
        final RatePacer pacer,
        final long firstOp,
        final long deadline,
        final Histogram service,
        final Histogram response)
    {
        final int ops = stream.ops();
        for (int i = 0; i < ops; i++)
        {
            final long intended = pacer.intendedStart(firstOp + i);
            if (intended - deadline > 0 || ((i & 1023) == 0 && System.nanoTime() - deadline > 0))
            {
                progress.lazySet(i);
                return i;
            }
            if ((i & 4095) == 0)
            {
                progress.lazySet(i);
            }
            while (System.nanoTime() < intended)
            {
                Thread.onSpinWait();
            }
            if (ReplayStream.QUERY == stream.kind(i))
            {
                final long took = query(index, i);
                service.recordValue(took);
                response.recordValue(Math.max(took, System.nanoTime() - intended));
            }
            else
            {
                apply(index, i);
            }
        }
        progress.lazySet(ops);
        return ops;
    }

    /**
     * Apply the events of ops {@code [from, to)} in order and hand each query to a probe instead of find_matches
     * (for diagnostics that must see the index as each query would).
     *
     * @param index      the index.
     * @param from       first op.
     * @param to         one past the last op.
     * @param firstQuery the number of the first query at or after {@code from}.
     * @param probe      called for every query.
     */
    public void probeRange(
        final BlockIndex index, final int from, final int to, final int firstQuery, final QueryProbe probe)
    {
        int query = firstQuery;
        for (int i = from; i < to; i++)
        {
            if (ReplayStream.QUERY == stream.kind(i))
            {
                probe.onQuery(index, i, query++);
            }
            else
            {
                apply(index, i);
            }
        }
    }

    /**
     * Sees each query of {@link #probeRange} in place of find_matches.
     */
    @FunctionalInterface
    public interface QueryProbe
    {
        /**
         * A query, with the index in the state the query would see.
         *
         * @param index the index.
         * @param op    the query's op index in the stream.
         * @param query the query's number.
         */
        void onQuery(BlockIndex index, int op, int query);
    }

    /**
     * Replay with events on a new writer thread and queries on this thread.
     *
     * @param index     the index; its find_matches must be safe against one concurrent writer.
     * @param latencies receives each find_matches latency in ns, or null.
     * @param lagOps    how many ops before a query the writer may still be working on.
     * @return elapsed nanoseconds, until both threads are done.
     */
    public long replayConcurrently(final BlockIndex index, final Histogram latencies, final int lagOps)
    {
        writerPosition.set(0);
        final Thread writer = new Thread(() -> applyEvents(index), "replay-writer");
        final long start = System.nanoTime();
        writer.start();
        for (int i = 0, ops = stream.ops(); i < ops; i++)
        {
            if ((i & 4095) == 0)
            {
                progress.lazySet(i);
            }
            if (ReplayStream.QUERY == stream.kind(i))
            {
                while (writerPosition.get() < i - lagOps)
                {
                    Thread.onSpinWait();
                }
                final long took = query(index, i);
                if (null != latencies)
                {
                    latencies.recordValue(took);
                }
            }
        }
        try
        {
            writer.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
        progress.lazySet(stream.ops());
        return System.nanoTime() - start;
    }

    private void applyEvents(final BlockIndex index)
    {
        for (int i = 0, ops = stream.ops(); i < ops; i++)
        {
            if (ReplayStream.QUERY != stream.kind(i))
            {
                apply(index, i);
            }
            writerPosition.lazySet(i + 1);
        }
    }

    private long query(final BlockIndex index, final int i)
    {
        final int count = stream.count(i);
        System.arraycopy(stream.data(), stream.offset(i), queryHashes, 0, count);
        final long start = System.nanoTime();
        index.findMatches(queryHashes, count, scores);
        final long took = System.nanoTime() - start;
        queryNanos += took;
        return took;
    }

    private void apply(final BlockIndex index, final int i)
    {
        final long[] data = stream.data();
        final int offset = stream.offset(i);
        final int count = stream.count(i);
        final long workerId = ReplayStream.WORKER_ID_BASE + stream.worker(i);
        final int status;
        if (ReplayStream.REMOVED == stream.kind(i))
        {
            System.arraycopy(data, offset, engineHashes, 0, count);
            status = index.remove(workerId, 0, engineHashes, count);
        }
        else
        {
            System.arraycopy(data, offset + 1, engineHashes, 0, count);
            System.arraycopy(data, offset + 1 + count, localHashes, 0, count);
            status = index.store(workerId, 0, ReplayStream.STORED_UNDER_PARENT == stream.kind(i), data[offset],
                engineHashes, localHashes, count);
        }
        if (EventStatus.OK != status)
        {
            failedEvents++;
        }
    }
}
