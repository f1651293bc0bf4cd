package io.kvindex.perf.trace;

import io.kvindex.mockengine.Admission;
import io.kvindex.mockengine.BatchListener;
import io.kvindex.mockengine.EngineSimulation;
import io.kvindex.mockengine.EventFormat;
import io.kvindex.mockengine.HashFormat;
import io.kvindex.mockengine.MockEngineContext;
import io.kvindex.mockengine.Prompt;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How fast the mock engine generates KV events without any network: the Mooncake conversation trace driven through
 * an {@link EngineSimulation} in simulated time (arrivals at the trace's timestamps, the engine's timing model,
 * prefix reuse and LRU eviction), every batch fully encoded (token ids included) and handed to a listener that
 * counts it. Each pass starts from an empty engine (built untimed); warm-up passes, then timed passes until the time
 * budget is spent. Reports simulated requests per second of wall time, batches, events, stored blocks and payload
 * bytes per second, and the wall time of each admission (HdrHistogram, every request).
 * <p>
 * {@code MockEngineBenchmark [--trace file] [--block-size 512] [--capacity-blocks 16384] [--dp-ranks 1]
 * [--seconds 10] [--warmup-passes 2] [--requests all] [--event-format map|array] [--hash-format uint64|int64]
 * [--step-us 0] [--json]}
 */
public final class MockEngineBenchmark
{
    private static final long PROGRESS_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    static final class Options
    {
        Path trace;
        int blockSize = MooncakeTrace.BLOCK_SIZE;
        int capacityBlocks = 16_384;
        int dpRanks = 1;
        double seconds = 10;
        int warmupPasses = 2;
        int requests = Integer.MAX_VALUE;
        EventFormat eventFormat = EventFormat.MAP;
        HashFormat hashFormat = HashFormat.UINT64;
        double stepUs;
        boolean json;
    }

    /**
     * Counts what the engine publishes and reads a byte of every payload, so nothing is optimised away.
     */
    static final class CountingListener implements BatchListener
    {
        long batches;
        long bytes;
        long checksum;

        @Override
        public void onBatch(final int dpRank, final long seq, final byte[] buffer, final int offset, final int length)
        {
            batches++;
            bytes += length;
            checksum += buffer[offset + length - 1] + seq;
        }
    }

    private final Options options;
    private final int[][] hashIds;
    private final int[] inputLengths;
    private final int[] outputLengths;
    private final long[] arrivalsNs;
    private final Histogram admitNs = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private long requests;
    private long batches;
    private long events;
    private long storedBlocks;
    private long evictedBlocks;
    private long hitBlocks;
    private long promptBlocks;
    private long bytes;
    private long nanos;
    private long cpuNanos;
    private long checksum;

    private MockEngineBenchmark(final Options options, final MooncakeTrace trace)
    {
        this.options = options;
        final int count = trace.requestCount();
        hashIds = new int[count][];
        inputLengths = new int[count];
        outputLengths = new int[count];
        arrivalsNs = new long[count];
        for (int r = 0; r < count; r++)
        {
            hashIds[r] = new int[trace.hashIdCount(r)];
            for (int b = 0; b < hashIds[r].length; b++)
            {
                hashIds[r][b] = trace.hashId(r, b);
            }
            inputLengths[r] = trace.inputLength(r);
            outputLengths[r] = trace.outputLength(r);
            arrivalsNs[r] = TimeUnit.MILLISECONDS.toNanos(trace.timestampMs(r));
        }
    }

    /**
     * Run the benchmark.
     *
     * @param args see the class comment.
     * @throws IOException when the trace cannot be read.
     */
    public static void main(final String[] args) throws IOException
    {
        final Options options = parse(args);
        final Path file = null != options.trace ? options.trace : TraceFiles.conversationTrace();
        if (null == file || !file.toFile().isFile())
        {
            System.err.println("mock engine benchmark: skipped: Mooncake trace not found (" +
                TraceFiles.CONVERSATION_TRACE + " above the working directory; set KVINDEX_TRACE or --trace)");
            if (options.json)
            {
                System.out.println("{\"skipped\":true,\"reason\":\"trace not found\"}");
            }
            return;
        }
        final MockEngineBenchmark benchmark = new MockEngineBenchmark(options, MooncakeTrace.load(file,
            options.requests));
        benchmark.run();
    }

