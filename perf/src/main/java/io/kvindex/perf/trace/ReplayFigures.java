package io.kvindex.perf.trace;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of one run of {@code tools/perf index}, under the JSON keys the tool has always printed (stable: new
 * keys are added, none renamed). Without the reference model the {@code reference_*}, {@code speedup_*} and
 * {@code memory_ratio_*} figures are null and {@code answers_match} compares the off-heap answers with the engines.
 */
final class ReplayFigures
{
    /** The figures whose spread over runs is reported. */
    static final List<String> KEY_FIGURES = List.of(
        "passes", "ops_per_sec", "block_ops_per_sec", "find_matches_p50_ns", "find_matches_p99_ns",
        "find_matches_p999_ns", "find_matches_max_ns", "single_thread_block_ops_per_sec", "bytes_per_membership",
        "gc_count", "gc_pause_ms", "cpu_share", "reference_passes", "reference_ops_per_sec",
        "reference_block_ops_per_sec", "reference_find_matches_p50_ns", "reference_find_matches_p99_ns",
        "reference_find_matches_p999_ns", "reference_bytes_per_membership", "reference_gc_count",
        "reference_gc_pause_ms", "reference_cpu_share", "speedup_vs_reference", "single_thread_speedup_vs_reference",
        "memory_ratio_vs_reference");

    private ReplayFigures()
    {
    }

    static Map<String, Object> of(
        final ReplayOptions options,
        final MooncakeTrace trace,
        final ReplayStream stream,
        final IndexMeasurement offHeap,
        final IndexMeasurement reference)
    {
        final double ops = stream.events() + stream.queries();
        final double offHeapOps = rate(ops * offHeap.passes, offHeap.nanos);
        final double offHeapBlockOps = rate((double)stream.blockOps() * offHeap.passes, offHeap.nanos);
        final double singleBlockOps = rate((double)stream.blockOps() * offHeap.singlePasses, offHeap.singleNanos);
        final long memberships = offHeap.memberships;
        final Map<String, Object> f = new LinkedHashMap<>();
        f.put("workers", options.workers);
        f.put("group_workers", Math.min(options.workers, options.groupWorkers));
        f.put("engine_blocks", options.engineBlocks);
        f.put("requests_per_group", trace.requestCount());
        f.put("events", stream.events());
        f.put("queries", stream.queries());
        f.put("stored_blocks", stream.storedBlocks());
        f.put("removed_blocks", stream.removedBlocks());
        f.put("query_blocks", stream.queryBlocks());
        f.put("walked_blocks", stream.queryWalkedBlocks());
        f.put("memberships_at_end", memberships);
        f.put("seconds", options.seconds);
        f.put("threads", offHeap.threads);
        f.put("lag_ops", options.lagOps);
        f.put("passes", offHeap.passes);
        f.put("ops_per_sec", Math.round(offHeapOps));
        f.put("block_ops_per_sec", Math.round(offHeapBlockOps));
        f.put("find_matches_p50_ns", offHeap.latencies.getValueAtPercentile(50));
        f.put("find_matches_p99_ns", offHeap.latencies.getValueAtPercentile(99));
        f.put("find_matches_p999_ns", offHeap.latencies.getValueAtPercentile(99.9));
        f.put("find_matches_max_ns", offHeap.latencies.getMaxValue());
        f.put("single_thread_passes", offHeap.singlePasses);
        f.put("single_thread_block_ops_per_sec", Math.round(singleBlockOps));
        f.put("single_thread_find_matches_p99_ns", offHeap.singleLatencies.getValueAtPercentile(99));
        f.put("bytes_per_membership", round2((double)offHeap.bytes / memberships));
        f.put("reserved_bytes_per_membership", round2((double)offHeap.reservedBytes / memberships));
        f.put("live_blocks_at_end", offHeap.liveBlocks);
        f.put("non_contiguous_children_at_end", offHeap.liveBlocks > 0 ?
            round2((double)offHeap.branchEntries / offHeap.liveBlocks) : 0.0);
        f.put("gc_count", offHeap.gcCount);
        f.put("gc_pause_ms", offHeap.gcMillis);
        f.put("cpu_share", offHeap.cpuShare());
        f.put("query_retries", offHeap.retries);
        putReference(f, stream, offHeap, reference, offHeapBlockOps, singleBlockOps);
        f.put("failed_events", offHeap.failedEvents + (null == reference ? 0 : reference.failedEvents));
        f.put("answers_match_engines", offHeap.matchesEngines && (null == reference || reference.matchesEngines));
        f.put("answers_match", null == reference ? offHeap.matchesEngines :
            Arrays.equals(offHeap.digests, reference.digests));
        f.put("reference_measured", null != reference);
        f.put("machine", IndexMeasurement.machine());
        return f;
    }

    private static void putReference(
        final Map<String, Object> f,
        final ReplayStream stream,
        final IndexMeasurement offHeap,
        final IndexMeasurement reference,
        final double offHeapBlockOps,
        final double singleBlockOps)
    {
        final boolean measured = null != reference;
        final double ops = stream.events() + stream.queries();
        final double referenceOps = measured ? rate(ops * reference.passes, reference.nanos) : 0;
        final double referenceBlockOps = measured ? rate((double)stream.blockOps() * reference.passes,
            reference.nanos) : 0;
        final long memberships = offHeap.memberships;
        f.put("reference_passes", measured ? reference.passes : null);
        f.put("reference_ops_per_sec", measured ? Math.round(referenceOps) : null);
        f.put("reference_block_ops_per_sec", measured ? Math.round(referenceBlockOps) : null);
        f.put("reference_find_matches_p50_ns", measured ? reference.latencies.getValueAtPercentile(50) : null);
        f.put("reference_find_matches_p99_ns", measured ? reference.latencies.getValueAtPercentile(99) : null);
        f.put("reference_find_matches_p999_ns", measured ? reference.latencies.getValueAtPercentile(99.9) : null);
        f.put("reference_bytes_per_membership", measured ? round2((double)reference.bytes / memberships) : null);
        f.put("reference_gc_count", measured ? reference.gcCount : null);
        f.put("reference_gc_pause_ms", measured ? reference.gcMillis : null);
        f.put("reference_cpu_share", measured ? reference.cpuShare() : null);
        f.put("speedup_vs_reference", measured ? round2(offHeapBlockOps / referenceBlockOps) : null);
        f.put("single_thread_speedup_vs_reference", measured ? round2(singleBlockOps / referenceBlockOps) : null);
        f.put("memory_ratio_vs_reference", measured ? round2((double)reference.bytes / offHeap.bytes) : null);
    }

    static double rate(final double count, final long nanos)
    {
        return nanos > 0 ? count * 1e9 / nanos : 0;
    }

    static double round2(final double value)
    {
        return Double.isFinite(value) ? Math.round(value * 100) / 100.0 : -1;
    }
}
