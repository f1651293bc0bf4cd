package io.kvindex.perf.ingest;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.kvindex.client.KvEventPublisher;
import io.kvindex.client.KvEventPublisherContext;
import io.kvindex.index.EventCounters;
import io.kvindex.index.EventStatus;
import io.kvindex.index.EventType;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.server.feed.AeronEventFeed;
import io.kvindex.server.feed.AeronFeedCounters;
import io.kvindex.server.pipeline.IngestPipeline;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code tools/perf ingest}: KV events from a {@link KvEventPublisher} through an embedded media driver over IPC
 * into an {@link AeronEventFeed}, the {@link IngestPipeline}'s ring and its index writer, into an
 * {@link OffHeapBlockIndex} preloaded with a million blocks: events and blocks applied per second, and bytes
 * allocated per event by the publishing and consuming threads. The events are {@link ChurnWorkload}'s: Stored and
 * Removed of 1 to 4 blocks, every one applied with status OK.
 * <p>
 * {@code --threads shared} (default, for 2-core pods) runs the feed and the writer as one composite agent on one
 * thread; {@code dedicated} gives each its own. The publisher has its own thread in both; the media driver is SHARED
 * and parks, so it takes little CPU. {@code stepped} runs everything on one thread in turns (publish a round, drain
 * it), which measures the consumer alone on one core, whatever else the machine runs.
 */
public final class AeronIngestBenchmark
{
    private static final int BLOCK_SIZE = 16;
    private static final String MODEL = "bench";
    private static final int PRELOAD_CHAIN = 64;
    private static final long PRELOAD_WORKER_BASE = 1_000_000L;
    private static final String STEPPED = "stepped";
    private static final int STEPPED_ROUND = 8192;

    private final Options options;
    private final List<Thread> consumerThreads = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile Thread publisherThread;
    private volatile Throwable failure;

    private AeronIngestBenchmark(final Options options)
    {
        this.options = options;
    }

    static final class Options
    {
        String transport = "ipc";
        String threads = "shared";
        double seconds = 10;
        double warmupSeconds = 3;
        int owners = 16;
        int chainLength = 256;
        int preloadBlocks = 1_000_000;
        int ringSize = 4096;
        int termLength = 16 * 1024 * 1024;
        boolean json;
    }

    /**
     * Run the benchmark.
     *
     * @param args {@code [--transport ipc] [--threads shared|dedicated|stepped] [--seconds S] [--warmup-seconds S]
     *             [--owners N] [--chain-length N] [--preload-blocks N] [--ring-size N] [--term-length BYTES]
     *             [--json]}.
     */
    public static void main(final String[] args)
    {
        final Options options = parse(args);
        if (!"ipc".equals(options.transport))
        {
            System.err.println("perf ingest: --transport " + options.transport + " is not implemented yet " +
                "(available: ipc)");
            System.exit(2);
        }
        new AeronIngestBenchmark(options).run();
    }

