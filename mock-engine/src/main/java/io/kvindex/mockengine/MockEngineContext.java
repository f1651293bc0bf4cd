package io.kvindex.mockengine;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.zeromq.ZContext;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Settings of a {@link MockEngine} (and of an {@link EngineSimulation}): a property name, a default and a getter
 * and setter each. Defaults from system properties where set.
 */
public final class MockEngineContext
{
    /** Worker id the engine reports in its HTTP answers (engines never put it on the wire). */
    public static final String WORKER_ID_PROP_NAME = "kvindex.mock.engine.worker.id";
    /** Endpoint the publisher binds; rank r uses port + r. */
    public static final String PUB_ENDPOINT_PROP_NAME = "kvindex.mock.engine.pub.endpoint";
    /** Endpoint the replay ROUTER binds; rank r uses port + r; empty for no replay. */
    public static final String REPLAY_ENDPOINT_PROP_NAME = "kvindex.mock.engine.replay.endpoint";
    /** Topic frame of every message. */
    public static final String TOPIC_PROP_NAME = "kvindex.mock.engine.topic";
    /** Whether replay answers carry a topic frame, {@code ["", topic, seq, payload]} (newer engines). */
    public static final String REPLAY_TOPIC_FRAME_PROP_NAME = "kvindex.mock.engine.replay.topic.frame";
    /** Whether every rank publishes on one stream (one socket, one seq) instead of one stream per rank. */
    public static final String SHARED_STREAM_PROP_NAME = "kvindex.mock.engine.shared.stream";
    /** Publisher send high-water mark, in messages (vLLM's {@code hwm}). */
    public static final String PUB_HWM_PROP_NAME = "kvindex.mock.engine.pub.hwm";
    /** Batches kept per stream for replay (vLLM's {@code buffer_steps}). */
    public static final String BUFFER_STEPS_PROP_NAME = "kvindex.mock.engine.buffer.steps";
    /** Address the HTTP server binds. */
    public static final String HTTP_HOST_PROP_NAME = "kvindex.mock.engine.http.host";
    /** HTTP port: 0 for an ephemeral one, -1 for no HTTP server. */
    public static final String HTTP_PORT_PROP_NAME = "kvindex.mock.engine.http.port";
    /** Threads serving HTTP requests (each in-flight completion holds one while it waits). */
    public static final String HTTP_THREADS_PROP_NAME = "kvindex.mock.engine.http.threads";
    /** Longest an HTTP request waits to be admitted before a 503. */
    public static final String REQUEST_TIMEOUT_MS_PROP_NAME = "kvindex.mock.engine.request.timeout.ms";
    /** Model name served. */
    public static final String MODEL_NAME_PROP_NAME = "kvindex.mock.engine.model.name";
    /** Tokens per block. */
    public static final String BLOCK_SIZE_PROP_NAME = "kvindex.mock.engine.block.size";
    /** Blocks each rank's cache holds. */
    public static final String CAPACITY_BLOCKS_PROP_NAME = "kvindex.mock.engine.capacity.blocks";
    /** Data-parallel ranks: independent caches. */
    public static final String DP_RANKS_PROP_NAME = "kvindex.mock.engine.dp.ranks";
    /** Simulated prefill time per uncached prompt token, in µs. */
    public static final String PREFILL_US_PER_TOKEN_PROP_NAME = "kvindex.mock.engine.prefill.us.per.token";
    /** Simulated time per generated token, in µs. */
    public static final String DECODE_US_PER_TOKEN_PROP_NAME = "kvindex.mock.engine.decode.us.per.token";
    /** Factor from simulated to real time: 1 real time, 0.01 a hundred times faster, 0 no waiting at all. */
    public static final String TIME_SCALE_PROP_NAME = "kvindex.mock.engine.time.scale";
    /** Event encoding, {@code map} or {@code array}. */
    public static final String EVENT_FORMAT_PROP_NAME = "kvindex.mock.engine.event.format";
    /** Hash encoding, {@code uint64} or {@code int64}. */
    public static final String HASH_FORMAT_PROP_NAME = "kvindex.mock.engine.hash.format";
    /** Simulated µs of events per batch: 0 for one batch per request. */
    public static final String STEP_US_PROP_NAME = "kvindex.mock.engine.step.us";
    /** Whether each evicted block is its own {@code BlockRemoved} event, as vLLM emits them. */
    public static final String REMOVED_PER_BLOCK_PROP_NAME = "kvindex.mock.engine.removed.per.block";
    /** Seed of the engine hashes; random per process when unset, as vLLM's. */
    public static final String SEED_PROP_NAME = "kvindex.mock.engine.seed";