    private MockEngineContext context()
    {
        return new MockEngineContext().blockSize(options.blockSize).capacityBlocks(options.capacityBlocks)
            .dpRanks(options.dpRanks).eventFormat(options.eventFormat).hashFormat(options.hashFormat)
            .stepUs(options.stepUs).timeScale(1).seed(42).conclude();
    }

    private void run()
    {
        final long start = System.nanoTime();
        long nextProgress = start + PROGRESS_INTERVAL_NS;
        for (int pass = 0; pass < options.warmupPasses; pass++)
        {
            pass(false);
            System.err.printf(Locale.ROOT, "mock engine benchmark: warm-up pass %d done%n", pass + 1);
        }
        final long budget = (long)(options.seconds * 1e9);
        final long gcCount = gcCount();
        final long gcMillis = gcMillis();
        final long timedStart = System.nanoTime();
        int passes = 0;
        do
        {
            pass(true);
            passes++;
            if (System.nanoTime() - nextProgress >= 0)
            {
                nextProgress += PROGRESS_INTERVAL_NS;
                System.err.printf(Locale.ROOT, "mock engine benchmark: %d timed passes, %,.0f requests/s so far%n",
                    passes, requests * 1e9 / nanos);
            }
        }
        while (System.nanoTime() - timedStart < budget);
        print(passes, gcCount() - gcCount, gcMillis() - gcMillis);
    }

    private void pass(final boolean timed)
    {
        final CountingListener listener = new CountingListener();
        final EngineSimulation engine = new EngineSimulation(context(), 0, listener);
        final Prompt prompt = new Prompt();
        final Admission admission = new Admission();
        final Histogram histogram = timed ? admitNs : null;
        long passPromptBlocks = 0;
        final long passCpuStart = THREADS.getCurrentThreadCpuTime();
        final long passStart = System.nanoTime();
        for (int r = 0; r < hashIds.length; r++)
        {
            prompt.trace(hashIds[r], hashIds[r].length, inputLengths[r]);
            final long before = System.nanoTime();
            engine.admitAt(prompt, outputLengths[r], -1, arrivalsNs[r], admission);
            if (null != histogram)
            {
                histogram.recordValue(Math.min(System.nanoTime() - before, histogram.getHighestTrackableValue()));
            }
            passPromptBlocks += admission.promptBlocks();
        }
        engine.flush(Long.MAX_VALUE / 2);
        final long passNanos = System.nanoTime() - passStart;
        final long passCpuNanos = THREADS.getCurrentThreadCpuTime() - passCpuStart;
        if (timed)
        {
            nanos += passNanos;
            cpuNanos += passCpuNanos;
            requests += engine.requests();
            batches += listener.batches;
            events += engine.events();
            storedBlocks += engine.storedBlocks();
            evictedBlocks += engine.evictedBlocks();
            hitBlocks += engine.hitBlocks();
            promptBlocks += passPromptBlocks;
            bytes += listener.bytes;
        }
        checksum += listener.checksum;
    }

