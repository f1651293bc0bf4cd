package io.kvindex.perf.trace;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drives simulated engines over a Mooncake trace in simulated time and records the KV events and overlap queries
 * that result, as a {@link ReplayStream}.
 * <p>
 * Workers form groups of {@code groupWorkers}; every group gets its own copy of the trace (hash ids stand for other
 * content per group, so groups share no block) and all copies run side by side: requests are taken in trace order
 * (timestamps, then file order), each request once per group, group 0 first. Within a group a request goes to the
 * worker holding the longest cached prefix of it, which is what find_matches on an index that applied every event so
 * far answers (computed from the engines directly); ties go to the worker with fewer requests so far, and a worker
 * more than {@code maxImbalance} requests above the group's least loaded one is skipped. Before its events, every
 * request is recorded as a query of its local hashes, with the answer the engines imply.
 */
public final class TraceReplay
{
    /** Default engine capacity in blocks. */
    public static final int DEFAULT_ENGINE_BLOCKS = 16_384;

    /** Default workers per group. */
    public static final int DEFAULT_GROUP_WORKERS = 16;

    /** Default bound on how far a worker's request count may run ahead of its group's least loaded worker. */
    public static final int DEFAULT_MAX_IMBALANCE = 32;

    private TraceReplay()
    {
    }

    /**
     * Record the stream.
     *
     * @param trace        the trace.
     * @param workers      number of workers, a multiple of {@code groupWorkers} (or fewer than it: one group).
     * @param groupWorkers workers per group.
     * @param engineBlocks capacity of every engine in blocks.
     * @param maxImbalance how many requests a worker may be ahead of the least loaded worker of its group.
     * @param progress     set to the number of trace requests done (all groups), or null.
     * @return the stream.
     */
    public static ReplayStream record(
        final MooncakeTrace trace,
        final int workers,
        final int groupWorkers,
        final int engineBlocks,
        final int maxImbalance,
        final AtomicInteger progress)
    {
        return record(trace, workers, groupWorkers, engineBlocks, maxImbalance, 1, progress);
    }

    /**
     * Record the stream of several laps of the trace, one after the other on the same engines. Every lap stands for
     * new content (its hash ids mean other blocks than in earlier laps, as for another group), so the engines keep
     * evicting: a long replay with steady churn.
     *
     * @param trace        the trace.
     * @param workers      number of workers, a multiple of {@code groupWorkers} (or fewer than it: one group).
     * @param groupWorkers workers per group.
     * @param engineBlocks capacity of every engine in blocks.
     * @param maxImbalance how many requests a worker may be ahead of the least loaded worker of its group.
     * @param laps         how many times the trace is replayed, at least 1.
     * @param progress     set to the number of trace requests done (all groups and laps), or null.
     * @return the stream.
     */
    public static ReplayStream record(
        final MooncakeTrace trace,
        final int workers,
        final int groupWorkers,
        final int engineBlocks,
        final int maxImbalance,
        final int laps,
        final AtomicInteger progress)
    {
        final int perGroup = Math.min(workers, groupWorkers);
        if (workers < 1 || workers % perGroup != 0)
        {
            throw new IllegalArgumentException("workers (" + workers + ") must be a multiple of " + perGroup);
        }
        final int groups = workers / perGroup;
        final SimulatedEngine[] engines = new SimulatedEngine[workers];
        for (int w = 0; w < workers; w++)
        {
            engines[w] = new SimulatedEngine(ReplayStream.WORKER_ID_BASE + w, engineBlocks, Hashes.mix64(w + 1));
        }
        final ReplayStream stream = new ReplayStream(workers);
        final Recorder recorder = new Recorder(stream);
        final long[] localHashes = new long[maxBlocks(trace)];
        final int[] matched = new int[perGroup];
        final long[] routed = new long[workers];

        for (int lapRequest = 0, requests = trace.requestCount(); lapRequest < requests * laps; lapRequest++)
        {
            if (null != progress)
            {
                progress.lazySet(lapRequest);
            }
            final int r = lapRequest % requests;
            final int lap = lapRequest / requests;
            for (int g = 0; g < groups; g++)
            {
                final int count = trace.localHashes(r, lap * groups + g, localHashes);
                if (count == 0)
                {
                    continue;
                }
                final int first = g * perGroup;
                long digest = 0;
                int walked = 0;
                long minRouted = Long.MAX_VALUE;
                for (int i = 0; i < perGroup; i++)
                {
                    final SimulatedEngine engine = engines[first + i];
                    matched[i] = engine.matchedBlocks(localHashes, count);
                    walked = Math.max(walked, matched[i]);
                    minRouted = Math.min(minRouted, routed[first + i]);
                    if (matched[i] > 0)
                    {
                        digest += AnswerDigest.entry(engine.workerId(), 0, matched[i], engine.cachedBlocks());
                    }
                }
                stream.addQuery(localHashes, count, digest, walked);

                int best = -1;
                for (int i = 0; i < perGroup; i++)
                {
                    final long load = routed[first + i];
                    if (load - minRouted <= maxImbalance &&
                        (best < 0 || matched[i] > matched[best] ||
                        (matched[i] == matched[best] && load < routed[first + best])))
                    {
                        best = i;
                    }
                }
                routed[first + best]++;
                recorder.worker = first + best;
                engines[first + best].admit(localHashes, count, recorder);
            }
        }
        return stream;
    }

    private static int maxBlocks(final MooncakeTrace trace)
    {
        int max = 1;
        for (int r = 0, requests = trace.requestCount(); r < requests; r++)
        {
            max = Math.max(max, trace.fullBlocks(r));
        }
        return max;
    }

    private static final class Recorder implements EngineEventListener
    {
        private final ReplayStream stream;
        int worker;

        Recorder(final ReplayStream stream)
        {
            this.stream = stream;
        }

        public void onRemoved(final long workerId, final long[] engineHashes, final int count)
        {
            stream.addRemoved(worker, engineHashes, count);
        }

        public void onStored(
            final long workerId,
            final boolean hasParent,
            final long parentEngineHash,
            final long[] engineHashes,
            final long[] localHashes,
            final int offset,
            final int count)
        {
            stream.addStored(worker, hasParent, parentEngineHash, engineHashes, localHashes, offset, count);
        }
    }
}
