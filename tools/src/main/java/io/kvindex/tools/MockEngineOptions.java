package io.kvindex.tools;

import io.kvindex.mockengine.EventFormat;
import io.kvindex.mockengine.HashFormat;
import io.kvindex.mockengine.MockEngineContext;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Options of {@link MockEngineMain}, from flags, {@code KVINDEX_*} environment variables and a properties file, by the
 * rules of {@link OptionTable}.
 */
public final class MockEngineOptions
{
    /** Flag: properties file of options. */
    public static final String CONFIG = OptionTable.CONFIG;
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
    public static final String HELP = OptionTable.HELP;

    /** Value of {@link #REPLAY_ENDPOINT} that turns replay off. */
    public static final String NONE = "none";
    /** Default of {@link #TRACE_RATE}: the trace's own pace. */
    public static final double TRACE_RATE_DEFAULT = 1.0;
    /** Default of {@link #STATUS_INTERVAL_MS}. */
    public static final long STATUS_INTERVAL_MS_DEFAULT = 5000L;

    private static final String PER_BLOCK = "per-block";
    private static final String GROUPED = "grouped";
    private static final OptionTable TABLE = new OptionTable(
        "Usage: mock-engine [options]\n" +
        "Runs a simulated inference worker: per data-parallel rank a prefix cache of KV blocks (LRU eviction\n" +
        "of unreferenced blocks, prefix reuse, prefill and decode times), publishing its KV events as vLLM\n" +
        "does over ZMQ (3 frames: topic, seq, msgpack batch) with a replay ROUTER, and serving\n" +
        "POST /v1/completions (prompt: a list of token ids; stream true or false), GET /health,\n" +
        "GET /v1/models and POST /reset_prefix_cache over HTTP. Prints its endpoints at start.\n" +
        "A Mooncake trace (--trace) expands each hash id into 512 tokens (mock-engine TraceTokens).\n",
        List.of(
            OptionTable.Flag.value(PUB_ENDPOINT, "ENDPOINT", MockEngineContext.PUB_ENDPOINT_DEFAULT,
                "ZMQ endpoint the event publisher binds; rank r uses port + r; port 0 picks free ports"),
            OptionTable.Flag.value(REPLAY_ENDPOINT, "ENDPOINT", MockEngineContext.REPLAY_ENDPOINT_DEFAULT,
                "ZMQ endpoint the replay ROUTER binds (rank r: port + r); 'none' for no replay"),
            OptionTable.Flag.described(TOPIC, "TOPIC", "empty", "topic frame of every event message"),
            OptionTable.Flag.onOff(REPLAY_TOPIC_FRAME, false, "off: [\"\", seq, payload]",
                "answer replays as newer engines do, [\"\", topic, seq, payload]"),
            OptionTable.Flag.onOff(SHARED_STREAM, false, "off: one stream (socket, seq) per rank, as vLLM",
                "publish every rank's batches on one stream with one seq"),
            OptionTable.Flag.value(HTTP_HOST, "ADDRESS", MockEngineContext.HTTP_HOST_DEFAULT,
                "address the HTTP API binds"),
            new OptionTable.Flag(HTTP_PORT, "PORT", Integer.toString(MockEngineContext.HTTP_PORT_DEFAULT),
                "0: a free port, printed at start", "HTTP port of /v1/completions and /health; -1 for no HTTP", false),
            OptionTable.Flag.value(MODEL_NAME, "NAME", MockEngineContext.MODEL_NAME_DEFAULT, "model name served"),
            OptionTable.Flag.value(BLOCK_SIZE, "N", Integer.toString(MockEngineContext.BLOCK_SIZE_DEFAULT),
                "tokens per KV block"),
            OptionTable.Flag.value(CAPACITY_BLOCKS, "N", Integer.toString(MockEngineContext.CAPACITY_BLOCKS_DEFAULT),
                "blocks each rank's prefix cache holds; unreferenced blocks are evicted LRU"),
            OptionTable.Flag.value(DP_RANKS, "N", Integer.toString(MockEngineContext.DP_RANKS_DEFAULT),
                "data-parallel ranks, each an independent cache"),
            OptionTable.Flag.value(WORKER_ID, "ID", Long.toString(MockEngineContext.WORKER_ID_DEFAULT),
                "worker id reported in HTTP answers (never on the event wire)"),
            OptionTable.Flag.value(PREFILL_US_PER_TOKEN, "US", number(MockEngineContext.PREFILL_US_PER_TOKEN_DEFAULT),
                "simulated prefill time per uncached prompt token, in microseconds"),
            OptionTable.Flag.value(DECODE_US_PER_TOKEN, "US", number(MockEngineContext.DECODE_US_PER_TOKEN_DEFAULT),
                "simulated time per generated token, in microseconds"),
            OptionTable.Flag.value(TIME_SCALE, "X", number(MockEngineContext.TIME_SCALE_DEFAULT),
                "real time per simulated time: 1 real time, 0.01 100x faster, 0 no waiting"),
            OptionTable.Flag.value(EVENT_FORMAT, "map|array", "map",
                "events as tagged maps (vLLM now) or tagged arrays (older vLLM, SGLang)"),
            OptionTable.Flag.value(HASH_FORMAT, "uint64|int64", "uint64",
                "block hashes as msgpack uint64 (vLLM) or int64 (SGLang)"),
            OptionTable.Flag.value(STEP_US, "US", number(MockEngineContext.STEP_US_DEFAULT),
                "simulated microseconds of events per batch; 0 for one batch per request"),
            OptionTable.Flag.value(REMOVED_EVENTS, "per-block|grouped", PER_BLOCK,
                "one BlockRemoved per evicted block (vLLM) or one per admission"),
            OptionTable.Flag.value(BUFFER_STEPS, "N", Integer.toString(MockEngineContext.BUFFER_STEPS_DEFAULT),
                "batches kept per stream for replay"),
            OptionTable.Flag.value(PUB_HWM, "N", Integer.toString(MockEngineContext.PUB_HWM_DEFAULT),
                "publisher send high-water mark, in messages"),
            OptionTable.Flag.described(SEED, "N", "random per process, as vLLM's",
                "seed of the engine's block hashes"),
            OptionTable.Flag.described(TRACE, "FILE", "none", "replay this Mooncake JSONL trace into the engine"),
            OptionTable.Flag.value(TRACE_RATE, "X", number(TRACE_RATE_DEFAULT),
                "trace speed: 1 at its timestamps, 10 ten times faster, 0 as fast as admitted"),
            OptionTable.Flag.onOff(EXIT_AFTER_TRACE, false, "off: keep serving after the trace",
                "stop once the --trace file is replayed and its requests have finished"),
            OptionTable.Flag.value(STATUS_INTERVAL_MS, "MS", Long.toString(STATUS_INTERVAL_MS_DEFAULT),
                "milliseconds between status lines; 0 prints none"),
            OptionTable.Flag.value(EXIT_AFTER_MS, "MS", "0",
                "stop by itself after this many ms (scripts, tests); 0 runs until SIGTERM or SIGINT")));

