package io.kvindex.perf.trace;

import java.nio.file.Path;

/**
 * Options of {@code tools/perf index} ({@link IndexReplayBenchmark}), with their defaults.
 */
final class ReplayOptions
{
    static final String USAGE = "usage: perf index [--workers 16] [--seconds 10] [--engine-blocks 16384] " +
        "[--group-workers 16] [--requests all] [--max-imbalance 32] [--threads 1|2] [--lag-ops 1024] " +
        "[--runs 1] [--no-reference] [--sweep] [--sweep-levels 10%,25%,...,150%] [--sweep-seconds 2] " +
        "[--hgrm PREFIX] [--trace file] [--json]";

    int workers = 16;
    int groupWorkers = TraceReplay.DEFAULT_GROUP_WORKERS;
    int engineBlocks = TraceReplay.DEFAULT_ENGINE_BLOCKS;
    int maxImbalance = TraceReplay.DEFAULT_MAX_IMBALANCE;
    int requests = Integer.MAX_VALUE;
    double seconds = 10;
    int threads = 1;
    int lagOps = 1024;
    int runs = 1;
    boolean reference = true;
    boolean sweep;
    SweepPlan sweepPlan = new SweepPlan(SweepPlan.DEFAULT_FRACTIONS);
    double sweepSeconds = 2;
    String hgrmPrefix;
    boolean json;
    Path trace;

    /**
     * Node capacity for an index replaying a stream: the most blocks the engines can hold, plus slack.
     */
    long capacity(final ReplayStream stream)
    {
        return Math.min(stream.storedBlocks(), (long)workers * engineBlocks) + 1024;
    }

    static ReplayOptions parse(final String[] args)
    {
        final ReplayOptions options = new ReplayOptions();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--json" -> options.json = true;
                case "--no-reference" -> options.reference = false;
                case "--sweep" -> options.sweep = true;
                case "--help", "-h" -> usage(null);
                default -> i = option(options, args, i);
            }
        }
        if (options.threads < 1 || options.threads > 2)
        {
            usage("--threads must be 1 or 2");
        }
        if (options.runs < 1)
        {
            usage("--runs must be at least 1");
        }
        return options;
    }

    private static int option(final ReplayOptions options, final String[] args, final int at)
    {
        final String arg = args[at];
        if (at + 1 >= args.length)
        {
            usage("missing value for " + arg);
        }
        final String raw = args[at + 1];
        final String value = raw.replace("_", "");
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
            case "--runs" -> options.runs = Integer.parseInt(value);
            case "--sweep-levels" ->
            {
                options.sweep = true;
                options.sweepPlan = SweepPlan.parse(value);
            }
            case "--sweep-seconds" -> options.sweepSeconds = Double.parseDouble(value);
            case "--hgrm" -> options.hgrmPrefix = raw;
            case "--trace" -> options.trace = Path.of(raw);
            default -> usage("unknown option " + arg);
        }
        return at + 1;
    }

    static void usage(final String problem)
    {
        if (null != problem)
        {
            System.err.println("perf index: " + problem);
        }
        System.err.println(USAGE);
        System.err.println("  --runs N: repeat the measurement (one recording), report medians and the spread; " +
            "3 recommended");
        System.err.println("  --no-reference: measure the off-heap index only (the reference model does not fit " +
            "in memory at 4,096 workers on the full trace)");
        System.err.println("  --sweep: after the runs, replay paced at fractions of the unpaced rate until " +
            "saturation (--sweep-levels, --sweep-seconds per level)");
        System.err.println("  --hgrm PREFIX: write find_matches latency distributions (µs) to " +
            "PREFIX-<kind>.hgrm, all runs merged");
        System.exit(null == problem ? 0 : 2);
    }
}
