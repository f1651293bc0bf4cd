package io.kvindex.tools;

import io.kvindex.mockengine.EventFormat;
import io.kvindex.mockengine.HashFormat;
import io.kvindex.mockengine.MockEngineContext;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Options of {@link MockEngineMain}, from flags, {@code KVINDEX_*} environment variables and a properties file, as
 * {@link Options} reads them (one {@link FlagTable}).
 */
public final class MockEngineOptions
{
    /** Flag: properties file of options. */
    public static final String CONFIG = FlagTable.CONFIG;
    /** Flag: endpoint the publisher binds. */
    public static final String PUB_ENDPOINT = "--pub-endpoint";
    /** Flag: endpoint the replay ROUTER binds. */
    public static final String REPLAY_ENDPOINT = "--replay-endpoint";
    /** Flag: topic frame of every message. */
    public static final String TOPIC = "--topic";
    /** Flag: replay answers with a topic frame. */
    public static final String REPLAY_TOPIC_FRAME = "--replay-topic-frame";
    /** Flag: one stream for all ranks. */
    public static final String SHARED_STREAM = "--shared-stream";
    /** Flag: address the HTTP server binds. */
    public static final String HTTP_HOST = "--http-host";
    /** Flag: HTTP port. */
    public static final String HTTP_PORT = "--http-port";
    /** Flag: model name served. */
    public static final String MODEL_NAME = "--model-name";
    /** Flag: tokens per block. */
    public static final String BLOCK_SIZE = "--block-size";
    /** Flag: blocks per rank's cache. */
    public static final String CAPACITY_BLOCKS = "--capacity-blocks";
    /** Flag: data-parallel ranks. */
    public static final String DP_RANKS = "--dp-ranks";
    /** Flag: worker id reported over HTTP. */
    public static final String WORKER_ID = "--worker-id";
    /** Flag: prefill µs per uncached token. */
    public static final String PREFILL_US_PER_TOKEN = "--prefill-us-per-token";
    /** Flag: decode µs per token. */
    public static final String DECODE_US_PER_TOKEN = "--decode-us-per-token";
    /** Flag: factor from simulated to real time. */
    public static final String TIME_SCALE = "--time-scale";
    /** Flag: event encoding. */
    public static final String EVENT_FORMAT = "--event-format";
    /** Flag: hash encoding. */
    public static final String HASH_FORMAT = "--hash-format";
    /** Flag: simulated µs of events per batch. */
    public static final String STEP_US = "--step-us";
    /** Flag: one BlockRemoved per evicted block or one per admission. */
    public static final String REMOVED_EVENTS = "--removed-events";
    /** Flag: batches kept for replay. */
    public static final String BUFFER_STEPS = "--buffer-steps";
    /** Flag: publisher high-water mark. */
    public static final String PUB_HWM = "--pub-hwm";
    /** Flag: seed of the engine hashes. */
    public static final String SEED = "--seed";
    /** Flag: Mooncake trace to replay. */
    public static final String TRACE = "--trace";
    /** Flag: speed of the trace replay. */
    public static final String TRACE_RATE = "--trace-rate";
    /** Flag: stop once the trace is replayed and its requests have finished. */
    public static final String EXIT_AFTER_TRACE = "--exit-after-trace";
    /** Flag: milliseconds between status lines. */
    public static final String STATUS_INTERVAL_MS = "--status-interval-ms";
    /** Flag: stop by itself after this many milliseconds. */
    public static final String EXIT_AFTER_MS = "--exit-after-ms";
    /** Flag: print the help text and exit. */
    public static final String HELP = FlagTable.HELP;

    /** Value of {@link #REPLAY_ENDPOINT} that turns replay off. */
    public static final String NONE = "none";
    /** Default of {@link #TRACE_RATE}: the trace's own pace. */
    public static final double TRACE_RATE_DEFAULT = 1.0;
    /** Default of {@link #STATUS_INTERVAL_MS}. */
    public static final long STATUS_INTERVAL_MS_DEFAULT = 5000L;

