package io.kvindex.perf.routing;

import io.kvindex.index.OverlapScores;
import io.kvindex.perf.trace.EngineEventListener;
import io.kvindex.perf.trace.MooncakeTrace;
import io.kvindex.perf.trace.SimulatedEngine;
import io.kvindex.router.OverlapSource;
import io.kvindex.router.Router;
import io.kvindex.router.RouterContext;
import io.kvindex.router.RouterMode;
import io.kvindex.router.RoutingDecision;
import io.kvindex.router.RoutingStatus;
import io.kvindex.router.Worker;
import io.kvindex.router.WorkerSet;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.CachedNanoClock;

import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Replays a Mooncake trace through a {@link Router} in front of simulated engines, in simulated time, on one thread.
 * Each engine is a {@link SimulatedEngine} prefix cache (LRU, 512-token blocks) with a prefill queue: a request starts
 * when the engine is free, prefills its uncached tokens at a fixed rate (its first token is then out: the router is
 * told the prefill completed) and is freed after its output tokens at a fixed decode time each. In kv mode the
 * router's overlaps are what an index fed by the engines' KV events answers: each engine's cached prefix, asked of the
 * engines directly (no indexer process, no event transport). Measures prefix hit rate, simulated TTFT and the wall
 * time of each routing call.
 */
public final class RoutingSimulation
{
    private static final long NANOS_PER_MS = 1_000_000L;
    private static final EngineEventListener NO_EVENTS = new EngineEventListener()
    {
        public void onRemoved(final long workerId, final long[] engineHashes, final int count)
        {
        }

        public void onStored(final long workerId, final boolean hasParent, final long parentEngineHash,
            final long[] engineHashes, final long[] localHashes, final int offset, final int count)
        {
        }
    };

    /** Outcome of one policy's run. */
    public static final class Result
    {
        /** Policy name as the JSON key. */
        public String policy;
        /** Requests routed. */
        public long requests;
        /** Cached blocks reused over prompt blocks. */
        public double hitRate;
        /** Simulated time to first token, ms. */
        public final Histogram ttftMs = new Histogram(3);
        /** Wall time per routing call, ns. */
        public final Histogram decisionNs = new Histogram(3);
        /** Wall time spent in routing calls, ns. */
        public long routingNs;
    }

    private final MooncakeTrace trace;
    private final int requestCount;
    private final int engines;
    private final int engineBlocks;
    private final double timeScale;
    private final double prefillTokensPerMs;
    private final double decodeMsPerToken;

    /**
     * @param trace              the trace.
     * @param requestCount       requests to replay from the start.
     * @param engines            number of engines.
     * @param engineBlocks       cache capacity of each engine in blocks.
     * @param timeScale          trace time divided by this (2 = twice the arrival rate).
     * @param prefillTokensPerMs prefill rate of one engine.
     * @param decodeMsPerToken   decode time per output token.
     */
    public RoutingSimulation(final MooncakeTrace trace, final int requestCount, final int engines,
        final int engineBlocks, final double timeScale, final double prefillTokensPerMs, final double decodeMsPerToken)
    {
        this.trace = trace;
        this.requestCount = Math.min(requestCount, trace.requestCount());
        this.engines = engines;
        this.engineBlocks = engineBlocks;
        this.timeScale = timeScale;
        this.prefillTokensPerMs = prefillTokensPerMs;
        this.decodeMsPerToken = decodeMsPerToken;
    }

    /**
     * Requests in the first minutes of a trace.
     *
     * @param trace   the trace.
     * @param minutes trace minutes.
     * @return the request count.
     */
    public static int requestsWithin(final MooncakeTrace trace, final double minutes)
    {
        int n = 0;
        while (n < trace.requestCount() && trace.timestampMs(n) < minutes * 60_000)
        {
            n++;
        }
        return n;
    }