    private void print(final int passes, final long gcCount, final long gcMillis)
    {
        final double seconds = nanos / 1e9;
        final StringBuilder sb = new StringBuilder("{");
        field(sb, "requests_per_sec", Math.round(requests / seconds));
        field(sb, "requests_per_cpu_sec", Math.round(requests / (cpuNanos / 1e9)));
        field(sb, "cpu_utilization", round2((double)cpuNanos / nanos));
        field(sb, "batches_per_sec", Math.round(batches / seconds));
        field(sb, "events_per_sec", Math.round(events / seconds));
        field(sb, "stored_blocks_per_sec", Math.round(storedBlocks / seconds));
        field(sb, "evicted_blocks_per_sec", Math.round(evictedBlocks / seconds));
        field(sb, "payload_mib_per_sec", round2(bytes / seconds / (1 << 20)));
        field(sb, "payload_bytes_per_request", requests > 0 ? bytes / requests : 0);
        field(sb, "hit_ratio", round2((double)hitBlocks / Math.max(1, promptBlocks)));
        field(sb, "admit_p50_ns", admitNs.getValueAtPercentile(50));
        field(sb, "admit_p99_ns", admitNs.getValueAtPercentile(99));
        field(sb, "admit_p999_ns", admitNs.getValueAtPercentile(99.9));
        field(sb, "admit_max_ns", admitNs.getMaxValue());
        field(sb, "requests_per_pass", hashIds.length);
        field(sb, "passes", passes);
        field(sb, "block_size", options.blockSize);
        field(sb, "capacity_blocks", options.capacityBlocks);
        field(sb, "dp_ranks", options.dpRanks);
        field(sb, "event_format", "\"" + options.eventFormat.name().toLowerCase(Locale.ROOT) + "\"");
        field(sb, "gc_count", gcCount);
        field(sb, "gc_pause_ms", gcMillis);
        field(sb, "checksum", checksum);
        sb.append("\"machine\":\"").append(machine()).append("\"}");
        if (!options.json)
        {
            System.out.printf(Locale.ROOT, "%s%nmock engine: %,.0f simulated requests/s (%,.0f per CPU second of " +
                "its thread; block size %d, capacity %d blocks, %d rank(s)), %,.0f events/s, %,.0f stored blocks/s, " +
                "%.1f MiB/s of payload, admit p50/p99/p99.9 %d/%d/%d ns, hit ratio %.2f%n", machine(),
                requests / seconds, requests / (cpuNanos / 1e9),
                options.blockSize, options.capacityBlocks, options.dpRanks, events / seconds, storedBlocks / seconds,
                bytes / seconds / (1 << 20), admitNs.getValueAtPercentile(50), admitNs.getValueAtPercentile(99),
                admitNs.getValueAtPercentile(99.9), (double)hitBlocks / Math.max(1, promptBlocks));
        }
        System.out.println(sb);
    }

    private static void field(final StringBuilder sb, final String name, final Object value)
    {
        sb.append('"').append(name).append("\":").append(value).append(',');
    }

    private static double round2(final double value)
    {
        return Double.isFinite(value) ? Math.round(value * 100) / 100.0 : -1;
    }

    private static long gcCount()
    {
        long count = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }

    private static long gcMillis()
    {
        long millis = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            millis += Math.max(0, gc.getCollectionTime());
        }
        return millis;
    }

    private static String machine()
    {
        return "JDK " + System.getProperty("java.vm.version") + ", " + Runtime.getRuntime().availableProcessors() +
            " CPUs, max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB, " + System.getProperty("os.name") +
            " " + System.getProperty("os.arch");
    }

    static Options parse(final String[] args)
    {
        final Options options = new Options();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if ("--json".equals(arg))
            {
                options.json = true;
                continue;
            }
            if ("--help".equals(arg) || "-h".equals(arg))
            {
                usage(null);
            }
            final String value = ++i < args.length ? args[i].replace("_", "") : usage("missing value for " + arg);
            switch (arg)
            {
                case "--trace" -> options.trace = Path.of(args[i]);
                case "--block-size" -> options.blockSize = Integer.parseInt(value);
                case "--capacity-blocks" -> options.capacityBlocks = Integer.parseInt(value);
                case "--dp-ranks" -> options.dpRanks = Integer.parseInt(value);
                case "--seconds" -> options.seconds = Double.parseDouble(value);
                case "--warmup-passes" -> options.warmupPasses = Integer.parseInt(value);
                case "--requests" -> options.requests = Integer.parseInt(value);
                case "--event-format" -> options.eventFormat = EventFormat.valueOf(value.toUpperCase(Locale.ROOT));
                case "--hash-format" -> options.hashFormat = HashFormat.valueOf(value.toUpperCase(Locale.ROOT));
                case "--step-us" -> options.stepUs = Double.parseDouble(value);
                default -> usage("unknown option " + arg);
            }
        }
        return options;
    }

    private static String usage(final String problem)
    {
        if (null != problem)
        {
            System.err.println("mock engine benchmark: " + problem);
        }
        System.err.println("usage: MockEngineBenchmark [--trace file] [--block-size 512] [--capacity-blocks 16384] " +
            "[--dp-ranks 1] [--seconds 10] [--warmup-passes 2] [--requests all] [--event-format map|array] " +
            "[--hash-format uint64|int64] [--step-us 0] [--json]");
        System.exit(null == problem ? 0 : 2);
        return null;
    }
}
