package io.kvindex.perf.trace;

import io.kvindex.index.BlockIndex;
import io.kvindex.perf.IndexFactory;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code tools/perf index}: records the Mooncake conversation trace as a stream of KV events and queries
 * ({@link TraceReplay}), then replays it against the off-heap index and the on-heap reference model in this JVM, and
 * prints throughput, find_matches latency, memory, GC and whether every answer matched. A progress line goes to
 * stderr every few seconds.
 * <p>
 * Each pass replays the whole stream from an empty index (every worker cleared, untimed, between passes). Pass 0 of
 * each implementation runs on one thread in stream order and records every answer: they must equal each other and
 * the engines' own state. Timed passes follow until {@code --seconds} is spent, on one thread by default; with
 * {@code --threads 2}, the first half on one thread, the second half with events on a writer thread and queries on
 * this one, a query waiting only
 * for events recorded more than {@code --lag-ops} ops before it. Block ops = blocks in Stored events +
 * hashes in Removed events + blocks walked by queries (per query, the most leading blocks any worker holds).
 */
public final class IndexReplayBenchmark
{
    private static final long PROGRESS_INTERVAL_MS = 5_000;

    private final Options options;
    private final ReplayStream stream;
    private final AtomicInteger recordProgress;
    private volatile String phase = "loading trace";
    private volatile StreamReplayer current;
    private volatile int passes;

    private IndexReplayBenchmark(final Options options, final ReplayStream stream, final AtomicInteger progress)
    {
        this.options = options;
        this.stream = stream;
        this.recordProgress = progress;
    }

    static final class Options
    {
        int workers = 16;
        int groupWorkers = TraceReplay.DEFAULT_GROUP_WORKERS;
        int engineBlocks = TraceReplay.DEFAULT_ENGINE_BLOCKS;
        int maxImbalance = TraceReplay.DEFAULT_MAX_IMBALANCE;
        int requests = Integer.MAX_VALUE;
        double seconds = 10;
        int threads = 1;
        int lagOps = 1024;
        boolean json;
        Path trace;
    }

    static final class Result
    {
        String kind;
        int threads;
        int passes;
        long nanos;
        long singlePasses;
        long singleNanos;
        Histogram latencies = new Histogram(3_600_000_000_000L, 3);
        Histogram singleLatencies = new Histogram(3_600_000_000_000L, 3);
        long[] digests;
        boolean matchesEngines;
        long bytes;
        long reservedBytes;
        long liveBlocks;
        long branchEntries;
        long memberships;
        long gcCount;
        long gcMillis;
        long failedEvents;
        long retries;
    }

    /**
     * Run the benchmark.
     *
     * @param args {@code [--workers N] [--seconds S] [--engine-blocks N] [--group-workers N] [--requests N]
     *             [--threads 1|2] [--lag-ops N] [--trace file] [--json]}.
     * @throws IOException when the trace cannot be read.
     */
    public static void main(final String[] args) throws IOException
    {
        final Options options = parse(args);
        if (null == options.trace)
        {
            options.trace = TraceFiles.conversationTrace();
        }
        if (null == options.trace || !options.trace.toFile().isFile())
        {
            System.err.println("perf index: skipped: Mooncake trace not found (" + TraceFiles.CONVERSATION_TRACE +
                " above the working directory; set KVINDEX_TRACE or --trace)");
            if (options.json)
            {
                System.out.println("{\"skipped\":true,\"reason\":\"trace not found\"}");
            }
            return;
        }

        final AtomicInteger progress = new AtomicInteger();
        final IndexReplayBenchmark benchmark = new IndexReplayBenchmark(options, null, progress);
        final Thread reporter = benchmark.startReporter();
        final long recordStart = System.nanoTime();
        final MooncakeTrace trace = MooncakeTrace.load(options.trace, options.requests);
        benchmark.phase = "recording";
        final ReplayStream stream = TraceReplay.record(trace, options.workers, options.groupWorkers,
            options.engineBlocks, options.maxImbalance, progress);
        final long recordNanos = System.nanoTime() - recordStart;
        reporter.interrupt();
        System.err.printf(Locale.ROOT, "perf index: recorded %,d requests x %d group(s) on %,d workers in %.1f s: " +
            "%,d events (%,d blocks stored, %,d removed), %,d queries (%,d blocks, %,d walked), stream %,d MiB%n",
            trace.requestCount(), options.workers / Math.min(options.workers, options.groupWorkers), options.workers,
            recordNanos / 1e9, stream.events(), stream.storedBlocks(), stream.removedBlocks(), stream.queries(),
            stream.queryBlocks(), stream.queryWalkedBlocks(), stream.bytes() >> 20);

        new IndexReplayBenchmark(options, stream, null).run(trace);
    }