    private void run()
    {
        final String dir = uniqueAeronDir();
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(1, 1, 1_000, TimeUnit.MILLISECONDS.toNanos(1)))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(false)
            .ipcTermBufferLength(options.termLength)
            .publicationTermBufferLength(options.termLength));
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
        final OffHeapBlockIndex index = new OffHeapBlockIndex(new OffHeapBlockIndex.Context()
            .maxBlocks(options.preloadBlocks + 2 * options.owners * options.chainLength + 4096)
            .maxOwners(options.owners + options.preloadBlocks / PRELOAD_CHAIN / 64 + 64));
        IngestPipeline pipeline = null;
        AeronEventFeed feed = null;
        AgentRunner consumer = null;
        KvEventPublisher publisher = null;
        try
        {
            preload(index);
            pipeline = new IngestPipeline(new IngestPipeline.Context()
                .addIndex(index, BLOCK_SIZE)
                .ringSize(options.ringSize)
                .idleStrategy(consumerIdle())
                .threadFactory(capturing("index-writer")));
            feed = new AeronEventFeed(new AeronEventFeed.Context()
                .aeron(aeron)
                .pipeline(pipeline)
                .addRoute(MODEL, "", 0)
                .idleStrategy(consumerIdle())
                .threadFactory(capturing("aeron-feed")));
            consumer = startConsumers(pipeline, feed);
            publisher = KvEventPublisher.connect(new KvEventPublisherContext()
                .aeron(aeron)
                .model(MODEL)
                .blockSize(BLOCK_SIZE)
                .offerTimeoutNs(TimeUnit.SECONDS.toNanos(10))
                .idleStrategy(new BackoffIdleStrategy(10, 20, 1_000, TimeUnit.MICROSECONDS.toNanos(100))));
            measure(pipeline, feed, publisher);
        }
        finally
        {
            running.set(false);
            join(publisherThread);
            CloseHelper.closeAll(consumer, feed, pipeline, publisher, index, aeron, driver);
        }
    }

    private void measure(final IngestPipeline pipeline, final AeronEventFeed feed, final KvEventPublisher publisher)
    {
        if (!publisher.awaitConnected(TimeUnit.SECONDS.toNanos(10)))
        {
            throw new IllegalStateException("publisher never connected");
        }
        if (STEPPED.equals(options.threads))
        {
            measureStepped(pipeline, feed, publisher);
            return;
        }
        final ChurnWorkload workload = new ChurnWorkload(options.owners, options.chainLength, 1);
        final Thread thread = new Thread(() -> publish(workload, publisher), "publisher");
        publisherThread = thread;
        thread.start();

        sleep(options.warmupSeconds);
        final long appliedBefore = pipeline.counters().applied();
        final long allocatedBefore = allocatedBytes();
        final long publisherCpuBefore = cpuNanos(true);
        final long consumerCpuBefore = cpuNanos(false);
        final long gcBefore = gcCount();
        final long startNs = System.nanoTime();
        sleep(options.seconds);
        final long appliedAfter = pipeline.counters().applied();
        final long allocatedAfter = allocatedBytes();
        final long publisherCpu = cpuNanos(true) - publisherCpuBefore;
        final long consumerCpu = cpuNanos(false) - consumerCpuBefore;
        final long elapsedNs = System.nanoTime() - startNs;
        final long gcAfter = gcCount();
        running.set(false);
        join(thread);
        awaitTrue(() -> pipeline.counters().applied() == publisher.publishedCount());
        if (null != failure)
        {
            throw new IllegalStateException("publisher failed", failure);
        }

        final long events = appliedAfter - appliedBefore;
        final double eventsPerSec = events * 1e9 / elapsedNs;
        final double blocksPerEvent = (double)workload.blocks() / (workload.storedEvents() + workload.removedEvents());
        final EventCounters statuses = pipeline.writer().applier(0).indexCounters();
        final long notOk = statuses.total(EventType.STORED) - statuses.get(EventType.STORED, EventStatus.OK) +
            statuses.total(EventType.REMOVED) - statuses.get(EventType.REMOVED, EventStatus.OK);
        final StringBuilder sb = new StringBuilder(512).append('{');
        field(sb, "transport", '"' + options.transport + '"');
        field(sb, "threads", '"' + options.threads + '"');
        field(sb, "seconds", round2(elapsedNs / 1e9));
        field(sb, "events", events);
        field(sb, "events_per_sec", Math.round(eventsPerSec));
        field(sb, "blocks_per_sec", Math.round(eventsPerSec * blocksPerEvent));
        field(sb, "alloc_bytes_per_event", round2((double)(allocatedAfter - allocatedBefore) / Math.max(1, events)));
        field(sb, "blocks_per_event", round2(blocksPerEvent));
        field(sb, "publisher_cpu_ns_per_event", round2((double)publisherCpu / Math.max(1, events)));
        field(sb, "consumer_cpu_ns_per_event", round2((double)consumerCpu / Math.max(1, events)));
        field(sb, "publisher_cpu_share", round2((double)publisherCpu / elapsedNs));
        field(sb, "consumer_cpu_share", round2((double)consumerCpu / elapsedNs));
        field(sb, "stored_events", workload.storedEvents());
        field(sb, "removed_events", workload.removedEvents());
        field(sb, "events_not_ok", notOk);
        field(sb, "owners", options.owners);
        field(sb, "chain_length", options.chainLength);
        field(sb, "preload_blocks", options.preloadBlocks);
        field(sb, "ring_size", options.ringSize);
        field(sb, "term_length", options.termLength);
        field(sb, "back_pressured_polls", feed.counters().get(AeronFeedCounters.BACK_PRESSURED));
        field(sb, "publisher_back_pressure_retries", publisher.backPressureRetries());
        field(sb, "gc_count", gcAfter - gcBefore);
        sb.append("\"machine\":\"").append(machine()).append("\"}");
        if (!options.json)
        {
            System.out.printf(Locale.ROOT, "%s%nAeron IPC ingest (%s threads): %,.0f events/s, %,.0f blocks/s, " +
                "%.2f B allocated per event, %d events not OK%n", machine(), options.threads, eventsPerSec,
                eventsPerSec * blocksPerEvent, (double)(allocatedAfter - allocatedBefore) / Math.max(1, events), notOk);
        }
        System.out.println(sb);
    }

    /**
     * One thread in turns: publish a round of events (well within the term window), then drain them through the feed
     * and the writer. The drain time gives what one core does as the consumer, with no other thread in the way.
     */
    private void measureStepped(
        final IngestPipeline pipeline, final AeronEventFeed feed, final KvEventPublisher publisher)
    {
        final ChurnWorkload workload = new ChurnWorkload(options.owners, options.chainLength, 1);
        final CompositeAgent consumer = new CompositeAgent(feed.agent(), pipeline.writer());
        publisherThread = Thread.currentThread();
        final long warmupNs = (long)(options.warmupSeconds * 1e9);
        final long budgetNs = (long)(options.seconds * 1e9);
        final java.lang.management.ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long publishNs = 0;
        long drainNs = 0;
        long drainCpuNs = 0;
        long events = 0;
        long blocksBefore = 0;
        long allocatedBefore = 0;
        boolean warm = false;
        final long startNs = System.nanoTime();
        while (true)
        {
            final long now = System.nanoTime();
            if (!warm && now - startNs >= warmupNs)
            {
                warm = true;
                blocksBefore = workload.blocks();
                allocatedBefore = allocatedBytes();
            }
            if (warm && publishNs + drainNs >= budgetNs)
            {
                break;
            }
            final long published = pipeline.counters().applied() + STEPPED_ROUND;
            for (int i = 0; i < STEPPED_ROUND; i++)
            {
                if (workload.publishNext(publisher) < 0)
                {
                    throw new IllegalStateException("publish failed");
                }
            }
            final long drainStart = System.nanoTime();
            final long cpuStart = cpu.getCurrentThreadCpuTime();
            drain(consumer, pipeline, published);
            final long cpuEnd = cpu.getCurrentThreadCpuTime();
            final long drainEnd = System.nanoTime();
            if (warm)
            {
                drainCpuNs += cpuEnd - cpuStart;
                publishNs += drainStart - now;
                drainNs += drainEnd - drainStart;
                events += STEPPED_ROUND;
            }
        }
        final long allocated = allocatedBytes() - allocatedBefore;
        final double blocksPerEvent = (double)(workload.blocks() - blocksBefore) / events;
        final StringBuilder sb = new StringBuilder(512).append('{');
        field(sb, "transport", '"' + options.transport + '"');
        field(sb, "threads", '"' + STEPPED + '"');
        field(sb, "seconds", round2((publishNs + drainNs) / 1e9));
        field(sb, "events", events);
        field(sb, "events_per_sec", Math.round(events * 1e9 / (publishNs + drainNs)));
        field(sb, "blocks_per_sec", Math.round(events * blocksPerEvent * 1e9 / (publishNs + drainNs)));
        field(sb, "alloc_bytes_per_event", round2((double)allocated / events));
        field(sb, "blocks_per_event", round2(blocksPerEvent));
        field(sb, "consumer_events_per_sec", Math.round(events * 1e9 / drainNs));
        field(sb, "consumer_blocks_per_sec", Math.round(events * blocksPerEvent * 1e9 / drainNs));
        field(sb, "consumer_cpu_ns_per_event", round2((double)drainCpuNs / events));
        field(sb, "consumer_events_per_cpu_sec", Math.round(events * 1e9 / drainCpuNs));
        field(sb, "publisher_events_per_sec", Math.round(events * 1e9 / publishNs));
        field(sb, "owners", options.owners);
        field(sb, "chain_length", options.chainLength);
        field(sb, "preload_blocks", options.preloadBlocks);
        field(sb, "ring_size", options.ringSize);
        field(sb, "gc_count", gcCount());
        sb.append("\"machine\":\"").append(machine()).append("\"}");
        if (!options.json)
        {
            System.out.printf(Locale.ROOT, "%s%nAeron IPC ingest, one thread in turns: %,.0f events/s overall; " +
                "feed + writer alone %,.0f events/s (%,.0f blocks/s)%n", machine(),
                events * 1e9 / (publishNs + drainNs), events * 1e9 / drainNs, events * blocksPerEvent * 1e9 / drainNs);
        }
        System.out.println(sb);
    }

    private static void drain(final CompositeAgent consumer, final IngestPipeline pipeline, final long applied)
    {
        try
        {
            while (pipeline.counters().applied() < applied)
            {
                consumer.doWork();
            }
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private void publish(final ChurnWorkload workload, final KvEventPublisher publisher)
    {
        try
        {
            while (running.get())
            {
                for (int i = 0; i < 64; i++)
                {
                    final long result = workload.publishNext(publisher);
                    if (result < 0)
                    {
                        throw new IllegalStateException("publish returned " + result);
                    }
                }
            }
        }
        catch (final Throwable ex)
        {
            failure = ex;
        }
    }

    private AgentRunner startConsumers(final IngestPipeline pipeline, final AeronEventFeed feed)
    {
        if (STEPPED.equals(options.threads))
        {
            return null;
        }
        if ("dedicated".equals(options.threads))
        {
            pipeline.start();
            feed.start();
            return null;
        }
        final AgentRunner runner = new AgentRunner(consumerIdle(), Throwable::printStackTrace, null,
            new CompositeAgent(feed.agent(), pipeline.writer()));
        AgentRunner.startOnThread(runner, capturing("feed-and-writer"));
        return runner;
    }

    /**
     * Fill the index with chains of 64 blocks of other owners, so that the writer works on an index of realistic size.
     */
    private void preload(final OffHeapBlockIndex index)
    {
        final long[] engine = new long[PRELOAD_CHAIN];
        final long[] local = new long[PRELOAD_CHAIN];
        for (int chain = 0; chain < options.preloadBlocks / PRELOAD_CHAIN; chain++)
        {
            for (int b = 0; b < PRELOAD_CHAIN; b++)
            {
                engine[b] = ChurnWorkload.mix(0x7000_0000_0000_0000L + (long)chain * PRELOAD_CHAIN + b);
                local[b] = ChurnWorkload.mix(0x6000_0000_0000_0000L + (long)chain * PRELOAD_CHAIN + b);
            }
            final int status = index.store(PRELOAD_WORKER_BASE + chain / 64, 0, false, 0, engine, local, PRELOAD_CHAIN);
            if (EventStatus.OK != status)
            {
                throw new IllegalStateException("preload store returned " + EventStatus.name(status));
            }
        }
    }

    private IdleStrategy consumerIdle()
    {
        return new BackoffIdleStrategy(100, 10, 1_000, TimeUnit.MICROSECONDS.toNanos(100));
    }

    private ThreadFactory capturing(final String name)
    {
        return (runnable) ->
        {
            final Thread thread = new Thread(runnable, name);
            synchronized (consumerThreads)
            {
                consumerThreads.add(thread);
            }
            return thread;
        };
    }

    private long allocatedBytes()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        long bytes = Math.max(0, threads.getThreadAllocatedBytes(publisherThread.getId()));
        synchronized (consumerThreads)
        {
            for (final Thread thread : consumerThreads)
            {
                bytes += Math.max(0, threads.getThreadAllocatedBytes(thread.getId()));
            }
        }
        return bytes;
    }

    /**
     * CPU time of the publisher thread, or of the consumer threads: on a shared machine, CPU per event says what a
     * core can do when throughput says only what the core was given.
     */
    private long cpuNanos(final boolean publisher)
    {
        final java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (publisher)
        {
            return Math.max(0, threads.getThreadCpuTime(publisherThread.getId()));
        }
        long nanos = 0;
        synchronized (consumerThreads)
        {
            for (final Thread thread : consumerThreads)
            {
                nanos += Math.max(0, threads.getThreadCpuTime(thread.getId()));
            }
        }
        return nanos;
    }

    private static void awaitTrue(final java.util.function.BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("the writer did not catch up with the publisher");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static void sleep(final double seconds)
    {
        LockSupport.parkNanos((long)(seconds * 1e9));
    }

    private static void join(final Thread thread)
    {
        if (null != thread)
        {
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
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

    private static void field(final StringBuilder sb, final String name, final Object value)
    {
        sb.append('"').append(name).append("\":").append(value).append(',');
    }

    private static double round2(final double value)
    {
        return Double.isFinite(value) ? Math.round(value * 100) / 100.0 : -1;
    }

    private static String machine()
    {
        return "JDK " + System.getProperty("java.vm.version") + ", " + Runtime.getRuntime().availableProcessors() +
            " CPUs, max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB, " + System.getProperty("os.name") +
            " " + System.getProperty("os.arch");
    }

    private static String uniqueAeronDir()
    {
        final Path shm = Path.of("/dev/shm");
        final Path base = Files.isDirectory(shm) && Files.isWritable(shm) ?
            shm : Path.of(System.getProperty("java.io.tmpdir"));
        return base.resolve("kvindex-perf-ingest-" + ProcessHandle.current().pid() + "-" +
            Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0xFFFFFF)).toString();
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
                case "--transport" -> options.transport = value;
                case "--threads" -> options.threads = value;
                case "--seconds" -> options.seconds = Double.parseDouble(value);
                case "--warmup-seconds" -> options.warmupSeconds = Double.parseDouble(value);
                case "--owners" -> options.owners = Integer.parseInt(value);
                case "--chain-length" -> options.chainLength = Integer.parseInt(value);
                case "--preload-blocks" -> options.preloadBlocks = Integer.parseInt(value);
                case "--ring-size" -> options.ringSize = Integer.parseInt(value);
                case "--term-length" -> options.termLength = Integer.parseInt(value);
                default -> usage("unknown option " + arg);
            }
        }
        if (!"shared".equals(options.threads) && !"dedicated".equals(options.threads) &&
            !STEPPED.equals(options.threads))
        {
            usage("--threads must be shared, dedicated or stepped");
        }
        if (options.owners < 1 || options.chainLength < 1 || options.chainLength > 65_536)
        {
            usage("--owners must be >= 1 and --chain-length in [1, 65536]");
        }
        return options;
    }

    private static String usage(final String problem)
    {
        if (null != problem)
        {
            System.err.println("perf ingest: " + problem);
        }
        System.err.println("usage: perf ingest [--transport ipc] [--threads shared|dedicated|stepped] [--seconds 10] " +
            "[--warmup-seconds 3] [--owners 16] [--chain-length 256] [--preload-blocks 1000000] [--ring-size 4096] " +
            "[--term-length 16777216] [--json]");
        System.exit(null == problem ? 0 : 2);
        return null;
    }
}