    /**
     * Run one policy.
     *
     * @param policy {@code kv}, {@code approx}, {@code round_robin}, {@code random} or {@code least_loaded}.
     * @return the result.
     */
    public Result run(final String policy)
    {
        final SimulatedEngine[] caches = new SimulatedEngine[engines];
        final long[] busyUntilNs = new long[engines];
        final WorkerSet workers = new WorkerSet();
        for (int i = 0; i < engines; i++)
        {
            caches[i] = new SimulatedEngine(i + 1, engineBlocks, 0x5EED + i);
            workers.add(Worker.of(i + 1, 0));
        }
        final CachedNanoClock clock = new CachedNanoClock();
        final RouterContext ctx = new RouterContext()
            .blockSize(MooncakeTrace.BLOCK_SIZE)
            .workerSet(workers)
            .nanoClock(clock)
            .queueThreshold(-1)
            .random(new SplittableRandom(42));
        switch (policy)
        {
            case "kv" -> ctx.mode(RouterMode.KV).overlapSource(new EngineOverlaps(caches));
            case "approx" -> ctx.mode(RouterMode.KV).kvEvents(false);
            case "round_robin" -> ctx.mode(RouterMode.ROUND_ROBIN);
            case "random" -> ctx.mode(RouterMode.RANDOM);
            case "least_loaded" -> ctx.mode(RouterMode.LEAST_LOADED);
            default -> throw new IllegalArgumentException("unknown policy: " + policy);
        }
        final Result result = new Result();
        result.policy = policy;
        final PriorityQueue<long[]> pending = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
        final RoutingDecision decision = new RoutingDecision();
        final long[] hashes = new long[4096];
        long matchedBlocks = 0;
        long totalBlocks = 0;
        try (Router router = Router.launch(ctx))
        {
            for (int r = 0; r < requestCount; r++)
            {
                final long arrivalNs = (long)(trace.timestampMs(r) * NANOS_PER_MS / timeScale);
                drain(router, pending, clock, arrivalNs);
                clock.update(arrivalNs);
                final int count = trace.localHashes(r, 0, hashes);
                final int isl = Math.max(trace.inputLength(r), count * MooncakeTrace.BLOCK_SIZE);
                final long start = System.nanoTime();
                final RoutingStatus status = router.bestWorkerForHashes(hashes, count, isl, null, "r" + r, decision);
                final long took = System.nanoTime() - start;
                result.decisionNs.recordValue(took);
                result.routingNs += took;
                if (RoutingStatus.ROUTED != status)
                {
                    throw new IllegalStateException("request " + r + ": " + status);
                }
                final int engine = (int)decision.workerId() - 1;
                final int matched = caches[engine].admit(hashes, count, NO_EVENTS);
                matchedBlocks += matched;
                totalBlocks += count;
                final long newTokens = Math.max(0, isl - (long)matched * MooncakeTrace.BLOCK_SIZE);
                final long startNs = Math.max(arrivalNs, busyUntilNs[engine]);
                final long firstTokenNs = startNs + (long)(newTokens / prefillTokensPerMs * NANOS_PER_MS);
                busyUntilNs[engine] = firstTokenNs;
                result.ttftMs.recordValue(Math.max(1, (firstTokenNs - arrivalNs) / NANOS_PER_MS));
                pending.add(new long[]{ firstTokenNs, r, 0 });
                pending.add(new long[]{
                    firstTokenNs + (long)(trace.outputLength(r) * decodeMsPerToken * NANOS_PER_MS), r, 1 });
                result.requests++;
            }
        }
        result.hitRate = 0 == totalBlocks ? 0 : (double)matchedBlocks / totalBlocks;
        return result;
    }

    private static void drain(final Router router, final PriorityQueue<long[]> pending, final CachedNanoClock clock,
        final long untilNs)
    {
        while (!pending.isEmpty() && pending.peek()[0] <= untilNs)
        {
            final long[] event = pending.poll();
            clock.update(event[0]);
            final String id = "r" + event[1];
            if (0 == event[2])
            {
                router.markPrefillComplete(id);
            }
            else
            {
                router.free(id);
            }
        }
        router.doWork();
    }

    /**
     * Overlaps as an index fed by the engines' KV events would answer them: each engine's cached prefix.
     */
    private static final class EngineOverlaps implements OverlapSource
    {
        private final SimulatedEngine[] engines;

        EngineOverlaps(final SimulatedEngine[] engines)
        {
            this.engines = engines;
        }

        public boolean findOverlaps(final long[] localHashes, final int count, final OverlapScores scores)
        {
            scores.reset();
            for (final SimulatedEngine engine : engines)
            {
                final int matched = engine.matchedBlocks(localHashes, count);
                if (matched > 0)
                {
                    scores.add(engine.workerId(), 0, matched, engine.cachedBlocks());
                }
            }
            return true;
        }
    }
}
