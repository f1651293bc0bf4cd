package io.kvindex.perf.trace;

import io.kvindex.index.BlockIndex;
import io.kvindex.perf.IndexFactory;
import org.HdrHistogram.Histogram;

import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Replays the stream paced at increasing offered rates (fractions of the rate the index reached unpaced) to find
 * where it saturates, as Dynamo's {@code mooncake_bench} sweeps: each level replays passes from an empty index
 * (clearing is untimed and moves the schedule on) for a time budget, cutting the last pass at the deadline, and
 * reports the achieved rate and find_matches service and response times. An unpaced pass and a short paced level at
 * the first rate (discarded) warm the code up first. The sweep stops after the first saturated level
 * ({@link SweepPlan}).
 */
final class OfferedRateSweep
{
    private final ReplayStream stream;
    private final ReplayOptions options;
    private final ReplayProgress progress;

    OfferedRateSweep(final ReplayStream stream, final ReplayOptions options, final ReplayProgress progress)
    {
        this.stream = stream;
        this.options = options;
        this.progress = progress;
    }

    /**
     * Sweep one kind.
     *
     * @param kind             the index kind.
     * @param unpacedOpsPerSec the rate it reached unpaced (the median of the runs).
     * @return the sweep object of that kind: its unpaced rate, the highest rate achieved before the first saturated
     *         level ({@code sustained_*}), the highest rate achieved at all ({@code saturation_*}), why it stopped,
     *         and the levels.
     */
    Map<String, Object> sweep(final String kind, final double unpacedOpsPerSec)
    {
        final Map<String, Object> result = new LinkedHashMap<>();
        result.put("unpaced_ops_per_sec", Math.round(unpacedOpsPerSec));
        final List<Map<String, Object>> levels = new ArrayList<>();
        final BlockIndex index = IndexFactory.create(kind, options.capacity(stream), options.workers);
        try
        {
            final StreamReplayer replayer = new StreamReplayer(stream);
            progress.replayer(replayer);
            progress.phase(kind + " sweep warm-up");
            replayer.replay(index, null, null);
            level(index, replayer, options.sweepPlan.fractions()[0],
                options.sweepPlan.offeredRates(unpacedOpsPerSec)[0], Math.min(0.5, options.sweepSeconds));
            final double[] fractions = options.sweepPlan.fractions();
            final double[] rates = options.sweepPlan.offeredRates(unpacedOpsPerSec);
            long firstResponseP99 = -1;
            double saturation = 0;
            double sustained = 0;
            String stopReason = "every level kept up";
            for (int i = 0; i < rates.length; i++)
            {
                progress.phase(String.format(Locale.ROOT, "%s sweep at %.0f%% (%,.0f ops/s)", kind,
                    100 * fractions[i], rates[i]));
                final Map<String, Object> level = level(index, replayer, fractions[i], rates[i],
                    options.sweepSeconds);
                levels.add(level);
                final long responseP99 = (Long)level.get("response_p99_ns");
                firstResponseP99 = firstResponseP99 < 0 ? responseP99 : firstResponseP99;
                final double achieved = ((Number)level.get("achieved_ops_per_sec")).doubleValue();
                saturation = Math.max(saturation, achieved);
                final String reason = SweepPlan.saturation(rates[i], achieved, responseP99, firstResponseP99);
                level.put("saturated", null != reason);
                if (null != reason)
                {
                    stopReason = reason + String.format(Locale.ROOT, " at %.0f%%", 100 * fractions[i]);
                    break;
                }
                sustained = achieved;
            }
            result.put("sustained_ops_per_sec", Math.round(sustained));
            result.put("sustained_block_ops_per_sec", Math.round(sustained * blockOpsPerOp()));
            result.put("saturation_ops_per_sec", Math.round(saturation));
            result.put("saturation_block_ops_per_sec", Math.round(saturation * blockOpsPerOp()));
            result.put("stop_reason", stopReason);
            result.put("levels", levels);
            Reference.reachabilityFence(index);
        }
        finally
        {
            index.close();
            progress.replayer(null);
        }
        return result;
    }

    private double blockOpsPerOp()
    {
        return (double)stream.blockOps() / (stream.events() + stream.queries());
    }

    private Map<String, Object> level(
        final BlockIndex index,
        final StreamReplayer replayer,
        final double fraction,
        final double offered,
        final double seconds)
    {
        final Histogram service = new Histogram(IndexMeasurement.HISTOGRAM_MAX_NS, 3);
        final Histogram response = new Histogram(IndexMeasurement.HISTOGRAM_MAX_NS, 3);
        final RatePacer pacer = new RatePacer(offered);
        final long budget = (long)(seconds * 1e9);
        final long gcCount = IndexMeasurement.gcCount();
        final long gcMillis = IndexMeasurement.gcMillis();
        long scheduled = 0;
        long active = 0;
        final long cpuStart = IndexMeasurement.threadCpuNanos();
        replayer.clear(index);
        pacer.start(System.nanoTime());
        while (true)
        {
            final long passStart = System.nanoTime();
            final int done = replayer.replayPaced(index, pacer, scheduled, pacer.intendedStart(0) + budget,
                service, response);
            active += System.nanoTime() - passStart;
            scheduled += done;
            progress.passDone();
            if (done < stream.ops())
            {
                break;
            }
            final long clearStart = System.nanoTime();
            replayer.clear(index);
            pacer.pause(System.nanoTime() - clearStart);
        }
        final long cpuNanos = IndexMeasurement.threadCpuNanos() - cpuStart;
        final double achieved = RatePacer.rate(scheduled, active);
        final Map<String, Object> level = new LinkedHashMap<>();
        level.put("offered_fraction", fraction);
        level.put("offered_ops_per_sec", Math.round(offered));
        level.put("achieved_ops_per_sec", Math.round(achieved));
        level.put("achieved_block_ops_per_sec", Math.round(achieved * blockOpsPerOp()));
        level.put("ops", scheduled);
        level.put("queries", service.getTotalCount());
        level.put("find_matches_p50_ns", service.getValueAtPercentile(50));
        level.put("find_matches_p99_ns", service.getValueAtPercentile(99));
        level.put("response_p50_ns", response.getValueAtPercentile(50));
        level.put("response_p99_ns", response.getValueAtPercentile(99));
        level.put("response_max_ns", response.getMaxValue());
        level.put("gc_count", IndexMeasurement.gcCount() - gcCount);
        level.put("gc_pause_ms", IndexMeasurement.gcMillis() - gcMillis);
        level.put("cpu_nanos", cpuNanos);
        return level;
    }
}
