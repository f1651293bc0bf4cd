package io.kvindex.perf.trace;

import java.nio.file.Path;

/**
 * Options of {@code tools/perf erosion} ({@link LayoutErosion}), with their defaults.
 */
final class ErosionOptions
{
    static final String USAGE = "usage: perf erosion [--workers 64] [--group-workers 16] [--engine-blocks 1024] " +
        "[--laps 4] [--requests all] [--windows 40] [--compact-above 0.25] [--probe-repeats 3] " +
        "[--capacity-factor 1.0] [--trace file]";

    int workers = 64;
    int groupWorkers = TraceReplay.DEFAULT_GROUP_WORKERS;
    int engineBlocks = 1024;
    int laps = 4;
    int requests = Integer.MAX_VALUE;
    int windows = 40;
    double compactAbove = 0.25;
    int probeRepeats = 3;
    double capacityFactor = 1.0;
    Path trace;

    static ErosionOptions parse(final String[] args)
    {
        final ErosionOptions options = new ErosionOptions();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if ("--help".equals(arg) || "-h".equals(arg))
            {
                usage(null);
            }
            if ("--json".equals(arg))
            {
                continue;
            }
            if (i + 1 >= args.length)
            {
                usage("missing value for " + arg);
            }
            final String value = args[++i].replace("_", "");
            switch (arg)
            {
                case "--workers" -> options.workers = Integer.parseInt(value);
                case "--group-workers" -> options.groupWorkers = Integer.parseInt(value);
                case "--engine-blocks" -> options.engineBlocks = Integer.parseInt(value);
                case "--laps" -> options.laps = Integer.parseInt(value);
                case "--requests" -> options.requests = Integer.parseInt(value);
                case "--windows" -> options.windows = Integer.parseInt(value);
                case "--compact-above" -> options.compactAbove = Double.parseDouble(value);
                case "--probe-repeats" -> options.probeRepeats = Integer.parseInt(value);
                case "--capacity-factor" -> options.capacityFactor = Double.parseDouble(value);
                case "--trace" -> options.trace = Path.of(args[i]);
                default -> usage("unknown option " + arg);
            }
        }
        if (options.laps < 1 || options.windows < 1 || options.probeRepeats < 1)
        {
            usage("--laps, --windows and --probe-repeats must be at least 1");
        }
        return options;
    }

    static void usage(final String problem)
    {
        if (null != problem)
        {
            System.err.println("perf erosion: " + problem);
        }
        System.err.println(USAGE);
        System.err.println("  Node capacity: --capacity-factor x the engines' total capacity (or the blocks " +
            "stored, if fewer), plus 1,024 records. Prints one JSON object (always JSON; --json is ignored).");
        System.exit(null == problem ? 0 : 2);
    }
}