    /** Default of {@link #WORKER_ID_PROP_NAME}. */
    public static final long WORKER_ID_DEFAULT = 0;
    /** Default of {@link #PUB_ENDPOINT_PROP_NAME}. */
    public static final String PUB_ENDPOINT_DEFAULT = "tcp://127.0.0.1:5557";
    /** Default of {@link #REPLAY_ENDPOINT_PROP_NAME}. */
    public static final String REPLAY_ENDPOINT_DEFAULT = "tcp://127.0.0.1:5558";
    /** Default of {@link #TOPIC_PROP_NAME}. */
    public static final String TOPIC_DEFAULT = "";
    /** Default of {@link #PUB_HWM_PROP_NAME}. */
    public static final int PUB_HWM_DEFAULT = 100_000;
    /** Default of {@link #BUFFER_STEPS_PROP_NAME}. */
    public static final int BUFFER_STEPS_DEFAULT = 10_000;
    /** Default of {@link #HTTP_HOST_PROP_NAME}. */
    public static final String HTTP_HOST_DEFAULT = "127.0.0.1";
    /** Default of {@link #HTTP_PORT_PROP_NAME}: ephemeral. */
    public static final int HTTP_PORT_DEFAULT = 0;
    /** Default of {@link #HTTP_THREADS_PROP_NAME}. */
    public static final int HTTP_THREADS_DEFAULT = 64;
    /** Default of {@link #REQUEST_TIMEOUT_MS_PROP_NAME}. */
    public static final long REQUEST_TIMEOUT_MS_DEFAULT = 60_000;
    /** Default of {@link #MODEL_NAME_PROP_NAME}. */
    public static final String MODEL_NAME_DEFAULT = "mock-model";
    /** Default of {@link #BLOCK_SIZE_PROP_NAME}: vLLM's. */
    public static final int BLOCK_SIZE_DEFAULT = 16;
    /** Default of {@link #CAPACITY_BLOCKS_PROP_NAME}. */
    public static final int CAPACITY_BLOCKS_DEFAULT = 16_384;
    /** Default of {@link #DP_RANKS_PROP_NAME}. */
    public static final int DP_RANKS_DEFAULT = 1;
    /** Default of {@link #PREFILL_US_PER_TOKEN_PROP_NAME}: 50k prompt tokens/s. */
    public static final double PREFILL_US_PER_TOKEN_DEFAULT = 20.0;
    /** Default of {@link #DECODE_US_PER_TOKEN_PROP_NAME}: 100 tokens/s per request. */
    public static final double DECODE_US_PER_TOKEN_DEFAULT = 10_000.0;
    /** Default of {@link #TIME_SCALE_PROP_NAME}: real time. */
    public static final double TIME_SCALE_DEFAULT = 1.0;
    /** Default of {@link #EVENT_FORMAT_PROP_NAME}: vLLM's current. */
    public static final EventFormat EVENT_FORMAT_DEFAULT = EventFormat.MAP;
    /** Default of {@link #HASH_FORMAT_PROP_NAME}: vLLM's. */
    public static final HashFormat HASH_FORMAT_DEFAULT = HashFormat.UINT64;
    /** Default of {@link #STEP_US_PROP_NAME}: a batch per request. */
    public static final double STEP_US_DEFAULT = 0;
    /** Default of {@link #REMOVED_PER_BLOCK_PROP_NAME}: as vLLM. */
    public static final boolean REMOVED_PER_BLOCK_DEFAULT = true;
    /** Capacity of the queue of commands to the agent. */
    public static final int COMMAND_QUEUE_CAPACITY_DEFAULT = 65_536;

