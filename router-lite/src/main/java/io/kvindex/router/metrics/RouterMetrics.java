package io.kvindex.router.metrics;

import io.kvindex.router.Router;
import io.kvindex.router.WorkerLoadConsumer;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The router's metrics of spec/dynamo-compat.md section 5: {@code router_requests_total}, the predicted
 * {@code router_kv_hit_rate} histogram, the {@code router_overhead_*_ms} histograms, {@code
 * router_queue_pending_requests} and per worker rank {@code worker_active_decode_blocks} and {@code
 * worker_active_prefill_tokens}. The router records on its thread without allocating (set it with
 * {@code RouterContext.routerMetrics}); any thread renders the Prometheus text exposition with
 * {@link #writeMetrics(Appendable)}, e.g. an HTTP {@code /metrics} handler. Worker gauges are sampled by the router's
 * duty cycle at most every {@link #sampleIntervalNs()}; the last sample is what is rendered.
 */
public final class RouterMetrics
{
    /** Default interval between samples of the worker gauges. */
    public static final long SAMPLE_INTERVAL_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private static final double NANOS_PER_MILLI = 1e-6;
    private static final double[] MS_BOUNDS =
    {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000
    };
    private static final double[] HIT_RATE_BOUNDS = { 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1 };

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();
    private final BucketHistogram hitRate = new BucketHistogram(
        "router_kv_hit_rate", "Predicted KV cache hit rate of routed requests (overlap blocks / request blocks).",
        HIT_RATE_BOUNDS, 1.0);
    private final BucketHistogram hashing = msHistogram("block_hashing", "hashing the prompt into blocks");
    private final BucketHistogram findMatches = msHistogram("indexer_find_matches", "asking the index for overlaps");
    private final BucketHistogram scheduling = msHistogram("scheduling", "scoring and selecting a worker");
    private final BucketHistogram total = msHistogram("total", "hashing, overlaps and selection together");
    private final WorkerSampler sampler = new WorkerSampler();
    private final long sampleIntervalNs;
    private volatile WorkerSample published = new WorkerSample();
    private WorkerSample spare = new WorkerSample();
    private long nextSampleNs = Long.MIN_VALUE;

    /**
     * Metrics with the default sample interval.
     */
    public RouterMetrics()
    {
        this(SAMPLE_INTERVAL_DEFAULT_NS);
    }

    /**
     * Metrics with a given sample interval for the worker gauges.
     *
     * @param sampleIntervalNs nanoseconds between samples; 0 samples on every duty cycle.
     */
    public RouterMetrics(final long sampleIntervalNs)
    {
        this.sampleIntervalNs = sampleIntervalNs;
    }

    /**
     * Interval between samples of the worker gauges.
     *
     * @return nanoseconds.
     */
    public long sampleIntervalNs()
    {
        return sampleIntervalNs;
    }

    /**
     * A routing decision was made. Router thread.
     *
     * @param hashingNs     time spent hashing the prompt.
     * @param findMatchesNs time spent getting overlaps.
     * @param schedulingNs  time spent scoring and selecting.
     * @param kvHitRate     predicted hit rate, 0..1.
     */
    public void onRouted(final long hashingNs, final long findMatchesNs, final long schedulingNs,
        final double kvHitRate)
    {
        requests.lazySet(requests.get() + 1);
        hitRate.record(kvHitRate);
        hashing.record(hashingNs);
        findMatches.record(findMatchesNs);
        scheduling.record(schedulingNs);
        total.record(hashingNs + findMatchesNs + schedulingNs);
    }

    /**
     * The router's duty cycle: sample the queue and worker gauges when the interval is up. Router thread.
     *
     * @param router the router.
     */
    public void onDutyCycle(final Router router)
    {
        final long nowNs = System.nanoTime();
        if (Long.MIN_VALUE == nextSampleNs || nowNs - nextSampleNs >= 0)
        {
            nextSampleNs = nowNs + sampleIntervalNs;
            sample(router);
        }
    }

    /**
     * Sample the queue and worker gauges now. Router thread.
     *
     * @param router the router.
     */
    public void sample(final Router router)
    {
        pending.lazySet(router.pendingRequests());
        final WorkerSample sample = spare;
        sample.size = 0;
        sampler.sample = sample;
        router.forEachCandidateLoad(sampler);
        spare = published;
        published = sample;
    }

    /**
     * Routing decisions recorded.
     *
     * @return {@code router_requests_total}.
     */
    public long requests()
    {
        return requests.get();
    }

    /**
     * Write every metric in the Prometheus text exposition format (version 0.0.4). Any thread.
     *
     * @param out where to write.
     * @throws IOException when the appendable fails.
     */
    public void writeMetrics(final Appendable out) throws IOException
    {
        out.append("# HELP router_requests_total Routing decisions made.\n");
        out.append("# TYPE router_requests_total counter\n");
        out.append("router_requests_total ").append(Long.toString(requests.get())).append('\n');
        hitRate.render(out);
        hashing.render(out);
        findMatches.render(out);
        scheduling.render(out);
        total.render(out);
        out.append("# HELP router_queue_pending_requests Requests waiting for a worker below the queue threshold.\n");
        out.append("# TYPE router_queue_pending_requests gauge\n");
        out.append("router_queue_pending_requests ").append(Long.toString(pending.get())).append('\n');
        final WorkerSample sample = published;
        final int size = sample.size;
        writeWorkerGauge(out, "worker_active_decode_blocks",
            "Distinct KV blocks held by requests booked on the worker (all replicas).", sample, size, true);
        writeWorkerGauge(out, "worker_active_prefill_tokens",
            "Tokens of booked requests on the worker whose prefill has not completed.", sample, size, false);
    }

    /**
     * The exposition as a String, for tests and tools.
     *
     * @return the text.
     */
    public String metricsText()
    {
        final StringBuilder sb = new StringBuilder(8192);
        try
        {
            writeMetrics(sb);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
        return sb.toString();
    }

    private static void writeWorkerGauge(
        final Appendable out,
        final String name,
        final String help,
        final WorkerSample sample,
        final int size,
        final boolean blocks) throws IOException
    {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
        for (int i = 0; i < size; i++)
        {
            out.append(name).append("{worker_id=\"").append(Long.toUnsignedString(sample.workerIds[i]))
                .append("\",dp_rank=\"").append(Integer.toString(sample.dpRanks[i])).append("\"} ")
                .append(Long.toString(blocks ? sample.blocks[i] : sample.prefillTokens[i])).append('\n');
        }
    }

    private static BucketHistogram msHistogram(final String part, final String what)
    {
        return new BucketHistogram("router_overhead_" + part + "_ms", "Time per routing decision spent " + what +
            ", in milliseconds.", MS_BOUNDS, NANOS_PER_MILLI);
    }

    /**
     * One sample of the worker gauges; two alternate, so the renderer reads one while the router fills the other.
     */
    static final class WorkerSample
    {
        long[] workerIds = new long[16];
        int[] dpRanks = new int[16];
        long[] blocks = new long[16];
        long[] prefillTokens = new long[16];
        int size;

        void add(final long workerId, final int dpRank, final long activeBlocks, final long activePrefillTokens)
        {
            if (size == workerIds.length)
            {
                workerIds = Arrays.copyOf(workerIds, size * 2);
                dpRanks = Arrays.copyOf(dpRanks, size * 2);
                blocks = Arrays.copyOf(blocks, size * 2);
                prefillTokens = Arrays.copyOf(prefillTokens, size * 2);
            }
            workerIds[size] = workerId;
            dpRanks[size] = dpRank;
            blocks[size] = activeBlocks;
            prefillTokens[size] = activePrefillTokens;
            size++;
        }
    }

    private static final class WorkerSampler implements WorkerLoadConsumer
    {
        WorkerSample sample;

        public void accept(final long workerId, final int dpRank, final long activeBlocks,
            final long activePrefillTokens)
        {
            sample.add(workerId, dpRank, activeBlocks, activePrefillTokens);
        }
    }
}
