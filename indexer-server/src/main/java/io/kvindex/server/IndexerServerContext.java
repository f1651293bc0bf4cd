package io.kvindex.server;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.kvindex.client.QueryProtocol;
import io.kvindex.server.http.HttpServiceContext;
import io.kvindex.server.stat.CountersFile;
import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Settings of an {@link IndexerServer}: a property name, a default and a getter and setter each; the defaults
 * suit a 2-core pod (DESIGN.md, Queries): a SHARED driver that parks and a query agent that backs off.
 */
public final class IndexerServerContext
{
    /** Directory for the server's files; a fresh temporary one, deleted on close, when unset. */
    public static final String DATA_DIR_PROP_NAME = "kvindex.server.data.dir";
    /** Most blocks each index holds. */
    public static final String MAX_BLOCKS_PROP_NAME = "kvindex.server.max.blocks";
    /** Most owners each index tracks. */
    public static final String MAX_OWNERS_PROP_NAME = "kvindex.server.max.owners";
    /** Whether to launch an embedded media driver (true) or connect to an external one (false). */
    public static final String EMBEDDED_DRIVER_PROP_NAME = "kvindex.server.embedded.driver";
    /** Aeron directory: for an embedded driver a unique one when unset, else Aeron's default. */
    public static final String AERON_DIR_PROP_NAME = "kvindex.server.aeron.dir";
    /** Channel queries arrive on. */
    public static final String QUERY_CHANNEL_PROP_NAME = "kvindex.server.query.channel";
    /** Stream id queries arrive on. */
    public static final String QUERY_STREAM_ID_PROP_NAME = "kvindex.server.query.stream.id";
    /** Term length of the embedded driver's publications. */
    public static final String TERM_LENGTH_PROP_NAME = "kvindex.server.term.length";
    /** Whether the query channel may bind a non-loopback address. */
    public static final String ALLOW_REMOTE_PROP_NAME = "kvindex.server.allow.remote";

    /** Room for this many counters in the counters file ({@code <data dir>/counters.dat}). */
    public static final String MAX_COUNTERS_PROP_NAME = "kvindex.server.max.counters";

    /** Default of {@link #MAX_BLOCKS_PROP_NAME}. */
    public static final int MAX_BLOCKS_DEFAULT = 1_000_000;
    /** Default of {@link #MAX_OWNERS_PROP_NAME}. */
    public static final int MAX_OWNERS_DEFAULT = 4096;
    /** Default of {@link #EMBEDDED_DRIVER_PROP_NAME}. */
    public static final boolean EMBEDDED_DRIVER_DEFAULT = true;
    /** Default of {@link #QUERY_CHANNEL_PROP_NAME}. */
    public static final String QUERY_CHANNEL_DEFAULT = QueryProtocol.DEFAULT_REQUEST_CHANNEL;
    /** Default of {@link #QUERY_STREAM_ID_PROP_NAME}. */
    public static final int QUERY_STREAM_ID_DEFAULT = QueryProtocol.DEFAULT_REQUEST_STREAM_ID;
    /** Default of {@link #TERM_LENGTH_PROP_NAME}: 1 MiB. */
    public static final int TERM_LENGTH_DEFAULT = 1024 * 1024;
    /** Default of {@link #MAX_COUNTERS_PROP_NAME}. */
    public static final int MAX_COUNTERS_DEFAULT = CountersFile.DEFAULT_MAX_COUNTERS;
    /** Default of {@link #ALLOW_REMOTE_PROP_NAME}: loopback only. */
    public static final boolean ALLOW_REMOTE_DEFAULT = false;

    private static final long MIN_PARK_NS = 1_000L;
    private static final long MAX_PARK_NS = 1_000_000L;

    private Path dataDir = pathProperty(DATA_DIR_PROP_NAME);
    private int maxBlocks = Integer.getInteger(MAX_BLOCKS_PROP_NAME, MAX_BLOCKS_DEFAULT);
    private int maxOwners = Integer.getInteger(MAX_OWNERS_PROP_NAME, MAX_OWNERS_DEFAULT);
    private boolean embeddedDriver = booleanProperty(EMBEDDED_DRIVER_PROP_NAME, EMBEDDED_DRIVER_DEFAULT);
    private String aeronDirectoryName = System.getProperty(AERON_DIR_PROP_NAME);
    private String queryChannel = System.getProperty(QUERY_CHANNEL_PROP_NAME, QUERY_CHANNEL_DEFAULT);
    private int queryStreamId = Integer.getInteger(QUERY_STREAM_ID_PROP_NAME, QUERY_STREAM_ID_DEFAULT);
    private int termLength = Integer.getInteger(TERM_LENGTH_PROP_NAME, TERM_LENGTH_DEFAULT);
    private boolean allowRemote = booleanProperty(ALLOW_REMOTE_PROP_NAME, ALLOW_REMOTE_DEFAULT);
    private int maxCounters = Integer.getInteger(MAX_COUNTERS_PROP_NAME, MAX_COUNTERS_DEFAULT);
    private IdleStrategy driverIdleStrategy;
    private IdleStrategy queryIdleStrategy;
    private ErrorHandler errorHandler;
    private HttpServiceContext httpContext;
    private boolean temporaryDataDir;
    private boolean concluded;