    private long workerId = Long.getLong(WORKER_ID_PROP_NAME, WORKER_ID_DEFAULT);
    private String pubEndpoint = System.getProperty(PUB_ENDPOINT_PROP_NAME, PUB_ENDPOINT_DEFAULT);
    private String replayEndpoint = System.getProperty(REPLAY_ENDPOINT_PROP_NAME, REPLAY_ENDPOINT_DEFAULT);
    private String topic = System.getProperty(TOPIC_PROP_NAME, TOPIC_DEFAULT);
    private boolean replayTopicFrame = Boolean.getBoolean(REPLAY_TOPIC_FRAME_PROP_NAME);
    private boolean sharedStream = Boolean.getBoolean(SHARED_STREAM_PROP_NAME);
    private int pubHighWaterMark = Integer.getInteger(PUB_HWM_PROP_NAME, PUB_HWM_DEFAULT);
    private int bufferSteps = Integer.getInteger(BUFFER_STEPS_PROP_NAME, BUFFER_STEPS_DEFAULT);
    private String httpHost = System.getProperty(HTTP_HOST_PROP_NAME, HTTP_HOST_DEFAULT);
    private int httpPort = Integer.getInteger(HTTP_PORT_PROP_NAME, HTTP_PORT_DEFAULT);
    private int httpThreads = Integer.getInteger(HTTP_THREADS_PROP_NAME, HTTP_THREADS_DEFAULT);
    private long requestTimeoutMs = Long.getLong(REQUEST_TIMEOUT_MS_PROP_NAME, REQUEST_TIMEOUT_MS_DEFAULT);
    private String modelName = System.getProperty(MODEL_NAME_PROP_NAME, MODEL_NAME_DEFAULT);
    private int blockSize = Integer.getInteger(BLOCK_SIZE_PROP_NAME, BLOCK_SIZE_DEFAULT);
    private int capacityBlocks = Integer.getInteger(CAPACITY_BLOCKS_PROP_NAME, CAPACITY_BLOCKS_DEFAULT);
    private int dpRanks = Integer.getInteger(DP_RANKS_PROP_NAME, DP_RANKS_DEFAULT);
    private double prefillUsPerToken = doubleProperty(PREFILL_US_PER_TOKEN_PROP_NAME, PREFILL_US_PER_TOKEN_DEFAULT);
    private double decodeUsPerToken = doubleProperty(DECODE_US_PER_TOKEN_PROP_NAME, DECODE_US_PER_TOKEN_DEFAULT);
    private double timeScale = doubleProperty(TIME_SCALE_PROP_NAME, TIME_SCALE_DEFAULT);
    private EventFormat eventFormat = EventFormat.valueOf(System.getProperty(
        EVENT_FORMAT_PROP_NAME, EVENT_FORMAT_DEFAULT.name()).toUpperCase(Locale.ROOT));
    private HashFormat hashFormat = HashFormat.valueOf(System.getProperty(
        HASH_FORMAT_PROP_NAME, HASH_FORMAT_DEFAULT.name()).toUpperCase(Locale.ROOT));
    private double stepUs = doubleProperty(STEP_US_PROP_NAME, STEP_US_DEFAULT);
    private boolean removedPerBlock = Boolean.parseBoolean(
        System.getProperty(REMOVED_PER_BLOCK_PROP_NAME, Boolean.toString(REMOVED_PER_BLOCK_DEFAULT)));
    private Long seed = Long.getLong(SEED_PROP_NAME);
    private int commandQueueCapacity = COMMAND_QUEUE_CAPACITY_DEFAULT;
    private IdleStrategy idleStrategy;
    private ErrorHandler errorHandler;
    private ZContext zContext;
    private boolean concluded;

