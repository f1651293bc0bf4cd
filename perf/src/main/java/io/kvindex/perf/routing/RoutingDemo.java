package io.kvindex.perf.routing;

import io.kvindex.perf.trace.MooncakeTrace;
import io.kvindex.perf.trace.TraceFiles;

import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code tools/demo}: the first minutes of the conversation trace through router-lite in front of 4 engines, kv
 * routing beside round-robin: prefix hit rate and simulated TTFT. Runs in simulated time in one process (engines are
 * {@link io.kvindex.perf.trace.SimulatedEngine} caches with a prefill queue; see {@link RoutingSimulation}). Options:
 * {@code --minutes M} (10), {@code --time-scale X} (2: arrivals twice as fast as the trace), {@code --engines N} (4),
 * {@code --engine-blocks N} (2048).
 */
public final class RoutingDemo
{
    private RoutingDemo()
    {
    }

    /**
     * Run the demo.
     *
     * @param args options as the class documents.
     * @throws Exception when the trace cannot be read.
     */
    public static void main(final String[] args) throws Exception
    {
        double minutes = 10;
        double timeScale = 2;
        int engines = 4;
        int engineBlocks = 2048;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--minutes" -> minutes = Double.parseDouble(args[++i]);
                case "--time-scale" -> timeScale = Double.parseDouble(args[++i]);
                case "--engines" -> engines = Integer.parseInt(args[++i]);
                case "--engine-blocks" -> engineBlocks = Integer.parseInt(args[++i]);
                default ->
                {
                    System.err.println(
                        "usage: tools/demo [--minutes M] [--time-scale X] [--engines N] [--engine-blocks N]");
                    System.exit(2);
                }
            }
        }
        final Path file = TraceFiles.conversationTrace();
        if (null == file)
        {
            throw new IllegalStateException("conversation trace not found (set KVINDEX_TRACE)");
        }
        final MooncakeTrace all = MooncakeTrace.load(file, Integer.MAX_VALUE);
        final int requests = RoutingSimulation.requestsWithin(all, minutes);
        System.out.printf(Locale.ROOT, "kvindex demo: %d requests (first %.1f min of the conversation trace, " +
            "time scale %.1f), %d engines of %d blocks of 512 tokens, simulated time%n",
            requests, minutes, timeScale, engines, engineBlocks);
        final RoutingSimulation simulation =
            new RoutingSimulation(all, requests, engines, engineBlocks, timeScale, 20, 20);
        System.out.printf("%-12s %10s %14s %14s%n", "policy", "hit rate", "TTFT p50 ms", "TTFT p90 ms");
        for (final String policy : new String[]{ "kv", "round_robin" })
        {
            final RoutingSimulation.Result r = simulation.run(policy);
            System.out.printf(Locale.ROOT, "%-12s %9.1f%% %14d %14d%n", policy, 100 * r.hitRate,
                r.ttftMs.getValueAtPercentile(50), r.ttftMs.getValueAtPercentile(90));
        }
    }
}
