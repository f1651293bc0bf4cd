package io.kvindex.perf.trace;

import io.kvindex.perf.IndexFactory;
import io.kvindex.perf.report.JsonWriter;
import io.kvindex.perf.report.RunSummary;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code tools/perf index}: records the Mooncake conversation trace as a stream of KV events and queries
 * ({@link TraceReplay}), then replays it against the off-heap index and the on-heap reference model in this JVM, and
 * prints throughput, find_matches latency, memory, GC and whether every answer matched. A progress line goes to
 * stderr every few seconds.
 * <p>
 * Each pass replays the whole stream from an empty index (every worker cleared, untimed, between passes). Pass 0 of
 * each implementation runs on one thread in stream order and records every answer: they must equal each other and
 * the engines' own state. Timed passes follow until {@code --seconds} is spent ({@link IndexMeasurement}). With
 * {@code --runs N} the measurement repeats N times on the same recording and the figures are medians, with the
 * spread of the key figures ({@link RunSummary}); {@code --sweep} then paces the stream at fractions of the median
 * rate ({@link OfferedRateSweep}). Block ops = blocks in Stored events + hashes in Removed events + blocks walked by
 * queries (per query, the most leading blocks any worker holds).
 */
public final class IndexReplayBenchmark
{
    private final ReplayOptions options;
    private final MooncakeTrace trace;
    private final ReplayStream stream;
    private final ReplayProgress progress;
    private final Histogram offHeapLatencies = new Histogram(IndexMeasurement.HISTOGRAM_MAX_NS, 3);
    private final Histogram referenceLatencies = new Histogram(IndexMeasurement.HISTOGRAM_MAX_NS, 3);

    private IndexReplayBenchmark(
        final ReplayOptions options,
        final MooncakeTrace trace,
        final ReplayStream stream,
        final ReplayProgress progress)
    {
        this.options = options;
        this.trace = trace;
        this.stream = stream;
        this.progress = progress;
    }

    /**
     * Run the benchmark.
     *
     * @param args see {@link ReplayOptions#USAGE}; {@code --help} explains them.
     * @throws IOException when the trace cannot be read or a histogram file cannot be written.
     */
    public static void main(final String[] args) throws IOException
    {
        final ReplayOptions options = ReplayOptions.parse(args);
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

        final ReplayProgress progress = new ReplayProgress("index");
        progress.start();
        final long recordStart = System.nanoTime();
        final MooncakeTrace trace = MooncakeTrace.load(options.trace, options.requests);
        progress.phase("recording");
        final ReplayStream stream = TraceReplay.record(trace, options.workers, options.groupWorkers,
            options.engineBlocks, options.maxImbalance, progress.recorded());
        final long recordNanos = System.nanoTime() - recordStart;
        System.err.printf(Locale.ROOT, "perf index: recorded %,d requests x %d group(s) on %,d workers in %.1f s: " +
            "%,d events (%,d blocks stored, %,d removed), %,d queries (%,d blocks, %,d walked), stream %,d MiB%n",
            trace.requestCount(), options.workers / Math.min(options.workers, options.groupWorkers), options.workers,
            recordNanos / 1e9, stream.events(), stream.storedBlocks(), stream.removedBlocks(), stream.queries(),
            stream.queryBlocks(), stream.queryWalkedBlocks(), stream.bytes() >> 20);
        progress.stream(stream);

        try
        {
            new IndexReplayBenchmark(options, trace, stream, progress).run();
        }
        finally
        {
            progress.stop();
        }
    }