    /**
     * Validate and fill defaults (a random seed when none was set). Runs once.
     *
     * @return this.
     */
    public MockEngineContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("context already concluded");
        }
        concluded = true;
        require(blockSize >= 1, "block size must be >= 1: " + blockSize);
        require(capacityBlocks >= 1, "capacity must be >= 1 block: " + capacityBlocks);
        require(dpRanks >= 1, "dp ranks must be >= 1: " + dpRanks);
        require(bufferSteps >= 1, "buffer steps must be >= 1: " + bufferSteps);
        require(httpPort >= -1 && httpPort <= 65535, "http port must be in [-1, 65535]: " + httpPort);
        require(httpThreads >= 1, "http threads must be >= 1: " + httpThreads);
        require(prefillUsPerToken >= 0 && decodeUsPerToken >= 0 && stepUs >= 0,
            "prefill, decode and step times must be >= 0");
        require(timeScale >= 0 && Double.isFinite(timeScale), "time scale must be >= 0: " + timeScale);
        require(null != pubEndpoint && !pubEndpoint.isEmpty(), "a pub endpoint is required");
        Endpoints.forRank(pubEndpoint, dpRanks - 1, dpRanks);
        if (null != replayEndpoint && replayEndpoint.isEmpty())
        {
            replayEndpoint = null;
        }
        if (null != replayEndpoint)
        {
            Endpoints.forRank(replayEndpoint, dpRanks - 1, dpRanks);
        }
        if (null == seed)
        {
            seed = ThreadLocalRandom.current().nextLong();
        }
        if (null == idleStrategy)
        {
            idleStrategy = new BackoffIdleStrategy(10, 20, 1_000L, 1_000_000L);
        }
        if (null == errorHandler)
        {
            errorHandler = Throwable::printStackTrace;
        }
        return this;
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }

    private static double doubleProperty(final String name, final double defaultValue)
    {
        final String value = System.getProperty(name);
        return null == value ? defaultValue : Double.parseDouble(value);
    }

    /**
     * Worker id the engine reports in its HTTP answers.
     *
     * @param workerId the value.
     * @return this.
     */
    public MockEngineContext workerId(final long workerId)
    {
        this.workerId = workerId;
        return this;
    }

    /**
     * Worker id the engine reports in its HTTP answers.
     *
     * @return the value.
     */
    public long workerId()
    {
        return workerId;
    }

    /**
     * Endpoint the publisher binds; rank r of several uses port + r (0 or * for ephemeral ports).
     *
     * @param pubEndpoint the value.
     * @return this.
     */
    public MockEngineContext pubEndpoint(final String pubEndpoint)
    {
        this.pubEndpoint = pubEndpoint;
        return this;
    }

    /**
     * Endpoint the publisher binds; rank r of several uses port + r (0 or * for ephemeral ports).
     *
     * @return the value.
     */
    public String pubEndpoint()
    {
        return pubEndpoint;
    }

    /**
     * Endpoint the replay ROUTER binds, rank r using port + r; null or empty for no replay.
     *
     * @param replayEndpoint the value.
     * @return this.
     */
    public MockEngineContext replayEndpoint(final String replayEndpoint)
    {
        this.replayEndpoint = replayEndpoint;
        return this;
    }

    /**
     * Endpoint the replay ROUTER binds, rank r using port + r; null or empty for no replay.
     *
     * @return the value.
     */
    public String replayEndpoint()
    {
        return replayEndpoint;
    }

    /**
     * Topic frame of every message.
     *
     * @param topic the value.
     * @return this.
     */
    public MockEngineContext topic(final String topic)
    {
        this.topic = topic;
        return this;
    }

    /**
     * Topic frame of every message.
     *
     * @return the value.
     */
    public String topic()
    {
        return topic;
    }

    /**
     * Whether replay answers carry a topic frame, as newer engines send them.
     *
     * @param replayTopicFrame the value.
     * @return this.
     */
    public MockEngineContext replayTopicFrame(final boolean replayTopicFrame)
    {
        this.replayTopicFrame = replayTopicFrame;
        return this;
    }

    /**
     * Whether replay answers carry a topic frame, as newer engines send them.
     *
     * @return the value.
     */
    public boolean replayTopicFrame()
    {
        return replayTopicFrame;
    }

    /**
     * Whether all ranks publish on one stream (one socket, one seq) rather than one each.
     *
     * @param sharedStream the value.
     * @return this.
     */
    public MockEngineContext sharedStream(final boolean sharedStream)
    {
        this.sharedStream = sharedStream;
        return this;
    }

    /**
     * Whether all ranks publish on one stream (one socket, one seq) rather than one each.
     *
     * @return the value.
     */
    public boolean sharedStream()
    {
        return sharedStream;
    }

    /**
     * Publisher send high-water mark, in messages.
     *
     * @param pubHighWaterMark the value.
     * @return this.
     */
    public MockEngineContext pubHighWaterMark(final int pubHighWaterMark)
    {
        this.pubHighWaterMark = pubHighWaterMark;
        return this;
    }

    /**
     * Publisher send high-water mark, in messages.
     *
     * @return the value.
     */
    public int pubHighWaterMark()
    {
        return pubHighWaterMark;
    }

    /**
     * Batches kept per stream for replay.
     *
     * @param bufferSteps the value.
     * @return this.
     */
    public MockEngineContext bufferSteps(final int bufferSteps)
    {
        this.bufferSteps = bufferSteps;
        return this;
    }

    /**
     * Batches kept per stream for replay.
     *
     * @return the value.
     */
    public int bufferSteps()
    {
        return bufferSteps;
    }

    /**
     * Address the HTTP server binds.
     *
     * @param httpHost the value.
     * @return this.
     */
    public MockEngineContext httpHost(final String httpHost)
    {
        this.httpHost = httpHost;
        return this;
    }

    /**
     * Address the HTTP server binds.
     *
     * @return the value.
     */
    public String httpHost()
    {
        return httpHost;
    }

    /**
     * HTTP port: 0 for an ephemeral one, -1 for no HTTP server.
     *
     * @param httpPort the value.
     * @return this.
     */
    public MockEngineContext httpPort(final int httpPort)
    {
        this.httpPort = httpPort;
        return this;
    }

    /**
     * HTTP port: 0 for an ephemeral one, -1 for no HTTP server.
     *
     * @return the value.
     */
    public int httpPort()
    {
        return httpPort;
    }

    /**
     * Threads serving HTTP requests.
     *
     * @param httpThreads the value.
     * @return this.
     */
    public MockEngineContext httpThreads(final int httpThreads)
    {
        this.httpThreads = httpThreads;
        return this;
    }

    /**
     * Threads serving HTTP requests.
     *
     * @return the value.
     */
    public int httpThreads()
    {
        return httpThreads;
    }

    /**
     * Longest an HTTP request waits to be admitted before a 503.
     *
     * @param requestTimeoutMs the value.
     * @return this.
     */
    public MockEngineContext requestTimeoutMs(final long requestTimeoutMs)
    {
        this.requestTimeoutMs = requestTimeoutMs;
        return this;
    }

    /**
     * Longest an HTTP request waits to be admitted before a 503.
     *
     * @return the value.
     */
    public long requestTimeoutMs()
    {
        return requestTimeoutMs;
    }

    /**
     * Model name served.
     *
     * @param modelName the value.
     * @return this.
     */
    public MockEngineContext modelName(final String modelName)
    {
        this.modelName = modelName;
        return this;
    }

    /**
     * Model name served.
     *
     * @return the value.
     */
    public String modelName()
    {
        return modelName;
    }

    /**
     * Tokens per block.
     *
     * @param blockSize the value.
     * @return this.
     */
    public MockEngineContext blockSize(final int blockSize)
    {
        this.blockSize = blockSize;
        return this;
    }

    /**
     * Tokens per block.
     *
     * @return the value.
     */
    public int blockSize()
    {
        return blockSize;
    }

    /**
     * Blocks each rank's cache holds.
     *
     * @param capacityBlocks the value.
     * @return this.
     */
    public MockEngineContext capacityBlocks(final int capacityBlocks)
    {
        this.capacityBlocks = capacityBlocks;
        return this;
    }

    /**
     * Blocks each rank's cache holds.
     *
     * @return the value.
     */
    public int capacityBlocks()
    {
        return capacityBlocks;
    }

    /**
     * Data-parallel ranks, each an independent cache.
     *
     * @param dpRanks the value.
     * @return this.
     */
    public MockEngineContext dpRanks(final int dpRanks)
    {
        this.dpRanks = dpRanks;
        return this;
    }

    /**
     * Data-parallel ranks, each an independent cache.
     *
     * @return the value.
     */
    public int dpRanks()
    {
        return dpRanks;
    }

    /**
     * Simulated prefill time per uncached prompt token, in µs.
     *
     * @param prefillUsPerToken the value.
     * @return this.
     */
    public MockEngineContext prefillUsPerToken(final double prefillUsPerToken)
    {
        this.prefillUsPerToken = prefillUsPerToken;
        return this;
    }

    /**
     * Simulated prefill time per uncached prompt token, in µs.
     *
     * @return the value.
     */
    public double prefillUsPerToken()
    {
        return prefillUsPerToken;
    }

    /**
     * Simulated time per generated token, in µs.
     *
     * @param decodeUsPerToken the value.
     * @return this.
     */
    public MockEngineContext decodeUsPerToken(final double decodeUsPerToken)
    {
        this.decodeUsPerToken = decodeUsPerToken;
        return this;
    }

    /**
     * Simulated time per generated token, in µs.
     *
     * @return the value.
     */
    public double decodeUsPerToken()
    {
        return decodeUsPerToken;
    }

    /**
     * Factor from simulated to real time: 1 real time, 0 no waiting.
     *
     * @param timeScale the value.
     * @return this.
     */
    public MockEngineContext timeScale(final double timeScale)
    {
        this.timeScale = timeScale;
        return this;
    }

    /**
     * Factor from simulated to real time: 1 real time, 0 no waiting.
     *
     * @return the value.
     */
    public double timeScale()
    {
        return timeScale;
    }

    /**
     * Event encoding.
     *
     * @param eventFormat the value.
     * @return this.
     */
    public MockEngineContext eventFormat(final EventFormat eventFormat)
    {
        this.eventFormat = eventFormat;
        return this;
    }

    /**
     * Event encoding.
     *
     * @return the value.
     */
    public EventFormat eventFormat()
    {
        return eventFormat;
    }

    /**
     * Hash encoding.
     *
     * @param hashFormat the value.
     * @return this.
     */
    public MockEngineContext hashFormat(final HashFormat hashFormat)
    {
        this.hashFormat = hashFormat;
        return this;
    }

    /**
     * Hash encoding.
     *
     * @return the value.
     */
    public HashFormat hashFormat()
    {
        return hashFormat;
    }

    /**
     * Simulated µs of events per batch; 0 for one batch per request.
     *
     * @param stepUs the value.
     * @return this.
     */
    public MockEngineContext stepUs(final double stepUs)
    {
        this.stepUs = stepUs;
        return this;
    }

    /**
     * Simulated µs of events per batch; 0 for one batch per request.
     *
     * @return the value.
     */
    public double stepUs()
    {
        return stepUs;
    }

    /**
     * Whether each evicted block is its own BlockRemoved event (vLLM) or one event per admission.
     *
     * @param removedPerBlock the value.
     * @return this.
     */
    public MockEngineContext removedPerBlock(final boolean removedPerBlock)
    {
        this.removedPerBlock = removedPerBlock;
        return this;
    }

    /**
     * Whether each evicted block is its own BlockRemoved event (vLLM) or one event per admission.
     *
     * @return the value.
     */
    public boolean removedPerBlock()
    {
        return removedPerBlock;
    }

    /**
     * Capacity of the queue of commands to the agent.
     *
     * @param commandQueueCapacity the value.
     * @return this.
     */
    public MockEngineContext commandQueueCapacity(final int commandQueueCapacity)
    {
        this.commandQueueCapacity = commandQueueCapacity;
        return this;
    }

    /**
     * Capacity of the queue of commands to the agent.
     *
     * @return the value.
     */
    public int commandQueueCapacity()
    {
        return commandQueueCapacity;
    }

    /**
     * Idle strategy of the agent thread.
     *
     * @param idleStrategy the value.
     * @return this.
     */
    public MockEngineContext idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /**
     * Idle strategy of the agent thread.
     *
     * @return the value.
     */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * Handler of errors on the agent thread.
     *
     * @param errorHandler the value.
     * @return this.
     */
    public MockEngineContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    /**
     * Handler of errors on the agent thread.
     *
     * @return the value.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * ZMQ context to create sockets in (needed for inproc endpoints); null for the engine's own.
     *
     * @param zContext the value.
     * @return this.
     */
    public MockEngineContext zContext(final ZContext zContext)
    {
        this.zContext = zContext;
        return this;
    }

    /**
     * ZMQ context to create sockets in (needed for inproc endpoints); null for the engine's own.
     *
     * @return the value.
     */
    public ZContext zContext()
    {
        return zContext;
    }

    /**
     * Seed of the engine hashes; random per engine when not set, as vLLM's per-process seed.
     *
     * @param seed the seed.
     * @return this.
     */
    public MockEngineContext seed(final long seed)
    {
        this.seed = seed;
        return this;
    }

    /**
     * Seed of the engine hashes.
     *
     * @return the seed (set, or drawn by {@link #conclude()}).
     */
    public long seed()
    {
        return null == seed ? 0 : seed;
    }
}
