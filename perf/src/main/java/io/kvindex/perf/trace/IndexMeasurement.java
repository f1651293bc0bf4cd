package io.kvindex.perf.trace;

import io.kvindex.index.BlockIndex;
import io.kvindex.perf.IndexFactory;
import org.HdrHistogram.Histogram;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.ref.Reference;

/**
 * One implementation's measurement over a recorded stream: pass 0 on one thread records every answer and the index's
 * memory at the end of the trace, then timed passes from an empty index until the time budget is spent (with
 * {@code --threads 2}, the second half of the budget with events on a writer thread). GC counts and pause times are
 * taken around the timed passes only.
 */
final class IndexMeasurement
{
    static final long HISTOGRAM_MAX_NS = 3_600_000_000_000L;

    String kind;
    int threads;
    int passes;
    long nanos;
    long singlePasses;
    long singleNanos;
    Histogram latencies = new Histogram(HISTOGRAM_MAX_NS, 3);
    Histogram singleLatencies = new Histogram(HISTOGRAM_MAX_NS, 3);
    long[] digests;
    boolean matchesEngines;
    long bytes;
    long reservedBytes;
    long liveBlocks;
    long branchEntries;
    long memberships;
    long gcCount;
    long gcMillis;
    long cpuNanos;
    long wallNanos;
    long failedEvents;
    long retries;

    static IndexMeasurement measure(
        final ReplayStream stream,
        final ReplayOptions options,
        final String kind,
        final int threads,
        final ReplayProgress progress)
    {
        final IndexMeasurement result = new IndexMeasurement();
        result.kind = kind;
        result.threads = threads;
        progress.phase(kind + " pass 0 (verify)");
        final long heapBefore = settledHeapUsed();
        final BlockIndex index = IndexFactory.create(kind, options.capacity(stream), options.workers);
        try
        {
            final StreamReplayer replayer = new StreamReplayer(stream);
            progress.replayer(replayer);
            result.digests = new long[stream.queries()];
            replayer.replay(index, null, result.digests);
            result.matchesEngines = matchesEngines(stream, result.digests);
            result.memberships = IndexFactory.stat(index, IndexFactory.MEMBERSHIPS);
            result.bytes = IndexFactory.stat(index, IndexFactory.USED_BYTES);
            result.reservedBytes = IndexFactory.stat(index, IndexFactory.RESERVED_BYTES);
            result.liveBlocks = IndexFactory.stat(index, IndexFactory.LIVE_BLOCKS);
            result.branchEntries = IndexFactory.stat(index, IndexFactory.BRANCH_ENTRIES);
            if (result.bytes < 0)
            {
                result.bytes = settledHeapUsed() - heapBefore;
            }
            result.timedPasses(index, replayer, options, progress);
            result.failedEvents = replayer.failedEvents();
            result.retries = replayer.queryRetries();
            Reference.reachabilityFence(index);
        }
        finally
        {
            index.close();
            progress.replayer(null);
        }
        return result;
    }

    private void timedPasses(
        final BlockIndex index,
        final StreamReplayer replayer,
        final ReplayOptions options,
        final ReplayProgress progress)
    {
        final long budget = (long)(options.seconds * 1e9);
        final long singleBudget = threads > 1 ? budget / 2 : budget;
        final long cpuStart = threadCpuNanos();
        final long start = System.nanoTime();
        do
        {
            final boolean single = threads == 1 || System.nanoTime() - start < singleBudget;
            progress.phase(kind + (single ? " 1 thread" : " " + threads + " threads"));
            replayer.clear(index);
            final long gcCountBefore = gcCount();
            final long gcMillisBefore = gcMillis();
            if (single)
            {
                singleNanos += replayer.replay(index, singleLatencies, null);
                singlePasses++;
            }
            else
            {
                nanos += replayer.replayConcurrently(index, latencies, options.lagOps);
                passes++;
            }
            gcCount += gcCount() - gcCountBefore;
            gcMillis += gcMillis() - gcMillisBefore;
            progress.passDone();
        }
        while (System.nanoTime() - start < budget || (threads > 1 && passes == 0));
        wallNanos = System.nanoTime() - start;
        cpuNanos = threadCpuNanos() - cpuStart;
        if (threads == 1)
        {
            passes = (int)singlePasses;
            nanos = singleNanos;
            latencies = singleLatencies;
        }
    }

    private static boolean matchesEngines(final ReplayStream stream, final long[] digests)
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

    /**
     * CPU time of the calling thread, or 0 when the JVM cannot measure it.
     */
    static long threadCpuNanos()
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        return threads.isCurrentThreadCpuTimeSupported() ? Math.max(0, threads.getCurrentThreadCpuTime()) : 0;
    }

    /**
     * The share of a core the measuring thread had during the timed passes: below 1 when other work on the machine
     * took the core away (or, with two threads, while it waited for the writer).
     */
    double cpuShare()
    {
        return wallNanos > 0 ? Math.round(100.0 * cpuNanos / wallNanos) / 100.0 : 0.0;
    }

    static long gcCount()
    {
        long count = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }

    static long gcMillis()
    {
        long millis = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            millis += Math.max(0, gc.getCollectionTime());
        }
        return millis;
    }

    static long settledHeapUsed()
    {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++)
        {
            System.gc();
            least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    static String machine()
    {
        return "JDK " + System.getProperty("java.vm.version") + ", " + Runtime.getRuntime().availableProcessors() +
            " CPUs, max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB, " + System.getProperty("os.name") +
            " " + System.getProperty("os.arch");
    }
}