    private void run() throws IOException
    {
        final List<Map<String, Object>> runs = new ArrayList<>();
        for (int run = 1; run <= options.runs; run++)
        {
            final String prefix = options.runs > 1 ? "run " + run + "/" + options.runs + ": " : "";
            progress.phase(prefix + "offheap");
            final IndexMeasurement offHeap = IndexMeasurement.measure(stream, options, IndexFactory.OFF_HEAP,
                options.threads, progress);
            offHeapLatencies.add(offHeap.latencies);
            if (offHeap.failedEvents > 0)
            {
                System.err.printf(Locale.ROOT, "perf index: WARNING: the off-heap index refused %,d events " +
                    "(capacity exceeded?): its answers cannot match%n", offHeap.failedEvents);
            }
            IndexMeasurement reference = null;
            if (options.reference)
            {
                reference = IndexMeasurement.measure(stream, options, IndexFactory.REFERENCE, 1, progress);
                referenceLatencies.add(reference.latencies);
                if (!Arrays.equals(offHeap.digests, reference.digests))
                {
                    System.err.println("perf index: ANSWERS DIFFER at query " +
                        firstDifference(offHeap.digests, reference.digests));
                }
            }
            final Map<String, Object> figures = ReplayFigures.of(options, trace, stream, offHeap, reference);
            runs.add(figures);
            if (options.runs > 1)
            {
                System.err.println("perf index: " + prefix + summaryLine(figures));
            }
        }
        final Map<String, Object> summary = RunSummary.summarize(runs, ReplayFigures.KEY_FIGURES);
        summary.put("date", LocalDate.now().toString());
        if (options.sweep)
        {
            summary.put("sweep", sweep(summary));
        }
        writeHistograms();
        if (!options.json)
        {
            System.out.println(IndexMeasurement.machine());
            System.out.println(summaryLine(summary) + (options.runs > 1 ? " (medians of " + options.runs + " runs)" :
                ""));
        }
        System.out.println(JsonWriter.write(summary));
    }

    private Map<String, Object> sweep(final Map<String, Object> summary)
    {
        final OfferedRateSweep sweep = new OfferedRateSweep(stream, options, progress);
        final Map<String, Object> result = new LinkedHashMap<>();
        result.put("seconds_per_level", options.sweepSeconds);
        result.put("fractions", toList(options.sweepPlan.fractions()));
        result.put(IndexFactory.OFF_HEAP, sweep.sweep(IndexFactory.OFF_HEAP,
            ((Number)summary.get("ops_per_sec")).doubleValue()));
        if (options.reference)
        {
            result.put(IndexFactory.REFERENCE, sweep.sweep(IndexFactory.REFERENCE,
                ((Number)summary.get("reference_ops_per_sec")).doubleValue()));
        }
        return result;
    }

    private void writeHistograms() throws IOException
    {
        if (null == options.hgrmPrefix)
        {
            return;
        }
        write(offHeapLatencies, Path.of(options.hgrmPrefix + "-" + IndexFactory.OFF_HEAP + ".hgrm"));
        if (options.reference)
        {
            write(referenceLatencies, Path.of(options.hgrmPrefix + "-" + IndexFactory.REFERENCE + ".hgrm"));
        }
    }

    private static void write(final Histogram histogram, final Path file) throws IOException
    {
        final Path dir = file.toAbsolutePath().getParent();
        if (null != dir)
        {
            Files.createDirectories(dir);
        }
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8))
        {
            histogram.outputPercentileDistribution(out, 1000.0);
        }
    }

    private static String summaryLine(final Map<String, Object> f)
    {
        final String offHeap = String.format(Locale.ROOT, "offheap %,d block ops/s, find_matches p50/p99/p99.9 " +
            "%s/%s/%s ns, %s B per membership", f.get("block_ops_per_sec"), f.get("find_matches_p50_ns"),
            f.get("find_matches_p99_ns"), f.get("find_matches_p999_ns"), f.get("bytes_per_membership"));
        if (null == f.get("reference_block_ops_per_sec"))
        {
            return offHeap + ", answers match the engines " + f.get("answers_match");
        }
        return offHeap + String.format(Locale.ROOT, "; reference %,d block ops/s, p99 %s ns; speedup %s, " +
            "memory %s, answers match %s", f.get("reference_block_ops_per_sec"), f.get("reference_find_matches_p99_ns"),
            f.get("speedup_vs_reference"), f.get("memory_ratio_vs_reference"), f.get("answers_match"));
    }

    private static List<Object> toList(final double[] values)
    {
        final List<Object> list = new ArrayList<>();
        for (final double v : values)
        {
            list.add(v);
        }
        return list;
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
}