    private void run(final MooncakeTrace trace)
    {
        final Thread reporter = startReporter();
        final Result offHeap = measure(IndexFactory.OFF_HEAP, options.threads);
        final Result reference = measure(IndexFactory.REFERENCE, 1);
        reporter.interrupt();
        final boolean answersMatch = Arrays.equals(offHeap.digests, reference.digests);
        if (!answersMatch)
        {
            System.err.println("perf index: ANSWERS DIFFER at query " + firstDifference(offHeap.digests,
                reference.digests));
        }
        print(trace, offHeap, reference, answersMatch);
    }

    private Result measure(final String kind, final int threads)
    {
        final Result result = new Result();
        result.kind = kind;
        result.threads = threads;
        phase = kind + " pass 0 (verify)";
        final long heapBefore = settledHeapUsed();
        final long capacity = Math.min(stream.storedBlocks(), (long)options.workers * options.engineBlocks) + 1024;
        final BlockIndex index = IndexFactory.create(kind, capacity, options.workers);
        try
        {
            final StreamReplayer replayer = new StreamReplayer(stream);
            current = replayer;
            passes = 0;
            result.digests = new long[stream.queries()];
            replayer.replay(index, null, result.digests);
            result.matchesEngines = matchesEngines(result.digests);
            result.memberships = IndexFactory.stat(index, IndexFactory.MEMBERSHIPS);
            result.bytes = IndexFactory.stat(index, IndexFactory.USED_BYTES);
            result.reservedBytes = IndexFactory.stat(index, IndexFactory.RESERVED_BYTES);
            result.liveBlocks = IndexFactory.stat(index, IndexFactory.LIVE_BLOCKS);
            result.branchEntries = IndexFactory.stat(index, IndexFactory.BRANCH_ENTRIES);
            if (result.bytes < 0)
            {
                result.bytes = settledHeapUsed() - heapBefore;
            }

            final long budget = (long)(options.seconds * 1e9);
            final long singleBudget = threads > 1 ? budget / 2 : budget;
            final long start = System.nanoTime();
            do
            {
                final boolean single = threads == 1 || System.nanoTime() - start < singleBudget;
                phase = kind + (single ? " 1 thread" : " " + threads + " threads");
                replayer.clear(index);
                final long gcCount = gcCount();
                final long gcMillis = gcMillis();
                if (single)
                {
                    result.singleNanos += replayer.replay(index, result.singleLatencies, null);
                    result.singlePasses++;
                }
                else
                {
                    result.nanos += replayer.replayConcurrently(index, result.latencies, options.lagOps);
                    result.passes++;
                }
                result.gcCount += gcCount() - gcCount;
                result.gcMillis += gcMillis() - gcMillis;
                passes++;
            }
            while (System.nanoTime() - start < budget || (threads > 1 && result.passes == 0));
            if (threads == 1)
            {
                result.passes = (int)result.singlePasses;
                result.nanos = result.singleNanos;
                result.latencies = result.singleLatencies;
            }
            result.failedEvents = replayer.failedEvents();
            result.retries = replayer.queryRetries();
            Reference.reachabilityFence(index);
        }
        finally
        {
            index.close();
            current = null;
        }
        return result;
    }

    private boolean matchesEngines(final long[] digests)
    {
        for (int q = 0; q < digests.length; q++)
        {
            if (digests[q] != stream.expectedDigest(q))
            {
                System.err.println("perf index: query " + q + " differs from the engines' state");
                return false;
            }
        }
        return true;
    }

    private static int firstDifference(final long[] a, final long[] b)
    {
        for (int i = 0; i < Math.min(a.length, b.length); i++)
        {
            if (a[i] != b[i])
            {
                return i;
            }
        }
        return Math.min(a.length, b.length);
    }