    private static final String COMPUTED = FlagTable.COMPUTED;
    private static final String PER_BLOCK = "per-block";
    private static final String GROUPED = "grouped";
    private static final FlagTable TABLE = new FlagTable(List.of(
        new FlagTable.Flag(CONFIG, "FILE", COMPUTED, "none",
            "properties file of options, one name=value a line, e.g. block-size=32"),
        new FlagTable.Flag(PUB_ENDPOINT, "ENDPOINT", MockEngineContext.PUB_ENDPOINT_DEFAULT, null,
            "ZMQ endpoint the event publisher binds; rank r uses port + r; port 0 picks free ports"),
        new FlagTable.Flag(REPLAY_ENDPOINT, "ENDPOINT", MockEngineContext.REPLAY_ENDPOINT_DEFAULT, null,
            "ZMQ endpoint the replay ROUTER binds (rank r: port + r); 'none' for no replay"),
        new FlagTable.Flag(TOPIC, "TOPIC", COMPUTED, "empty", "topic frame of every event message"),
        new FlagTable.Flag(REPLAY_TOPIC_FRAME, null, COMPUTED, "off: [\"\", seq, payload]",
            "answer replays as newer engines do, [\"\", topic, seq, payload]"),
        new FlagTable.Flag(SHARED_STREAM, null, COMPUTED, "off: one stream (socket, seq) per rank, as vLLM",
            "publish every rank's batches on one stream with one seq"),
        new FlagTable.Flag(HTTP_HOST, "ADDRESS", MockEngineContext.HTTP_HOST_DEFAULT, null,
            "address the HTTP API binds"),
        new FlagTable.Flag(HTTP_PORT, "PORT", Integer.toString(MockEngineContext.HTTP_PORT_DEFAULT),
            "0: a free port, printed at start", "HTTP port of /v1/completions and /health; -1 for no HTTP"),
        new FlagTable.Flag(MODEL_NAME, "NAME", MockEngineContext.MODEL_NAME_DEFAULT, null, "model name served"),
        new FlagTable.Flag(BLOCK_SIZE, "N", Integer.toString(MockEngineContext.BLOCK_SIZE_DEFAULT), null,
            "tokens per KV block"),
        new FlagTable.Flag(CAPACITY_BLOCKS, "N", Integer.toString(MockEngineContext.CAPACITY_BLOCKS_DEFAULT), null,
            "blocks each rank's prefix cache holds; unreferenced blocks are evicted LRU"),
        new FlagTable.Flag(DP_RANKS, "N", Integer.toString(MockEngineContext.DP_RANKS_DEFAULT), null,
            "data-parallel ranks, each an independent cache"),
        new FlagTable.Flag(WORKER_ID, "ID", Long.toString(MockEngineContext.WORKER_ID_DEFAULT), null,
            "worker id reported in HTTP answers (never on the event wire)"),
        new FlagTable.Flag(PREFILL_US_PER_TOKEN, "US", number(MockEngineContext.PREFILL_US_PER_TOKEN_DEFAULT), null,
            "simulated prefill time per uncached prompt token, in microseconds"),
        new FlagTable.Flag(DECODE_US_PER_TOKEN, "US", number(MockEngineContext.DECODE_US_PER_TOKEN_DEFAULT), null,
            "simulated time per generated token, in microseconds"),
        new FlagTable.Flag(TIME_SCALE, "X", number(MockEngineContext.TIME_SCALE_DEFAULT), null,
            "real time per simulated time: 1 real time, 0.01 100x faster, 0 no waiting"),
        new FlagTable.Flag(EVENT_FORMAT, "map|array", "map", null,
            "events as tagged maps (vLLM now) or tagged arrays (older vLLM, SGLang)"),
        new FlagTable.Flag(HASH_FORMAT, "uint64|int64", "uint64", null,
            "block hashes as msgpack uint64 (vLLM) or int64 (SGLang)"),
        new FlagTable.Flag(STEP_US, "US", number(MockEngineContext.STEP_US_DEFAULT), null,
            "simulated microseconds of events per batch; 0 for one batch per request"),
        new FlagTable.Flag(REMOVED_EVENTS, "per-block|grouped", PER_BLOCK, null,
            "one BlockRemoved per evicted block (vLLM) or one per admission"),
        new FlagTable.Flag(BUFFER_STEPS, "N", Integer.toString(MockEngineContext.BUFFER_STEPS_DEFAULT), null,
            "batches kept per stream for replay"),
        new FlagTable.Flag(PUB_HWM, "N", Integer.toString(MockEngineContext.PUB_HWM_DEFAULT), null,
            "publisher send high-water mark, in messages"),
        new FlagTable.Flag(SEED, "N", COMPUTED, "random per process, as vLLM's",
            "seed of the engine's block hashes"),
        new FlagTable.Flag(TRACE, "FILE", COMPUTED, "none", "replay this Mooncake JSONL trace into the engine"),
        new FlagTable.Flag(TRACE_RATE, "X", number(TRACE_RATE_DEFAULT), null,
            "trace speed: 1 at its timestamps, 10 ten times faster, 0 as fast as admitted"),
        new FlagTable.Flag(EXIT_AFTER_TRACE, null, COMPUTED, "off: keep serving after the trace",
            "stop once the --trace file is replayed and its requests have finished"),
        new FlagTable.Flag(STATUS_INTERVAL_MS, "MS", Long.toString(STATUS_INTERVAL_MS_DEFAULT), null,
            "milliseconds between status lines; 0 prints none"),
        new FlagTable.Flag(EXIT_AFTER_MS, "MS", "0", null,
            "stop by itself after this many ms (scripts, tests); 0 runs until SIGTERM or SIGINT"),
        new FlagTable.Flag(HELP, null, COMPUTED, null, "print this help and exit")));

