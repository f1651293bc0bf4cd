package io.kvindex.perf;

import io.kvindex.index.BlockIndex;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Memory per indexed block and per membership: builds the {@link SharingWorkload} (about 1M blocks, 16 owners)
 * into each index kind, one after the other in this JVM, and prints a table followed by one line of JSON (the
 * last line of the output). Off-heap bytes are the index's {@code usedBytes()}; heap bytes are the heap used
 * after repeated {@code System.gc()} with the populated index minus before it (its own garbage collected). The
 * bytes charged to a kind are its off-heap bytes when it reports them, else its heap bytes.
 * <p>
 * Options: {@code --kinds offheap,reference}, {@code --blocks 1000000}, {@code --owners 16},
 * {@code --engine-hashes shared|per-owner}, {@code --seed n}; {@code --sizes 250000,500000,1000000} measures
 * several workload sizes (one after the other) and prints, last, one JSON line {@code {"machine", "footprint_sizes":
 * [one object per size]}} for {@code tools/perf report}'s memory plot.
 */
public final class MemoryFootprint
{
    private static final int MAX_GCS = 12;

    private MemoryFootprint()
    {
    }

    private static final class Result
    {
        String kind;
        long offHeapUsed;
        long offHeapReserved;
        long nodeBytes;
        long membershipBytes;
        long heapBytes;
        long populateNanos;
        long bytes;
        double bytesPerBlock;
        double bytesPerMembership;
    }

    /**
     * Measure and print.
     *
     * @param args options, see the class description.
     */
    public static void main(final String[] args)
    {
        String kinds = IndexFactory.OFF_HEAP + "," + IndexFactory.REFERENCE;
        String sizes = null;
        final SharingWorkloadContext ctx = new SharingWorkloadContext();
        for (int i = 0; i < args.length; i += 2)
        {
            final String value = i + 1 < args.length ? args[i + 1] : usage("missing value for " + args[i]);
            switch (args[i])
            {
                case "--kinds" -> kinds = value;
                case "--blocks" -> ctx.targetBlocks(Integer.parseInt(value.replace("_", "")));
                case "--sizes" -> sizes = value.replace("_", "");
                case "--owners" -> ctx.owners(Integer.parseInt(value));
                case "--engine-hashes" -> ctx.perOwnerEngineHashes(Workloads.context(1, value).perOwnerEngineHashes());
                case "--seed" -> ctx.seed(Long.parseLong(value));
                default -> usage("unknown option " + args[i]);
            }
        }

        if (null == sizes)
        {
            System.out.println(measureAndPrint(ctx, kinds));
            return;
        }
        final StringBuilder json = new StringBuilder(1024).append("{\"machine\":\"").append(machine())
            .append("\",\"footprint_sizes\":[");
        final String[] each = sizes.split(",");
        for (int i = 0; i < each.length; i++)
        {
            ctx.targetBlocks(Integer.parseInt(each[i].trim()));
            json.append(i > 0 ? "," : "").append(measureAndPrint(ctx, kinds));
            System.out.println();
        }
        System.out.println(json.append("]}"));
    }

    /**
     * Build the workload, measure every kind, print the table, and return the JSON of that size.
     */
    private static String measureAndPrint(final SharingWorkloadContext ctx, final String kinds)
    {
        final SharingWorkload workload = new SharingWorkload(ctx);
        final List<Result> results = new ArrayList<>();
        for (final String kind : kinds.split(","))
        {
            System.err.printf(Locale.ROOT, "footprint: %s, %,d blocks, %,d memberships...%n", kind.trim(),
                workload.liveBlocks(), workload.memberships());
            results.add(measure(kind.trim(), workload));
        }
        printTable(workload, results);
        return json(workload, results);
    }

    private static Result measure(final String kind, final SharingWorkload workload)
    {
        final Result result = new Result();
        result.kind = kind;
        final long before = settledHeapUsed();
        final BlockIndex index = IndexFactory.create(kind, workload.capacityHint(), workload.owners());
        try
        {
            final long start = System.nanoTime();
            workload.populate(index);
            result.populateNanos = System.nanoTime() - start;
            workload.verify(index);
            result.heapBytes = settledHeapUsed() - before;
            result.offHeapUsed = IndexFactory.stat(index, IndexFactory.USED_BYTES);
            result.offHeapReserved = IndexFactory.stat(index, IndexFactory.RESERVED_BYTES);
            result.nodeBytes = IndexFactory.stat(index, IndexFactory.USED_NODE_BYTES);
            result.membershipBytes = IndexFactory.stat(index, IndexFactory.USED_MEMBERSHIP_BYTES);
            check(kind, "liveBlocks", IndexFactory.stat(index, IndexFactory.LIVE_BLOCKS), workload.liveBlocks());
            check(kind, "memberships", IndexFactory.stat(index, IndexFactory.MEMBERSHIPS), workload.memberships());
            Reference.reachabilityFence(index);
        }
        finally
        {
            index.close();
        }
        result.bytes = result.offHeapUsed >= 0 ? result.offHeapUsed : result.heapBytes;
        result.bytesPerBlock = (double)result.bytes / workload.liveBlocks();
        result.bytesPerMembership = (double)result.bytes / workload.memberships();
        return result;
    }

    private static void check(final String kind, final String stat, final long actual, final long expected)
    {
        if (actual >= 0 && actual != expected)
        {
            System.err.printf("WARNING: %s reports %s = %,d, the workload holds %,d%n", kind, stat, actual, expected);
        }
    }

