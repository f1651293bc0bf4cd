package io.kvindex.server.relay;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.kvindex.client.KvEventProtocol;
import io.kvindex.client.KvEventPublisher;
import io.kvindex.client.KvEventPublisherContext;
import io.kvindex.server.feed.EngineEventApplier;
import io.kvindex.server.feed.KvEventBatchDecoder;
import io.kvindex.server.feed.ZmqEngineFeed;
import io.kvindex.server.query.IndexRegistry;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.zeromq.ZContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Subscribes to engines' ZMQ KV-event feeds and republishes their events on one Aeron channel as KV event messages
 * ({@code docs/event-protocol.md}), so that many indexer replicas share one decode and one set of engine
 * connections: UDP unicast to one replica, multicast or multi-destination-cast to many, or IPC on the same host.
 * <p>
 * Each engine is a {@link ZmqEngineFeed} decoding as the indexer's own ZMQ feed does (every encoding, filtering by
 * medium and group, block size cuts, duplicate hashes) and computing local hashes from the token ids with the
 * relay's block size and each event's LoRA seed, so indexers receive BlocksStored with local hashes and never hash.
 * One agent drains every feed and publishes with a {@link KvEventPublisher}; events for one owner keep their order.
 * Events published while no indexer is connected, or back-pressured past the offer timeout, are counted by the
 * publisher and lost to the indexers, as a ZMQ PUB past its high-water mark loses them.
 */
public final class ZmqRelay implements AutoCloseable
{
    private final Context ctx;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final KvEventPublisher publisher;
    private final ZContext zmq;
    private final List<ZmqEngineFeed> feeds;
    private final ZmqRelayAgent agent;
    private AgentRunner runner;