    /**
     * Validate and fill defaults, creating the data directory. Runs once.
     *
     * @return this.
     */
    public IndexerServerContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("context already concluded");
        }
        concluded = true;
        if (maxBlocks < 1 || maxOwners < 1)
        {
            throw new IllegalArgumentException("maxBlocks and maxOwners must be >= 1: " + maxBlocks + ", " +
                maxOwners);
        }
        checkLoopback(queryChannel, allowRemote);
        if (null == aeronDirectoryName)
        {
            aeronDirectoryName = embeddedDriver ? uniqueAeronDir() : CommonContext.getAeronDirectoryName();
        }
        if (null == driverIdleStrategy)
        {
            driverIdleStrategy = new BackoffIdleStrategy(1, 1, MIN_PARK_NS, MAX_PARK_NS);
        }
        if (null == queryIdleStrategy)
        {
            queryIdleStrategy = new BackoffIdleStrategy(10, 10, MIN_PARK_NS, MAX_PARK_NS);
        }
        if (null == errorHandler)
        {
            errorHandler = Throwable::printStackTrace;
        }
        if (null != httpContext)
        {
            httpContext.conclude();
        }
        createDataDir();
        concludeIngest();
        return this;
    }

    /**
     * The embedded driver's context: SHARED threading with {@link #driverIdleStrategy()}, deleting its directory
     * on start and on shutdown.
     *
     * @return a new media driver context.
     */
    public MediaDriver.Context driverContext()
    {
        return new MediaDriver.Context()
            .aeronDirectoryName(aeronDirectoryName)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(driverIdleStrategy)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .publicationTermBufferLength(termLength)
            .ipcTermBufferLength(termLength);
    }

    /**
     * Directory for the server's files.
     *
     * @param dataDir the directory, created if missing and kept on close; null for a temporary one.
     * @return this.
     */
    public IndexerServerContext dataDir(final Path dataDir)
    {
        this.dataDir = dataDir;
        return this;
    }

    /**
     * Directory for the server's files.
     *
     * @return the directory.
     */
    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * Whether the data directory is temporary, deleted on close.
     *
     * @return true when no data directory was configured.
     */
    public boolean temporaryDataDir()
    {
        return temporaryDataDir;
    }

    /**
     * Room in the counters file ({@code <data dir>/counters.dat}, read by {@code tools/indexer-stat}).
     *
     * @param maxCounters how many counters it can hold.
     * @return this.
     */
    public IndexerServerContext maxCounters(final int maxCounters)
    {
        this.maxCounters = maxCounters;
        return this;
    }

    /**
     * Room in the counters file.
     *
     * @return how many counters it can hold.
     */
    public int maxCounters()
    {
        return maxCounters;
    }

    /**
     * Most blocks each index holds.
     *
     * @param maxBlocks the capacity.
     * @return this.
     */
    public IndexerServerContext maxBlocks(final int maxBlocks)
    {
        this.maxBlocks = maxBlocks;
        return this;
    }

    /**
     * Most blocks each index holds.
     *
     * @return the capacity.
     */
    public int maxBlocks()
    {
        return maxBlocks;
    }

    /**
     * Most owners each index tracks.
     *
     * @param maxOwners the capacity.
     * @return this.
     */
    public IndexerServerContext maxOwners(final int maxOwners)
    {
        this.maxOwners = maxOwners;
        return this;
    }

    /**
     * Most owners each index tracks.
     *
     * @return the capacity.
     */
    public int maxOwners()
    {
        return maxOwners;
    }

    /**
     * Launch an embedded media driver, or connect to an external one in {@link #aeronDirectoryName()}.
     *
     * @param embeddedDriver true to embed.
     * @return this.
     */
    public IndexerServerContext embeddedDriver(final boolean embeddedDriver)
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
     * Aeron directory; an embedded driver deletes it on start and on close, so never share it.
     *
     * @param dir the directory, or null for the default.
     * @return this.
     */
    public IndexerServerContext aeronDirectoryName(final String dir)
    {
        this.aeronDirectoryName = dir;
        return this;
    }

    /**
     * Aeron directory of the driver in use.
     *
     * @return the directory.
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * Channel queries arrive on, e.g. {@code aeron:ipc} or {@code aeron:udp?endpoint=127.0.0.1:40456}.
     *
     * @param channel the channel.
     * @return this.
     */
    public IndexerServerContext queryChannel(final String channel)
    {
        this.queryChannel = channel;
        return this;
    }

    /**
     * Channel queries arrive on.
     *
     * @return the channel.
     */
    public String queryChannel()
    {
        return queryChannel;
    }

    /**
     * Stream id queries arrive on.
     *
     * @param streamId the stream id.
     * @return this.
     */
    public IndexerServerContext queryStreamId(final int streamId)
    {
        this.queryStreamId = streamId;
        return this;
    }

    /**
     * Stream id queries arrive on.
     *
     * @return the stream id.
     */
    public int queryStreamId()
    {
        return queryStreamId;
    }

    /**
     * Term length of the embedded driver's publications.
     *
     * @param termLength a power of two, at least 64 KiB.
     * @return this.
     */
    public IndexerServerContext termLength(final int termLength)
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
     * Allow a query channel on a non-loopback address; off by default so that exposing the server is a choice.
     *
     * @param allowRemote true to allow.
     * @return this.
     */
    public IndexerServerContext allowRemote(final boolean allowRemote)
    {
        this.allowRemote = allowRemote;
        return this;
    }

    /**
     * Whether the query channel may bind a non-loopback address.
     *
     * @return true when allowed.
     */
    public boolean allowRemote()
    {
        return allowRemote;
    }

    /**
     * Idle strategy of the embedded driver's shared thread.
     *
     * @param idleStrategy the strategy.
     * @return this.
     */
    public IndexerServerContext driverIdleStrategy(final IdleStrategy idleStrategy)
    {
        this.driverIdleStrategy = idleStrategy;
        return this;
    }

    /**
     * Idle strategy of the embedded driver's shared thread.
     *
     * @return the strategy.
     */
    public IdleStrategy driverIdleStrategy()
    {
        return driverIdleStrategy;
    }

    /**
     * Idle strategy of the query agent.
     *
     * @param idleStrategy the strategy.
     * @return this.
     */
    public IndexerServerContext queryIdleStrategy(final IdleStrategy idleStrategy)
    {
        this.queryIdleStrategy = idleStrategy;
        return this;
    }

    /**
     * Idle strategy of the query agent.
     *
     * @return the strategy.
     */
    public IdleStrategy queryIdleStrategy()
    {
        return queryIdleStrategy;
    }

    /**
     * Receives errors of the server's agents.
     *
     * @param errorHandler the handler.
     * @return this.
     */
    public IndexerServerContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    /**
     * Receives errors of the server's agents.
     *
     * @return the handler.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * The HTTP API to serve (Dynamo-compatible JSON and metrics), or none.
     *
     * @param httpContext its settings, or null for no HTTP (the default, as for tests and embedded use).
     * @return this.
     */
    public IndexerServerContext httpContext(final HttpServiceContext httpContext)
    {
        this.httpContext = httpContext;
        return this;
    }

    // Ingestion settings: engine feeds, the ingest pipeline and the persisted worker registry.

    /** Whether the engine feeds and the index writer share one thread (true) or run on two. */
    public static final String SHARED_INGEST_THREAD_PROP_NAME = "kvindex.server.ingest.shared.thread";
    /** Slots in the ingest ring, a power of two. */
    public static final String INGEST_RING_SIZE_PROP_NAME = "kvindex.server.ingest.ring.size";
    /** A stream with no batch for this long (ms) is flagged idle. */
    public static final String FEED_IDLE_MS_PROP_NAME = "kvindex.server.feed.idle.ms";
    /** A replay with no answer for this long (ms) has failed; the worker is then cleared and re-learned. */
    public static final String REPLAY_TIMEOUT_MS_PROP_NAME = "kvindex.server.replay.timeout.ms";
    /** How often (ms) the feeds' last seqs are saved in the worker registry. */
    public static final String SEQ_SAVE_INTERVAL_MS_PROP_NAME = "kvindex.server.seq.save.interval.ms";
    /** Whether feeds restored at start resume from their saved seq + 1 (only right when the index was restored). */
    public static final String RESUME_SAVED_SEQ_PROP_NAME = "kvindex.server.resume.saved.seq";
    /** Delete the saved state (worker registry) at start. */
    public static final String RESET_STATE_PROP_NAME = "kvindex.server.reset.state";
    /** Default of {@link #SHARED_INGEST_THREAD_PROP_NAME}: one thread, for a 2-core pod. */
    public static final boolean SHARED_INGEST_THREAD_DEFAULT = true;
    /** Default of {@link #INGEST_RING_SIZE_PROP_NAME}. */
    public static final int INGEST_RING_SIZE_DEFAULT = 4096;
    /** Default of {@link #FEED_IDLE_MS_PROP_NAME}. */
    public static final long FEED_IDLE_MS_DEFAULT = 60_000L;
    /** Default of {@link #REPLAY_TIMEOUT_MS_PROP_NAME}. */
    public static final long REPLAY_TIMEOUT_MS_DEFAULT = 5_000L;
    /** Default of {@link #SEQ_SAVE_INTERVAL_MS_PROP_NAME}. */
    public static final long SEQ_SAVE_INTERVAL_MS_DEFAULT = 1_000L;

    private boolean sharedIngestThread = booleanProperty(SHARED_INGEST_THREAD_PROP_NAME, SHARED_INGEST_THREAD_DEFAULT);
    private int ingestRingSize = Integer.getInteger(INGEST_RING_SIZE_PROP_NAME, INGEST_RING_SIZE_DEFAULT);
    private long feedIdleMs = Long.getLong(FEED_IDLE_MS_PROP_NAME, FEED_IDLE_MS_DEFAULT);
    private long replayTimeoutMs = Long.getLong(REPLAY_TIMEOUT_MS_PROP_NAME, REPLAY_TIMEOUT_MS_DEFAULT);
    private long seqSaveIntervalMs = Long.getLong(SEQ_SAVE_INTERVAL_MS_PROP_NAME, SEQ_SAVE_INTERVAL_MS_DEFAULT);
    private boolean resumeFromSavedSeq = booleanProperty(RESUME_SAVED_SEQ_PROP_NAME, false);
    private boolean resetState = booleanProperty(RESET_STATE_PROP_NAME, false);
    private IdleStrategy ingestIdleStrategy;

    /**
     * Run the engine feeds and the index writer on one thread (the default) or on two.
     *
     * @param shared true for one thread.
     * @return this.
     */
    public IndexerServerContext sharedIngestThread(final boolean shared)
    {
        this.sharedIngestThread = shared;
        return this;
    }

    /**
     * The HTTP API to serve.
     *
     * @return its settings, or null for none.
     */
    public HttpServiceContext httpContext()
    {
        return httpContext;
    }

    /**
     * Whether the engine feeds and the index writer share one thread.
     *
     * @return true for one thread.
     */
    public boolean sharedIngestThread()
    {
        return sharedIngestThread;
    }

    /**
     * Slots in the ingest ring.
     *
     * @param ringSize a power of two.
     * @return this.
     */
    public IndexerServerContext ingestRingSize(final int ringSize)
    {
        this.ingestRingSize = ringSize;
        return this;
    }

    /**
     * Slots in the ingest ring.
     *
     * @return the ring size.
     */
    public int ingestRingSize()
    {
        return ingestRingSize;
    }

    /**
     * A stream with no batch for this long is flagged idle in {@code listeners()}.
     *
     * @param idleMs the time in ms.
     * @return this.
     */
    public IndexerServerContext feedIdleMs(final long idleMs)
    {
        this.feedIdleMs = idleMs;
        return this;
    }

    /**
     * A stream with no batch for this long is flagged idle.
     *
     * @return the time in ms.
     */
    public long feedIdleMs()
    {
        return feedIdleMs;
    }

    /**
     * A replay with no answer for this long has failed.
     *
     * @param timeoutMs the timeout in ms.
     * @return this.
     */
    public IndexerServerContext replayTimeoutMs(final long timeoutMs)
    {
        this.replayTimeoutMs = timeoutMs;
        return this;
    }

    /**
     * A replay with no answer for this long has failed.
     *
     * @return the timeout in ms.
     */
    public long replayTimeoutMs()
    {
        return replayTimeoutMs;
    }

    /**
     * How often the feeds' last seqs are saved in the worker registry.
     *
     * @param intervalMs the interval in ms.
     * @return this.
     */
    public IndexerServerContext seqSaveIntervalMs(final long intervalMs)
    {
        this.seqSaveIntervalMs = intervalMs;
        return this;
    }

    /**
     * How often the feeds' last seqs are saved.
     *
     * @return the interval in ms.
     */
    public long seqSaveIntervalMs()
    {
        return seqSaveIntervalMs;
    }

    /**
     * Resume restored feeds from their saved seq + 1 instead of replaying from 0. Right only when the indexes were
     * restored to that seq (snapshots); with empty indexes the default, a replay from 0, re-learns more.
     *
     * @param resume true to resume from the saved seq.
     * @return this.
     */
    public IndexerServerContext resumeFromSavedSeq(final boolean resume)
    {
        this.resumeFromSavedSeq = resume;
        return this;
    }

    /**
     * Whether restored feeds resume from their saved seq + 1.
     *
     * @return true to resume.
     */
    public boolean resumeFromSavedSeq()
    {
        return resumeFromSavedSeq;
    }

    /**
     * Delete the saved state (the worker registry) at start, loudly.
     *
     * @param reset true to start empty.
     * @return this.
     */
    public IndexerServerContext resetState(final boolean reset)
    {
        this.resetState = reset;
        return this;
    }

    /**
     * Whether the saved state is deleted at start.
     *
     * @return true to start empty.
     */
    public boolean resetState()
    {
        return resetState;
    }

    /**
     * Idle strategy of the ingest thread(s); a backoff that parks up to 1 ms when unset.
     *
     * @param idleStrategy the strategy.
     * @return this.
     */
    public IndexerServerContext ingestIdleStrategy(final IdleStrategy idleStrategy)
    {
        this.ingestIdleStrategy = idleStrategy;
        return this;
    }

    /**
     * Idle strategy of the ingest thread(s).
     *
     * @return the strategy.
     */
    public IdleStrategy ingestIdleStrategy()
    {
        return ingestIdleStrategy;
    }

    private void concludeIngest()
    {
        if (ingestRingSize < 2 || Integer.bitCount(ingestRingSize) != 1 || feedIdleMs < 1 || replayTimeoutMs < 1 ||
            seqSaveIntervalMs < 1)
        {
            throw new IllegalArgumentException("ingest ring size must be a power of two and the feed times positive");
        }
        if (null == ingestIdleStrategy)
        {
            ingestIdleStrategy = new BackoffIdleStrategy(10, 10, MIN_PARK_NS, MAX_PARK_NS);
        }
    }

    void deleteTemporaryDataDir()
    {
        if (temporaryDataDir && null != dataDir)
        {
            IoUtil.delete(dataDir.toFile(), true);
        }
    }

    private void createDataDir()
    {
        try
        {
            temporaryDataDir = null == dataDir;
            dataDir = temporaryDataDir ?
                Files.createTempDirectory("kvindex-data-") : Files.createDirectories(dataDir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create data dir " + dataDir, ex);
        }
    }

    private static void checkLoopback(final String channel, final boolean allowRemote)
    {
        final ChannelUri uri = ChannelUri.parse(channel);
        final String endpoint = uri.get(CommonContext.ENDPOINT_PARAM_NAME);
        if (allowRemote || !CommonContext.UDP_MEDIA.equals(uri.media()) || null == endpoint)
        {
            return;
        }
        final int colon = endpoint.lastIndexOf(':');
        final String host = colon > 0 ? endpoint.substring(0, colon).replace("[", "").replace("]", "") : endpoint;
        boolean loopback;
        try
        {
            loopback = "localhost".equals(host) || InetAddress.getByName(host).isLoopbackAddress();
        }
        catch (final UnknownHostException ex)
        {
            loopback = false;
        }
        if (!loopback)
        {
            throw new IllegalArgumentException("query channel " + channel + " binds the non-loopback address " +
                host + "; allow it explicitly (" + ALLOW_REMOTE_PROP_NAME + "=true, --allow-remote)");
        }
    }

    private static boolean booleanProperty(final String name, final boolean defaultValue)
    {
        return Boolean.parseBoolean(System.getProperty(name, Boolean.toString(defaultValue)));
    }

    private static Path pathProperty(final String name)
    {
        final String value = System.getProperty(name);
        return null == value || value.isEmpty() ? null : Path.of(value);
    }

    private static String uniqueAeronDir()
    {
        final Path shm = Path.of("/dev/shm");
        final Path base = Files.isDirectory(shm) && Files.isWritable(shm) ?
            shm : Path.of(System.getProperty("java.io.tmpdir"));
        final String suffix = ProcessHandle.current().pid() + "-" +
            Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0xFFFFFF);
        return base.resolve("kvindex-aeron-" + suffix).toString();
    }
}