    /**
     * Heap used once garbage collection stops freeing anything: at least three GCs, at most {@link #MAX_GCS}.
     */
    private static long settledHeapUsed()
    {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < MAX_GCS; i++)
        {
            System.gc();
            final long used = memory.getHeapMemoryUsage().getUsed();
            if (i >= 3 && used >= least - 65536)
            {
                return Math.min(used, least);
            }
            least = Math.min(least, used);
        }
        return least;
    }

    private static void printTable(final SharingWorkload workload, final List<Result> results)
    {
        System.out.println("kvindex memory footprint on " + machine());
        System.out.println(workload.describe());
        System.out.printf("%-10s %12s %12s %15s %15s %15s %12s %12s %10s%n", "kind", "blocks", "memberships",
            "off-heap used", "off-heap rsrvd", "heap delta", "B/block", "B/member", "populate");
        for (final Result r : results)
        {
            System.out.printf(Locale.ROOT, "%-10s %,12d %,12d %15s %15s %,15d %12.1f %12.1f %8.2f s%n", r.kind,
                workload.liveBlocks(), workload.memberships(), orNa(r.offHeapUsed), orNa(r.offHeapReserved),
                r.heapBytes, r.bytesPerBlock, r.bytesPerMembership, r.populateNanos / 1e9);
        }
        for (final Result r : results)
        {
            if (r.nodeBytes >= 0)
            {
                System.out.printf(Locale.ROOT, "%s split: %.1f B per block (node records and branch entries), " +
                    "%.1f B per membership (engine-hash lookups, overflow words); reserved %.1f B per block%n",
                    r.kind, (double)r.nodeBytes / workload.liveBlocks(),
                    (double)r.membershipBytes / workload.memberships(),
                    (double)r.offHeapReserved / workload.liveBlocks());
            }
        }
        System.out.println("populate: one untimed pass including JIT warm-up, not a benchmark");
        final double ratio = ratio(results);
        if (ratio > 0)
        {
            System.out.printf(Locale.ROOT, "reference / offheap bytes per block: %.2fx%n", ratio);
        }
    }

    private static String json(final SharingWorkload workload, final List<Result> results)
    {
        final SharingWorkloadContext ctx = workload.context();
        final StringBuilder sb = new StringBuilder(512);
        sb.append("{\"machine\":\"").append(machine()).append('"')
            .append(",\"workload\":{\"owners\":").append(workload.owners())
            .append(",\"engineHashes\":\"").append(ctx.perOwnerEngineHashes() ? "per-owner" : "shared")
            .append("\",\"seed\":").append(ctx.seed())
            .append(",\"blocks\":").append(workload.liveBlocks())
            .append(",\"memberships\":").append(workload.memberships()).append('}');
        for (final Result r : results)
        {
            sb.append(",\"").append(r.kind).append("\":{")
                .append("\"offHeapUsedBytes\":").append(r.offHeapUsed)
                .append(",\"offHeapReservedBytes\":").append(r.offHeapReserved)
                .append(",\"nodeBytesPerBlock\":").append(perUnit(r.nodeBytes, workload.liveBlocks()))
                .append(",\"membershipBytesPerMembership\":").append(perUnit(r.membershipBytes, workload.memberships()))
                .append(",\"heapBytes\":").append(r.heapBytes)
                .append(",\"bytes\":").append(r.bytes)
                .append(",\"bytesPerBlock\":").append(String.format(Locale.ROOT, "%.2f", r.bytesPerBlock))
                .append(",\"bytesPerMembership\":").append(String.format(Locale.ROOT, "%.2f", r.bytesPerMembership))
                .append(",\"populateSeconds\":").append(String.format(Locale.ROOT, "%.3f", r.populateNanos / 1e9))
                .append('}');
        }
        final double ratio = ratio(results);
        sb.append(",\"referenceToOffHeapRatio\":")
            .append(ratio > 0 ? String.format(Locale.ROOT, "%.3f", ratio) : "null");
        return sb.append('}').toString();
    }

    private static String perUnit(final long bytes, final long units)
    {
        return bytes < 0 ? "null" : String.format(Locale.ROOT, "%.2f", (double)bytes / units);
    }

    private static double ratio(final List<Result> results)
    {
        double offHeap = -1;
        double reference = -1;
        for (final Result r : results)
        {
            offHeap = IndexFactory.OFF_HEAP.equals(r.kind) ? r.bytesPerBlock : offHeap;
            reference = IndexFactory.REFERENCE.equals(r.kind) ? r.bytesPerBlock : reference;
        }
        return offHeap > 0 && reference > 0 ? reference / offHeap : -1;
    }

    private static String machine()
    {
        final Runtime runtime = Runtime.getRuntime();
        return "JDK " + System.getProperty("java.vm.version") + " (" + System.getProperty("java.vm.name") + "), " +
            runtime.availableProcessors() + " CPUs, max heap " + (runtime.maxMemory() >> 20) + " MiB, " +
            System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }

    private static String orNa(final long value)
    {
        return value < 0 ? "n/a" : String.format("%,d", value);
    }

    private static String usage(final String problem)
    {
        System.err.println(problem);
        System.err.println("usage: MemoryFootprint [--kinds offheap,reference] [--blocks 1000000 | --sizes a,b,c] " +
            "[--owners 16] [--engine-hashes shared|per-owner] [--seed n]");
        System.exit(2);
        return null;
    }
}