    private ZmqRelay(final Context ctx)
    {
        this.ctx = ctx;
        final boolean ownsAeron = null == ctx.aeron();
        MediaDriver driver = null;
        Aeron aeron = ctx.aeron();
        KvEventPublisher publisher = null;
        ZContext zmq = null;
        try
        {
            if (ownsAeron && ctx.embeddedDriver())
            {
                driver = MediaDriver.launch(ctx.driverContext());
            }
            if (ownsAeron)
            {
                aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(ctx.aeronDirectoryName()));
            }
            publisher = KvEventPublisher.connect(new KvEventPublisherContext()
                .aeron(aeron)
                .channel(ctx.channel())
                .streamId(ctx.streamId())
                .model(ctx.model())
                .tenant(ctx.tenant())
                .blockSize(ctx.blockSize())
                .offerTimeoutNs(ctx.offerTimeoutNs()));
            zmq = new ZContext(1);
            final List<ZmqEngineFeed> feeds = new ArrayList<>();
            for (final Engine engine : ctx.engines())
            {
                feeds.add(new ZmqEngineFeed(zmq, engine.endpoint(), false, ctx.topic(), engine.workerId(),
                    engine.dpRank(), new KvEventBatchDecoder(), new EngineEventApplier(
                    new RelayEventSink(publisher, engine.dpRank()), ctx.blockSize(),
                    KvEventBatchDecoder.DEFAULT_MAX_MM_HASHES)));
            }
            this.feeds = Collections.unmodifiableList(feeds);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(zmq, publisher, ownsAeron ? aeron : null, driver);
            throw ex;
        }
        this.driver = driver;
        this.aeron = ownsAeron ? aeron : null;
        this.publisher = publisher;
        this.zmq = zmq;
        this.agent = new ZmqRelayAgent(feeds.toArray(new ZmqEngineFeed[0]));
    }

    /**
     * Start a relay: media driver (embedded unless configured otherwise), publication, engine sockets, and the agent
     * on its own thread.
     *
     * @param ctx the configuration; concluded here.
     * @return the running relay.
     */
    public static ZmqRelay launch(final Context ctx)
    {
        final ZmqRelay relay = new ZmqRelay(ctx.conclude());
        relay.runner = new AgentRunner(ctx.idleStrategy(), ctx.errorHandler(), null, relay.agent);
        AgentRunner.startOnThread(relay.runner, ctx.threadFactory());
        return relay;
    }

    /**
     * The engine feeds, in the order of {@link Context#engines()}, for their counters (approximate while running).
     *
     * @return the feeds.
     */
    public List<ZmqEngineFeed> feeds()
    {
        return feeds;
    }

    /**
     * The publisher, for its counters (readable from any thread).
     *
     * @return the publisher.
     */
    public KvEventPublisher publisher()
    {
        return publisher;
    }

    /**
     * The concluded configuration.
     *
     * @return the context.
     */
    public Context context()
    {
        return ctx;
    }

    /**
     * Stop the agent, close the engine sockets and the publication, then the Aeron client and the embedded driver
     * when the relay created them.
     */
    @Override
    public void close()
    {
        CloseHelper.closeAll(runner, zmq, publisher, aeron, driver);
    }

    /**
     * One engine stream: a ZMQ endpoint the relay connects to, and the owner its events belong to.
     *
     * @param endpoint e.g. {@code tcp://10.0.0.5:5557}.
     * @param workerId the engine's worker id.
     * @param dpRank   the rank of this stream; a rank in a batch overrides it.
     */
    public record Engine(String endpoint, long workerId, int dpRank)
    {
    }

    /**
     * Settings of a {@link ZmqRelay}: a property name, a default and a setter each.
     */
    public static final class Context
    {
        /** Property: Aeron channel events are published on. */
        public static final String CHANNEL_PROP_NAME = "kvindex.relay.channel";
        /** Property: Aeron stream id events are published on. */
        public static final String STREAM_ID_PROP_NAME = "kvindex.relay.stream.id";
        /** Property: tokens per block of the engines. */
        public static final String BLOCK_SIZE_PROP_NAME = "kvindex.relay.block.size";
        /** Property: term length of the embedded driver's publications. */
        public static final String TERM_LENGTH_PROP_NAME = "kvindex.relay.term.length";

        /** Default tokens per block: vLLM's default. */
        public static final int BLOCK_SIZE_DEFAULT = 16;
        /** Default term length: 4 MiB, so messages up to 512 KiB and a 2 MiB window per publication. */
        public static final int TERM_LENGTH_DEFAULT = 4 * 1024 * 1024;

        private static final long MIN_PARK_NS = 1_000L;
        private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);

        private final List<Engine> engines = new ArrayList<>();
        private String channel = System.getProperty(CHANNEL_PROP_NAME, KvEventProtocol.DEFAULT_CHANNEL);
        private int streamId = Integer.getInteger(STREAM_ID_PROP_NAME, KvEventProtocol.DEFAULT_STREAM_ID);
        private int blockSize = Integer.getInteger(BLOCK_SIZE_PROP_NAME, BLOCK_SIZE_DEFAULT);
        private int termLength = Integer.getInteger(TERM_LENGTH_PROP_NAME, TERM_LENGTH_DEFAULT);
        private long offerTimeoutNs = KvEventPublisherContext.OFFER_TIMEOUT_DEFAULT_NS;
        private String model;
        private String tenant = IndexRegistry.DEFAULT_TENANT;
        private String topic = "";
        private boolean embeddedDriver = true;
        private String aeronDirectoryName;
        private Aeron aeron;
        private IdleStrategy idleStrategy;
        private ThreadFactory threadFactory;
        private ErrorHandler errorHandler;
        private boolean concluded;

        /**
         * Validate and fill defaults. Runs once.
         *
         * @return this.
         */
        public Context conclude()
        {
            if (concluded)
            {
                throw new IllegalStateException("context already concluded");
            }
            concluded = true;
            if (engines.isEmpty())
            {
                throw new IllegalArgumentException("at least one engine is required");
            }
            if (null == model || model.isEmpty())
            {
                throw new IllegalArgumentException("a model is required");
            }
            if (blockSize < 1)
            {
                throw new IllegalArgumentException("blockSize must be >= 1: " + blockSize);
            }
            if (null == aeronDirectoryName)
            {
                aeronDirectoryName = embeddedDriver && null == aeron ?
                    uniqueAeronDir() : CommonContext.getAeronDirectoryName();
            }
            if (null == idleStrategy)
            {
                idleStrategy = new BackoffIdleStrategy(10, 10, MIN_PARK_NS, MAX_PARK_NS);
            }
            if (null == threadFactory)
            {
                threadFactory = (runnable) -> new Thread(runnable, "kvindex-zmq-relay");
            }
            if (null == errorHandler)
            {
                errorHandler = Throwable::printStackTrace;
            }
            return this;
        }

        /**
         * The embedded driver's context: SHARED threading with a parking idle strategy, deleting its directory on
         * start and on shutdown.
         *
         * @return a new media driver context.
         */
        public MediaDriver.Context driverContext()
        {
            return new MediaDriver.Context()
                .aeronDirectoryName(aeronDirectoryName)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy(1, 1, MIN_PARK_NS, MAX_PARK_NS))
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .termBufferSparseFile(true)
                .publicationTermBufferLength(termLength)
                .ipcTermBufferLength(termLength);
        }

        /**
         * Add an engine stream to subscribe to.
         *
         * @param endpoint the engine's ZMQ PUB endpoint, connected to.
         * @param workerId the engine's worker id.
         * @param dpRank   the stream's dp rank.
         * @return this.
         */
        public Context addEngine(final String endpoint, final long workerId, final int dpRank)
        {
            engines.add(new Engine(endpoint, workerId, dpRank));
            return this;
        }

        /**
         * The engine streams, in the order added.
         *
         * @return the engines.
         */
        public List<Engine> engines()
        {
            return engines;
        }

        /**
         * Topic prefix subscribed to on every engine socket; empty (default) takes every topic.
         *
         * @param topic the prefix.
         * @return this.
         */
        public Context topic(final String topic)
        {
            this.topic = null == topic ? "" : topic;
            return this;
        }

        /**
         * Topic prefix subscribed to.
         *
         * @return the prefix.
         */
        public String topic()
        {
            return topic;
        }

        /**
         * Model of the index the engines' events are for (required).
         *
         * @param model the model name.
         * @return this.
         */
        public Context model(final String model)
        {
            this.model = model;
            return this;
        }

        /**
         * Model of the index.
         *
         * @return the model name.
         */
        public String model()
        {
            return model;
        }

        /**
         * Tenant of the index the engines' events are for.
         *
         * @param tenant the tenant, null or empty for the default one.
         * @return this.
         */
        public Context tenant(final String tenant)
        {
            this.tenant = null == tenant || tenant.isEmpty() ? IndexRegistry.DEFAULT_TENANT : tenant;
            return this;
        }

        /**
         * Tenant of the index.
         *
         * @return the tenant.
         */
        public String tenant()
        {
            return tenant;
        }

        /**
         * Tokens per block of the engines; events stating another are cut as the indexer's feed would cut them.
         *
         * @param blockSize tokens per block.
         * @return this.
         */
        public Context blockSize(final int blockSize)
        {
            this.blockSize = blockSize;
            return this;
        }

        /**
         * Tokens per block of the engines.
         *
         * @return the block size.
         */
        public int blockSize()
        {
            return blockSize;
        }

        /**
         * Aeron channel events are published on: {@code aeron:ipc} (default), UDP unicast
         * ({@code aeron:udp?endpoint=host:port}), multicast, or multi-destination-cast.
         *
         * @param channel the channel.
         * @return this.
         */
        public Context channel(final String channel)
        {
            this.channel = channel;
            return this;
        }

        /**
         * Aeron channel events are published on.
         *
         * @return the channel.
         */
        public String channel()
        {
            return channel;
        }

        /**
         * Aeron stream id events are published on.
         *
         * @param streamId the stream id.
         * @return this.
         */
        public Context streamId(final int streamId)
        {
            this.streamId = streamId;
            return this;
        }

        /**
         * Aeron stream id events are published on.
         *
         * @return the stream id.
         */
        public int streamId()
        {
            return streamId;
        }

        /**
         * Term length of the embedded driver's publications.
         *
         * @param termLength a power of two, at least 64 KiB.
         * @return this.
         */
        public Context termLength(final int termLength)
        {
            this.termLength = termLength;
            return this;
        }

        /**
         * Term length of the embedded driver's publications.
         *
         * @return the term length.
         */
        public int termLength()
        {
            return termLength;
        }

        /**
         * How long an event the indexers back-pressure is retried before it is counted and dropped.
         *
         * @param timeoutNs the timeout, 0 to try once.
         * @return this.
         */
        public Context offerTimeoutNs(final long timeoutNs)
        {
            this.offerTimeoutNs = timeoutNs;
            return this;
        }

        /**
         * How long a back-pressured event is retried.
         *
         * @return the timeout.
         */
        public long offerTimeoutNs()
        {
            return offerTimeoutNs;
        }

        /**
         * Launch an embedded media driver (default) or use an external one in {@link #aeronDirectoryName()}.
         *
         * @param embeddedDriver true to embed.
         * @return this.
         */
        public Context embeddedDriver(final boolean embeddedDriver)
        {
            this.embeddedDriver = embeddedDriver;
            return this;
        }

        /**
         * Whether an embedded media driver is launched.
         *
         * @return true to embed.
         */
        public boolean embeddedDriver()
        {
            return embeddedDriver;
        }

        /**
         * Aeron directory of the media driver; for an embedded driver a unique one when unset, else Aeron's default.
         *
         * @param dir the directory.
         * @return this.
         */
        public Context aeronDirectoryName(final String dir)
        {
            this.aeronDirectoryName = dir;
            return this;
        }

        /**
         * Aeron directory of the media driver.
         *
         * @return the directory.
         */
        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        /**
         * An Aeron client to share, owned and closed by the caller; when set no driver or client is created.
         *
         * @param aeron the client, or null.
         * @return this.
         */
        public Context aeron(final Aeron aeron)
        {
            this.aeron = aeron;
            return this;
        }

        /**
         * The shared Aeron client, or null when the relay creates its own.
         *
         * @return the client or null.
         */
        public Aeron aeron()
        {
            return aeron;
        }

        /**
         * How the relay's thread idles when no engine sent anything.
         *
         * @param idleStrategy the strategy.
         * @return this.
         */
        public Context idleStrategy(final IdleStrategy idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        /**
         * How the relay's thread idles; a backoff to 1 ms parks by default.
         *
         * @return the strategy.
         */
        public IdleStrategy idleStrategy()
        {
            return idleStrategy;
        }

        /**
         * Factory of the relay's thread.
         *
         * @param threadFactory the factory.
         * @return this.
         */
        public Context threadFactory(final ThreadFactory threadFactory)
        {
            this.threadFactory = threadFactory;
            return this;
        }

        /**
         * Factory of the relay's thread.
         *
         * @return the factory.
         */
        public ThreadFactory threadFactory()
        {
            return threadFactory;
        }

        /**
         * Receives errors thrown in the relay's agent.
         *
         * @param errorHandler the handler.
         * @return this.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * Receives errors thrown in the relay's agent.
         *
         * @return the handler.
         */
        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }

        private static String uniqueAeronDir()
        {
            final Path shm = Path.of("/dev/shm");
            final Path base = Files.isDirectory(shm) && Files.isWritable(shm) ?
                shm : Path.of(System.getProperty("java.io.tmpdir"));
            final String suffix = ProcessHandle.current().pid() + "-" +
                Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0xFFFFFF);
            return base.resolve("kvindex-relay-aeron-" + suffix).toString();
        }
    }
}