    private final boolean help;
    private final MockEngineContext context;
    private final Path trace;
    private final double traceRate;
    private final boolean exitAfterTrace;
    private final long statusIntervalMs;
    private final long exitAfterMs;

    private MockEngineOptions(final FlagTable.Values values)
    {
        help = values.isOn(HELP);
        final String replay = values.string(REPLAY_ENDPOINT);
        context = new MockEngineContext()
            .pubEndpoint(values.string(PUB_ENDPOINT))
            .replayEndpoint(NONE.equalsIgnoreCase(replay) ? null : replay)
            .topic(null == values.stringOrNull(TOPIC) ? "" : values.string(TOPIC))
            .replayTopicFrame(values.isOn(REPLAY_TOPIC_FRAME))
            .sharedStream(values.isOn(SHARED_STREAM))
            .httpHost(values.string(HTTP_HOST))
            .httpPort((int)values.longValue(HTTP_PORT, -1, 65535))
            .modelName(values.string(MODEL_NAME))
            .blockSize((int)values.longValue(BLOCK_SIZE, 1, 1 << 20))
            .capacityBlocks((int)values.longValue(CAPACITY_BLOCKS, 1, 1 << 28))
            .dpRanks((int)values.longValue(DP_RANKS, 1, 1024))
            .workerId(values.longValue(WORKER_ID, Long.MIN_VALUE, Long.MAX_VALUE))
            .prefillUsPerToken(values.doubleValue(PREFILL_US_PER_TOKEN, 0, 1e9))
            .decodeUsPerToken(values.doubleValue(DECODE_US_PER_TOKEN, 0, 1e9))
            .timeScale(values.doubleValue(TIME_SCALE, 0, 1e6))
            .eventFormat(EventFormat.valueOf(values.choice(EVENT_FORMAT, "map", "array").toUpperCase(Locale.ROOT)))
            .hashFormat(HashFormat.valueOf(values.choice(HASH_FORMAT, "uint64", "int64").toUpperCase(Locale.ROOT)))
            .stepUs(values.doubleValue(STEP_US, 0, 1e12))
            .removedPerBlock(PER_BLOCK.equals(values.choice(REMOVED_EVENTS, PER_BLOCK, GROUPED)))
            .bufferSteps((int)values.longValue(BUFFER_STEPS, 1, 1 << 24))
            .pubHighWaterMark((int)values.longValue(PUB_HWM, 0, Integer.MAX_VALUE));
        if (null != values.stringOrNull(SEED))
        {
            context.seed(values.longValue(SEED, Long.MIN_VALUE, Long.MAX_VALUE));
        }
        trace = null == values.stringOrNull(TRACE) ? null : Path.of(values.string(TRACE));
        traceRate = values.doubleValue(TRACE_RATE, 0, 1e9);
        exitAfterTrace = values.isOn(EXIT_AFTER_TRACE);
        statusIntervalMs = values.longValue(STATUS_INTERVAL_MS, 0, Long.MAX_VALUE);
        exitAfterMs = values.longValue(EXIT_AFTER_MS, 0, Long.MAX_VALUE);
    }