    private final boolean help;
    private final MockEngineContext context;
    private final Path trace;
    private final double traceRate;
    private final boolean exitAfterTrace;
    private final long statusIntervalMs;
    private final long exitAfterMs;

    private MockEngineOptions(final OptionTable.Values values)
    {
        help = values.isOn(HELP);
        final String replay = values.get(REPLAY_ENDPOINT);
        context = new MockEngineContext()
            .pubEndpoint(values.get(PUB_ENDPOINT))
            .replayEndpoint(NONE.equalsIgnoreCase(replay) ? null : replay)
            .topic(null == values.text(TOPIC) ? "" : values.get(TOPIC))
            .replayTopicFrame(values.isOn(REPLAY_TOPIC_FRAME))
            .sharedStream(values.isOn(SHARED_STREAM))
            .httpHost(values.get(HTTP_HOST))
            .httpPort((int)values.getLong(HTTP_PORT, -1, 65535))
            .modelName(values.get(MODEL_NAME))
            .blockSize((int)values.getLong(BLOCK_SIZE, 1, 1 << 20))
            .capacityBlocks((int)values.getLong(CAPACITY_BLOCKS, 1, 1 << 28))
            .dpRanks((int)values.getLong(DP_RANKS, 1, 1024))
            .workerId(values.getLong(WORKER_ID, Long.MIN_VALUE, Long.MAX_VALUE))
            .prefillUsPerToken(values.getDouble(PREFILL_US_PER_TOKEN, 0, 1e9))
            .decodeUsPerToken(values.getDouble(DECODE_US_PER_TOKEN, 0, 1e9))
            .timeScale(values.getDouble(TIME_SCALE, 0, 1e6))
            .eventFormat(EventFormat.valueOf(values.choice(EVENT_FORMAT, "map", "array").toUpperCase(Locale.ROOT)))
            .hashFormat(HashFormat.valueOf(values.choice(HASH_FORMAT, "uint64", "int64").toUpperCase(Locale.ROOT)))
            .stepUs(values.getDouble(STEP_US, 0, 1e12))
            .removedPerBlock(PER_BLOCK.equals(values.choice(REMOVED_EVENTS, PER_BLOCK, GROUPED)))
            .bufferSteps((int)values.getLong(BUFFER_STEPS, 1, 1 << 24))
            .pubHighWaterMark((int)values.getLong(PUB_HWM, 0, Integer.MAX_VALUE));
        if (null != values.text(SEED))
        {
            context.seed(values.getLong(SEED, Long.MIN_VALUE, Long.MAX_VALUE));
        }
        trace = null == values.text(TRACE) ? null : Path.of(values.get(TRACE));
        traceRate = values.getDouble(TRACE_RATE, 0, 1e9);
        exitAfterTrace = values.isOn(EXIT_AFTER_TRACE);
        statusIntervalMs = values.getLong(STATUS_INTERVAL_MS, 0, Long.MAX_VALUE);
        exitAfterMs = values.getLong(EXIT_AFTER_MS, 0, Long.MAX_VALUE);
    }

    /**
     * Parse options from a command line, {@code KVINDEX_*} environment variables and a properties file.
     *
     * @param env  the environment, e.g. {@link System#getenv()}.
     * @param args the command line.
     * @return the options, defaults filled in.
     * @throws UsageException for an unknown flag, a missing or malformed value, or a stray argument.
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
        return TABLE.helpText();
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
