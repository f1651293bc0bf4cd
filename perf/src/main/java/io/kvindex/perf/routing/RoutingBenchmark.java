package io.kvindex.perf.routing;

import io.kvindex.perf.trace.MooncakeTrace;
import io.kvindex.perf.trace.TraceFiles;

import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code tools/perf routing}: replays the conversation trace through router-lite in front of simulated engines for each
 * policy ({@code kv}, {@code approx}, {@code round_robin}, {@code random}, {@code least_loaded}) and reports prefix hit
 * rate, simulated TTFT p50/p90 and the router's decision rate and per-decision p50/p99 (wall time of the routing call:
 * hashing is done by the trace loader, so this is overlap lookup plus selection and booking). With {@code --json} one
 * JSON object keyed by policy.
 * Options: {@code --engines N} (8), {@code --engine-blocks N} (16384), {@code --requests R}
 * (2000), {@code --time-scale X} (1), {@code --prefill-tokens-per-ms X} (20), {@code --decode-ms-per-token X} (20).
 */
public final class RoutingBenchmark
{
    private static final String[] POLICIES = { "kv", "approx", "round_robin", "random", "least_loaded" };

    private RoutingBenchmark()
    {
    }

    /**
     * Run the benchmark.
     *
     * @param args options as the class documents.
     * @throws Exception when the trace cannot be read.
     */
    public static void main(final String[] args) throws Exception
    {
        int engines = 8;
        int engineBlocks = 16_384;
        int requests = 2_000;
        double timeScale = 1;
        double prefill = 20;
        double decode = 20;
        boolean json = false;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--engines" -> engines = Integer.parseInt(args[++i]);
                case "--engine-blocks" -> engineBlocks = Integer.parseInt(args[++i]);
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--time-scale" -> timeScale = Double.parseDouble(args[++i]);
                case "--prefill-tokens-per-ms" -> prefill = Double.parseDouble(args[++i]);
                case "--decode-ms-per-token" -> decode = Double.parseDouble(args[++i]);
                case "--json" -> json = true;
                default ->
                {
                    System.err.println("usage: tools/perf routing [--engines N] [--engine-blocks N] [--requests R] " +
                        "[--time-scale X] [--prefill-tokens-per-ms X] [--decode-ms-per-token X] [--json]");
                    System.exit(2);
                }
            }
        }
        final Path file = TraceFiles.conversationTrace();
        if (null == file)
        {
            throw new IllegalStateException("conversation trace not found (set KVINDEX_TRACE)");
        }
        final MooncakeTrace trace = MooncakeTrace.load(file, requests);
        final RoutingSimulation simulation =
            new RoutingSimulation(trace, requests, engines, engineBlocks, timeScale, prefill, decode);
        simulation.run("kv");
        final StringBuilder out = new StringBuilder("{");
        out.append(String.format(Locale.ROOT, "\"engines\": %d, \"engine_blocks\": %d, \"requests\": %d, " +
            "\"time_scale\": %.3f", engines, engineBlocks, Math.min(requests, trace.requestCount()), timeScale));
        for (final String policy : POLICIES)
        {
            final RoutingSimulation.Result r = simulation.run(policy);
            if (json)
            {
                out.append(String.format(Locale.ROOT, ", \"%s\": {\"hit_rate\": %.4f, \"ttft_p50_ms\": %d, " +
                    "\"ttft_p90_ms\": %d, \"decisions_per_s\": %.0f, \"router_overhead_p50_us\": %.2f, " +
                    "\"router_overhead_p99_us\": %.2f}", policy, r.hitRate, r.ttftMs.getValueAtPercentile(50),
                    r.ttftMs.getValueAtPercentile(90), r.requests * 1e9 / Math.max(1, r.routingNs),
                    r.decisionNs.getValueAtPercentile(50) / 1e3, r.decisionNs.getValueAtPercentile(99) / 1e3));
            }
            else
            {
                System.out.printf(Locale.ROOT, "%-13s hit rate %5.1f%%  TTFT p50 %6d ms p90 %6d ms  " +
                    "%9.0f decisions/s  p50 %6.2f us p99 %7.2f us%n", policy, 100 * r.hitRate,
                    r.ttftMs.getValueAtPercentile(50), r.ttftMs.getValueAtPercentile(90),
                    r.requests * 1e9 / Math.max(1, r.routingNs), r.decisionNs.getValueAtPercentile(50) / 1e3,
                    r.decisionNs.getValueAtPercentile(99) / 1e3);
            }
        }
        if (json)
        {
            System.out.println(out.append('}'));
        }
    }
}