    /**
     * Parse options from a command line, {@code KVINDEX_*} environment variables and a properties file.
     *
     * @param env  the environment, e.g. {@link System#getenv()}.
     * @param args the command line.
     * @return the options, defaults filled in.
     * @throws Options.UsageException for an unknown flag, a missing or malformed value, or a stray argument.
     */
    public static MockEngineOptions parse(final Map<String, String> env, final String... args)
    {
        return new MockEngineOptions(TABLE.parse(env, args));
    }

    /**
     * The {@code --help} text.
     *
     * @return the text, ending with a newline.
     */
    public static String helpText()
    {
        return TABLE.helpText("Usage: mock-engine [options]\n" +
            "Runs a simulated inference worker: per data-parallel rank a prefix cache of KV blocks (LRU eviction\n" +
            "of unreferenced blocks, prefix reuse, prefill and decode times), publishing its KV events as vLLM\n" +
            "does over ZMQ (3 frames: topic, seq, msgpack batch) with a replay ROUTER, and serving\n" +
            "POST /v1/completions (prompt: a list of token ids; stream true or false), GET /health,\n" +
            "GET /v1/models and POST /reset_prefix_cache over HTTP. Prints its endpoints at start.\n" +
            "A Mooncake trace (--trace) expands each hash id into 512 tokens (mock-engine TraceTokens).\n");
    }

    /**
     * Every flag name, in help order.
     *
     * @return the names.
     */
    public static List<String> flagNames()
    {
        return TABLE.flagNames();
    }

    /**
     * Whether {@code --help} was given.
     *
     * @return true to print help and exit.
     */
    public boolean help()
    {
        return help;
    }

    /**
     * The engine's settings, not concluded.
     *
     * @return the context.
     */
    public MockEngineContext context()
    {
        return context;
    }

    /**
     * The trace to replay.
     *
     * @return its path, or null.
     */
    public Path trace()
    {
        return trace;
    }

    /**
     * Speed of the trace replay.
     *
     * @return the factor, 0 for no waiting.
     */
    public double traceRate()
    {
        return traceRate;
    }

    /**
     * Whether to stop once the trace is replayed and its requests have finished.
     *
     * @return true to stop then.
     */
    public boolean exitAfterTrace()
    {
        return exitAfterTrace;
    }

    /**
     * Milliseconds between status lines, 0 for none.
     *
     * @return the interval.
     */
    public long statusIntervalMs()
    {
        return statusIntervalMs;
    }

    /**
     * Milliseconds after which the engine stops by itself, 0 for never.
     *
     * @return the run time limit.
     */
    public long exitAfterMs()
    {
        return exitAfterMs;
    }

    private static String number(final double value)
    {
        return value == Math.rint(value) ? Long.toString((long)value) : Double.toString(value);
    }
}
