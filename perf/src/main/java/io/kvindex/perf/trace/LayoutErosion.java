package io.kvindex.perf.trace;

import io.kvindex.index.IndexCompactor;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.perf.report.JsonWriter;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.lang.ref.Reference;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code tools/perf erosion}: how the off-heap index's layout erodes over a long replay with evictions, and what
 * compaction recovers. The trace is recorded for several laps on small engines (every lap new content, so the
 * engines keep evicting), cut into windows, and replayed four times from empty into an index sized as
 * {@code tools/perf index} sizes it (the engines' total capacity plus 1,024 records, so freed records are reused
 * soon; {@code --capacity-factor} scales the first term):
 * <ol>
 *     <li>timed, as is: block ops/s per window, every answer recorded;</li>
 *     <li>diagnostic, as is: per window, how the window's queries found each child (the next record or the branch
 *     table, {@link OffHeapBlockIndex#layoutSteps}) as they were asked, and at the window's end the window's
 *     queries run again read-only, timed: find_matches blocks/s and p50/p99 on that layout;</li>
 *     <li>and 4. the same with compaction: at a window's end, when {@link IndexCompactor#isEroded} says so
 *     ({@code --compact-above}), the index is laid out afresh and swapped in; its cost counts in that window's
 *     time. Answers must equal those of the first replay.</li>
 * </ol>
 */
public final class LayoutErosion
{
    private final ErosionOptions options;
    private final ReplayStream stream;
    private final ReplayProgress progress;
    private final int[] windowStart;
    private final int[] windowFirstQuery;
    private final long[] windowBlockOps;
    private final long[] storedBefore;
    private final long capacity;

    private LayoutErosion(final ErosionOptions options, final ReplayStream stream, final ReplayProgress progress)
    {
        this.options = options;
        this.stream = stream;
        this.progress = progress;
        this.capacity = (long)(options.capacityFactor *
            Math.min(stream.storedBlocks(), (long)options.workers * options.engineBlocks)) + 1024;
        final int windows = options.windows;
        windowStart = new int[windows + 1];
        windowFirstQuery = new int[windows + 1];
        windowBlockOps = new long[windows];
        storedBefore = new long[windows + 1];
        int query = 0;
        long stored = 0;
        for (int w = 0; w < windows; w++)
        {
            windowStart[w] = (int)((long)stream.ops() * w / windows);
            windowFirstQuery[w] = query;
            storedBefore[w] = stored;
            final int end = (int)((long)stream.ops() * (w + 1) / windows);
            for (int i = windowStart[w]; i < end; i++)
            {
                final byte kind = stream.kind(i);
                if (ReplayStream.QUERY == kind)
                {
                    windowBlockOps[w] += stream.walkedBlocks(query++);
                }
                else
                {
                    windowBlockOps[w] += stream.count(i);
                    stored += kind == ReplayStream.REMOVED ? 0 : stream.count(i);
                }
            }
        }
        windowStart[windows] = stream.ops();
        windowFirstQuery[windows] = query;
        storedBefore[windows] = stored;
    }

    /**
     * Run the measurement and print one JSON object.
     *
     * @param args see {@link ErosionOptions#USAGE}.
     * @throws IOException when the trace cannot be read.
     */
    public static void main(final String[] args) throws IOException
    {
        final ErosionOptions options = ErosionOptions.parse(args);
        if (null == options.trace)
        {
            options.trace = TraceFiles.conversationTrace();
        }
        if (null == options.trace || !options.trace.toFile().isFile())
        {
            System.err.println("perf erosion: skipped: Mooncake trace not found (set KVINDEX_TRACE or --trace)");
            System.out.println("{\"skipped\":true,\"reason\":\"trace not found\"}");
            return;
        }
        final ReplayProgress progress = new ReplayProgress("erosion");
        progress.start();
        try
        {
            final MooncakeTrace trace = MooncakeTrace.load(options.trace, options.requests);
            progress.phase("recording " + options.laps + " laps");
            final long start = System.nanoTime();
            final ReplayStream stream = TraceReplay.record(trace, options.workers, options.groupWorkers,
                options.engineBlocks, TraceReplay.DEFAULT_MAX_IMBALANCE, options.laps, progress.recorded());
            System.err.printf(Locale.ROOT, "perf erosion: recorded %d laps of %,d requests on %,d workers in %.1f s:" +
                " %,d events (%,d blocks stored, %,d removed), %,d queries%n", options.laps, trace.requestCount(),
                options.workers, (System.nanoTime() - start) / 1e9, stream.events(), stream.storedBlocks(),
                stream.removedBlocks(), stream.queries());
            progress.stream(stream);
            System.out.println(JsonWriter.write(new LayoutErosion(options, stream, progress).run(trace)));
        }
        finally
        {
            progress.stop();
        }
    }

    private Map<String, Object> run(final MooncakeTrace trace)
    {
        final long[] plainDigests = new long[stream.queries()];
        final long[] compactingDigests = new long[stream.queries()];
        final List<Map<String, Object>> plain = timed(false, plainDigests);
        diagnose(false, plain);
        final List<Map<String, Object>> compacting = timed(true, compactingDigests);
        diagnose(true, compacting);

        final Map<String, Object> result = new LinkedHashMap<>();
        result.put("erosion", describe(trace));
        result.put("summary", ErosionSummary.of(plain, compacting, capacity,
            Arrays.equals(plainDigests, compactingDigests), matchesEngines(plainDigests)));
        result.put("plain", plain);
        result.put("compacting", compacting);
        return result;
    }

    private Map<String, Object> describe(final MooncakeTrace trace)
    {
        final Map<String, Object> d = new LinkedHashMap<>();
        d.put("workers", options.workers);
        d.put("group_workers", Math.min(options.workers, options.groupWorkers));
        d.put("engine_blocks", options.engineBlocks);
        d.put("laps", options.laps);
        d.put("requests_per_lap", trace.requestCount());
        d.put("windows", options.windows);
        d.put("node_capacity", capacity);
        d.put("capacity_factor", options.capacityFactor);
        d.put("compact_above", options.compactAbove);
        d.put("probe_repeats", options.probeRepeats);
        d.put("events", stream.events());
        d.put("queries", stream.queries());
        d.put("stored_blocks", stream.storedBlocks());
        d.put("removed_blocks", stream.removedBlocks());
        d.put("walked_blocks", stream.queryWalkedBlocks());
        d.put("machine", IndexMeasurement.machine());
        d.put("date", LocalDate.now().toString());
        return d;
    }

    private OffHeapBlockIndex newIndex()
    {
        return new OffHeapBlockIndex(context());
    }

    private OffHeapBlockIndex.Context context()
    {
        return new OffHeapBlockIndex.Context().maxBlocks(Math.toIntExact(capacity)).maxOwners(options.workers);
    }

    /**
     * Pass 1 or 3: the timed replay, compacting or not.
     */
    private List<Map<String, Object>> timed(final boolean compact, final long[] digests)
    {
        final List<Map<String, Object>> windows = new ArrayList<>();
        final StreamReplayer replayer = new StreamReplayer(stream);
        final Histogram latencies = new Histogram(IndexMeasurement.HISTOGRAM_MAX_NS, 3);
        progress.replayer(replayer);
        OffHeapBlockIndex index = newIndex();
        int compactions = 0;
        for (int w = 0; w < options.windows; w++)
        {
            progress.phase((compact ? "compacting" : "plain") + " replay, window " + (w + 1) + "/" + options.windows);
            latencies.reset();
            final long queryNanos = replayer.queryNanos();
            long nanos = replayer.replayRange(index, windowStart[w], windowStart[w + 1], windowFirstQuery[w],
                latencies, digests);
            final long windowQueryNanos = replayer.queryNanos() - queryNanos;
            final Map<String, Object> window = window(w, index);
            long compactionNanos = 0;
            if (compact && IndexCompactor.isEroded(index, options.compactAbove))
            {
                final long start = System.nanoTime();
                final OffHeapBlockIndex compacted = IndexCompactor.compact(index, context());
                index.close();
                index = compacted;
                compactionNanos = System.nanoTime() - start;
                nanos += compactionNanos;
                compactions++;
            }
            window.put("seconds", nanos / 1e9);
            window.put("block_ops_per_sec", Math.round(windowBlockOps[w] * 1e9 / Math.max(1, nanos)));
            window.put("replay_find_matches_p50_ns", latencies.getValueAtPercentile(50));
            window.put("replay_find_matches_p99_ns", latencies.getValueAtPercentile(99));
            window.put("replay_find_matches_ns", windowQueryNanos);
            window.put("compactions", compactions);
            window.put("compaction_ms", compactionNanos / 1e6);
            windows.add(window);
        }
        if (replayer.failedEvents() > 0)
        {
            System.err.println("perf erosion: " + replayer.failedEvents() + " events failed");
        }
        Reference.reachabilityFence(index);
        progress.replayer(null);
        return windows;
    }

    private Map<String, Object> window(final int w, final OffHeapBlockIndex index)
    {
        final Map<String, Object> window = new LinkedHashMap<>();
        window.put("window", w);
        window.put("ops_done", windowStart[w + 1]);
        window.put("stored_blocks_done", storedBefore[w + 1]);
        window.put("turnover", Math.round(1000.0 * storedBefore[w + 1] / capacity) / 1000.0);
        window.put("live_blocks", index.liveBlocks());
        window.put("record_high_water", index.recordHighWater());
        window.put("branch_node_fraction", fraction(index.branchEntries(), index.liveBlocks()));
        return window;
    }

    /**
     * Pass 2 or 4: the same replay (and the same compactions), untimed, with the layout of every query and a timed
     * read-only re-run of each window's queries at its end.
     */
    private void diagnose(final boolean compact, final List<Map<String, Object>> windows)
    {
        final StreamReplayer replayer = new StreamReplayer(stream);
        final LayoutProbe probe = new LayoutProbe(stream);
        progress.replayer(replayer);
        OffHeapBlockIndex index = newIndex();
        for (int w = 0; w < options.windows; w++)
        {
            progress.phase((compact ? "compacting" : "plain") + " diagnosis, window " + (w + 1) + "/" +
                options.windows);
            probe.resetSteps();
            replayer.probeRange(index, windowStart[w], windowStart[w + 1], windowFirstQuery[w], probe);
            final Map<String, Object> window = windows.get(w);
            window.put("next_record_step_fraction", fraction(probe.nextRecordSteps(), probe.steps()));
            window.put("steps_per_query", Math.round(100.0 * probe.steps() / Math.max(1, probe.queries())) / 100.0);
            probe.timeQueries(index, windowStart[w], windowStart[w + 1], options.probeRepeats);
            window.put("find_matches_blocks_per_sec", Math.round(probe.walkedBlocksPerSecond()));
            window.put("find_matches_p50_ns", probe.latencies().getValueAtPercentile(50));
            window.put("find_matches_p99_ns", probe.latencies().getValueAtPercentile(99));
            if (compact && IndexCompactor.isEroded(index, options.compactAbove))
            {
                final OffHeapBlockIndex compacted = IndexCompactor.compact(index, context());
                index.close();
                index = compacted;
            }
        }
        Reference.reachabilityFence(index);
        progress.replayer(null);
    }

    private boolean matchesEngines(final long[] digests)
    {
        for (int q = 0; q < digests.length; q++)
        {
            if (digests[q] != stream.expectedDigest(q))
            {
                return false;
            }
        }
        return true;
    }

    private static double fraction(final long part, final long whole)
    {
        return whole > 0 ? Math.round(10_000.0 * part / whole) / 10_000.0 : 0.0;
    }
}