    private Thread startReporter()
    {
        final long start = System.nanoTime();
        final Thread thread = new Thread(() ->
        {
            try
            {
                while (!Thread.currentThread().isInterrupted())
                {
                    Thread.sleep(PROGRESS_INTERVAL_MS);
                    System.err.println(progressLine(start));
                }
            }
            catch (final InterruptedException ignore)
            {
                // stop reporting
            }
        }, "progress");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private String progressLine(final long start)
    {
        final double elapsed = (System.nanoTime() - start) / 1e9;
        if (null == stream)
        {
            return String.format(Locale.ROOT, "perf index: %s, %,d trace requests done, %.0f s", phase,
                recordProgress.get(), elapsed);
        }
        final StreamReplayer replayer = current;
        final int done = null == replayer ? 0 : replayer.progress();
        return String.format(Locale.ROOT, "perf index: %s, %d passes done, current pass %.0f%%, %.0f s", phase,
            passes, 100.0 * done / Math.max(1, stream.ops()), elapsed);
    }

    private void print(
        final MooncakeTrace trace, final Result offHeap, final Result reference, final boolean answersMatch)
    {
        final double ops = stream.events() + stream.queries();
        final double offHeapOps = rate(ops * offHeap.passes, offHeap.nanos);
        final double offHeapBlockOps = rate((double)stream.blockOps() * offHeap.passes, offHeap.nanos);
        final double singleBlockOps = rate((double)stream.blockOps() * offHeap.singlePasses, offHeap.singleNanos);
        final double referenceOps = rate(ops * reference.passes, reference.nanos);
        final double referenceBlockOps = rate((double)stream.blockOps() * reference.passes, reference.nanos);
        final long memberships = offHeap.memberships;
        final StringBuilder sb = new StringBuilder(1024).append('{');
        field(sb, "workers", options.workers);
        field(sb, "group_workers", Math.min(options.workers, options.groupWorkers));
        field(sb, "engine_blocks", options.engineBlocks);
        field(sb, "requests_per_group", trace.requestCount());
        field(sb, "events", stream.events());
        field(sb, "queries", stream.queries());
        field(sb, "stored_blocks", stream.storedBlocks());
        field(sb, "removed_blocks", stream.removedBlocks());
        field(sb, "query_blocks", stream.queryBlocks());
        field(sb, "walked_blocks", stream.queryWalkedBlocks());
        field(sb, "memberships_at_end", memberships);
        field(sb, "seconds", options.seconds);
        field(sb, "threads", offHeap.threads);
        field(sb, "lag_ops", options.lagOps);
        field(sb, "passes", offHeap.passes);
        field(sb, "ops_per_sec", Math.round(offHeapOps));
        field(sb, "block_ops_per_sec", Math.round(offHeapBlockOps));
        field(sb, "find_matches_p50_ns", offHeap.latencies.getValueAtPercentile(50));
        field(sb, "find_matches_p99_ns", offHeap.latencies.getValueAtPercentile(99));
        field(sb, "find_matches_p999_ns", offHeap.latencies.getValueAtPercentile(99.9));
        field(sb, "find_matches_max_ns", offHeap.latencies.getMaxValue());
        field(sb, "single_thread_passes", offHeap.singlePasses);
        field(sb, "single_thread_block_ops_per_sec", Math.round(singleBlockOps));
        field(sb, "single_thread_find_matches_p99_ns", offHeap.singleLatencies.getValueAtPercentile(99));
        field(sb, "bytes_per_membership", round2((double)offHeap.bytes / memberships));
        field(sb, "reserved_bytes_per_membership", round2((double)offHeap.reservedBytes / memberships));
        field(sb, "live_blocks_at_end", offHeap.liveBlocks);
        field(sb, "non_contiguous_children_at_end", offHeap.liveBlocks > 0 ?
            round2((double)offHeap.branchEntries / offHeap.liveBlocks) : 0);
        field(sb, "gc_count", offHeap.gcCount);
        field(sb, "gc_pause_ms", offHeap.gcMillis);
        field(sb, "query_retries", offHeap.retries);
        field(sb, "reference_passes", reference.passes);
        field(sb, "reference_ops_per_sec", Math.round(referenceOps));
        field(sb, "reference_block_ops_per_sec", Math.round(referenceBlockOps));
        field(sb, "reference_find_matches_p50_ns", reference.latencies.getValueAtPercentile(50));
        field(sb, "reference_find_matches_p99_ns", reference.latencies.getValueAtPercentile(99));
        field(sb, "reference_find_matches_p999_ns", reference.latencies.getValueAtPercentile(99.9));
        field(sb, "reference_bytes_per_membership", round2((double)reference.bytes / memberships));
        field(sb, "reference_gc_count", reference.gcCount);
        field(sb, "reference_gc_pause_ms", reference.gcMillis);
        field(sb, "speedup_vs_reference", round2(offHeapBlockOps / referenceBlockOps));
        field(sb, "single_thread_speedup_vs_reference", round2(singleBlockOps / referenceBlockOps));
        field(sb, "memory_ratio_vs_reference", round2((double)reference.bytes / offHeap.bytes));
        field(sb, "failed_events", offHeap.failedEvents + reference.failedEvents);
        field(sb, "answers_match_engines", offHeap.matchesEngines && reference.matchesEngines);
        sb.append("\"answers_match\":").append(answersMatch);
        sb.append(",\"machine\":\"").append(machine()).append("\"}");
        if (options.json)
        {
            System.out.println(sb);
        }
        else
        {
            System.out.printf(Locale.ROOT, "%s%noffheap (%d thread(s)): %,.0f ops/s, %,.0f block ops/s, " +
                "find_matches p50/p99/p99.9 %d/%d/%d ns, %.1f B per membership%n" +
                "reference (1 thread): %,.0f ops/s, %,.0f block ops/s, p50/p99/p99.9 %d/%d/%d ns, " +
                "%.1f B per membership%nspeedup %.2fx, memory %.2fx, answers match: %b%n%s%n", machine(),
                offHeap.threads, offHeapOps, offHeapBlockOps, offHeap.latencies.getValueAtPercentile(50),
                offHeap.latencies.getValueAtPercentile(99), offHeap.latencies.getValueAtPercentile(99.9),
                (double)offHeap.bytes / memberships, referenceOps, referenceBlockOps,
                reference.latencies.getValueAtPercentile(50), reference.latencies.getValueAtPercentile(99),
                reference.latencies.getValueAtPercentile(99.9), (double)reference.bytes / memberships,
                offHeapBlockOps / referenceBlockOps, (double)reference.bytes / offHeap.bytes, answersMatch, sb);
        }
    }

    private static void field(final StringBuilder sb, final String name, final Object value)
    {
        sb.append('"').append(name).append("\":").append(value).append(',');
    }

    private static double rate(final double count, final long nanos)
    {
        return nanos > 0 ? count * 1e9 / nanos : 0;
    }

    private static double round2(final double value)
    {
        return Double.isFinite(value) ? Math.round(value * 100) / 100.0 : -1;
    }

    private static long gcCount()
    {
        long count = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }

    private static long gcMillis()
    {
        long millis = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            millis += Math.max(0, gc.getCollectionTime());
        }
        return millis;
    }

    private static long settledHeapUsed()
    {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++)
        {
            System.gc();
            least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    private static String machine()
    {
        return "JDK " + System.getProperty("java.vm.version") + ", " + Runtime.getRuntime().availableProcessors() +
            " CPUs, max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB, " + System.getProperty("os.name") +
            " " + System.getProperty("os.arch");
    }

    static Options parse(final String[] args)
    {
        final Options options = new Options();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if ("--json".equals(arg))
            {
                options.json = true;
                continue;
            }
            if ("--help".equals(arg) || "-h".equals(arg))
            {
                usage(null);
            }
            final String value = ++i < args.length ? args[i].replace("_", "") : usage("missing value for " + arg);
            switch (arg)
            {
                case "--workers" -> options.workers = Integer.parseInt(value);
                case "--seconds" -> options.seconds = Double.parseDouble(value);
                case "--engine-blocks" -> options.engineBlocks = Integer.parseInt(value);
                case "--group-workers" -> options.groupWorkers = Integer.parseInt(value);
                case "--max-imbalance" -> options.maxImbalance = Integer.parseInt(value);
                case "--requests" -> options.requests = Integer.parseInt(value);
                case "--threads" -> options.threads = Integer.parseInt(value);
                case "--lag-ops" -> options.lagOps = Integer.parseInt(value);
                case "--trace" -> options.trace = Path.of(args[i]);
                default -> usage("unknown option " + arg);
            }
        }
        if (options.threads < 1 || options.threads > 2)
        {
            usage("--threads must be 1 or 2");
        }
        return options;
    }

    private static String usage(final String problem)
    {
        if (null != problem)
        {
            System.err.println("perf index: " + problem);
        }
        System.err.println("usage: perf index [--workers 16] [--seconds 10] [--engine-blocks 16384] " +
            "[--group-workers 16] [--requests all] [--max-imbalance 32] [--threads 1|2] [--lag-ops 1024] " +
            "[--trace file] [--json]");
        System.exit(null == problem ? 0 : 2);
        return null;
    }
}
