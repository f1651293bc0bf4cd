package io.kvindex.tools;

import io.kvindex.server.IndexerServerContext;
import io.kvindex.server.http.HttpServiceContext;
import io.kvindex.server.query.IndexRegistry;
import io.kvindex.server.registry.WorkerRegistration;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Options of {@link IndexerServerMain}, from flags, {@code KVINDEX_*} environment variables and a properties file.
 * One table lists every option with its default and help line; parsing, defaults and {@code --help} all come from it.
 */
public final class Options
{
    /** Flag: properties file of options. */
    public static final String CONFIG = OptionTable.CONFIG;
    /** Flag: directory for the index's files. */
    public static final String DATA_DIR = "--data-dir";
    /** Flag: most blocks an index holds. */
    public static final String MAX_BLOCKS = "--max-blocks";
    /** Flag: most owners an index tracks. */
    public static final String MAX_OWNERS = "--max-owners";
    /** Flag: model of the index registered at start. */
    public static final String MODEL = "--model";
    /** Flag: tenant of the index registered at start. */
    public static final String TENANT = "--tenant";
    /** Flag: tokens per block of the index registered at start. */
    public static final String BLOCK_SIZE = "--block-size";
    /** Flag: Aeron channel queries arrive on. */
    public static final String QUERY_CHANNEL = "--query-channel";
    /** Flag: Aeron stream id queries arrive on. */
    public static final String QUERY_STREAM_ID = "--query-stream-id";
    /** Flag: allow a query channel on a non-loopback address. */
    public static final String ALLOW_REMOTE = "--allow-remote";
    /** Flag: the media driver's directory. */
    public static final String AERON_DIR = "--aeron-dir";
    /** Flag: use an external media driver rather than an embedded one. */
    public static final String EXTERNAL_DRIVER = "--external-driver";
    /** Flag: address the HTTP API binds. */
    public static final String HTTP_HOST = "--http-host";
    /** Flag: port of the HTTP API. */
    public static final String HTTP_PORT = "--http-port";
    /** Flag: bearer token of the HTTP API's mutating endpoints. */
    public static final String HTTP_TOKEN = "--http-token";
    /** Flag: threads answering HTTP requests. */
    public static final String HTTP_THREADS = "--http-threads";
    /** Flag: peer indexers to load a dump from at start. */
    public static final String PEERS = "--peers";
    /** Flag: milliseconds between status lines. */
    public static final String STATUS_INTERVAL_MS = "--status-interval-ms";
    /** Flag: stop by itself after this many milliseconds. */
    public static final String EXIT_AFTER_MS = "--exit-after-ms";
    /** Flag: engine streams to register at start (repeatable); see {@link WorkerSpecs}. */
    public static final String WORKERS = "--workers";
    /** Flag: file of engine streams to register at start; see {@link WorkerSpecs}. */
    public static final String WORKERS_FILE = "--workers-file";
    /** Flag: delete the saved state (the worker registry in the data dir) at start. */
    public static final String RESET_STATE = "--reset-state";
    /** Flag: print the help text and exit. */
    public static final String HELP = OptionTable.HELP;

    /** Prefix of the environment variables: {@code --max-blocks} is {@code KVINDEX_MAX_BLOCKS}. */
    public static final String ENV_PREFIX = OptionTable.KVINDEX_ENV_PREFIX;

    /** Default of {@link #MAX_BLOCKS}. */
    public static final int MAX_BLOCKS_DEFAULT = IndexerServerContext.MAX_BLOCKS_DEFAULT;
    /** Default of {@link #MAX_OWNERS}. */
    public static final int MAX_OWNERS_DEFAULT = IndexerServerContext.MAX_OWNERS_DEFAULT;
    /** Default of {@link #TENANT}. */
    public static final String TENANT_DEFAULT = IndexRegistry.DEFAULT_TENANT;
    /** Default of {@link #BLOCK_SIZE}: vLLM's default block size. */
    public static final int BLOCK_SIZE_DEFAULT = 16;
    /** Default of {@link #QUERY_CHANNEL}. */
    public static final String QUERY_CHANNEL_DEFAULT = IndexerServerContext.QUERY_CHANNEL_DEFAULT;
    /** Default of {@link #QUERY_STREAM_ID}. */
    public static final int QUERY_STREAM_ID_DEFAULT = IndexerServerContext.QUERY_STREAM_ID_DEFAULT;
    /** Default of {@link #HTTP_HOST}: loopback only. */
    public static final String HTTP_HOST_DEFAULT = HttpServiceContext.HOST_DEFAULT;
    /** Default of {@link #HTTP_PORT}. */
    public static final int HTTP_PORT_DEFAULT = HttpServiceContext.PORT_DEFAULT;
    /** Default of {@link #HTTP_THREADS}. */
    public static final int HTTP_THREADS_DEFAULT = HttpServiceContext.THREADS_DEFAULT;
    /** Default of {@link #STATUS_INTERVAL_MS}. */
    public static final long STATUS_INTERVAL_MS_DEFAULT = 5000L;
    /** Default of {@link #EXIT_AFTER_MS}: run until SIGTERM or SIGINT. */
    public static final long EXIT_AFTER_MS_DEFAULT = 0L;

    private static final String WORKERS_HELP = String.join("\n",
        "",
        "Workers (--workers, --workers-file): each engine stream to follow is",
        "  INSTANCE_ID@ENDPOINT[,replay=ENDPOINT][,dp=N][,block_size=N][,model=NAME][,tenant=NAME]",
        "e.g. --workers 7@tcp://10.0.0.5:5557,replay=tcp://10.0.0.5:5558 (long names replay_endpoint, dp_rank,",
        "model_name, tenant_id work too). Several go in one comma list, an item with @ starting the next worker,",
        "or in repeated --workers flags. Missing model, tenant and block size come from --model, --tenant and",
        "--block-size; dp defaults to 0, one stream per dp rank (vLLM: port base + rank). A --workers-file holds",
        "one spec list per line, or one JSON object per line with the fields of POST /register:",
        "  {\"instance_id\": 7, \"endpoint\": \"tcp://10.0.0.5:5557\", \"replay_endpoint\": \"tcp://10.0.0.5:5558\",",
        "   \"dp_rank\": 0, \"block_size\": 16, \"model_name\": \"llama\", \"tenant_id\": \"default\"}",
        "Blank lines and lines starting with # are skipped. Registrations are saved in --data-dir and restored at",
        "the next start (--reset-state forgets them); a stream given again with other endpoints is restarted.",
        "");

    private static final OptionTable TABLE = new OptionTable(ENV_PREFIX, Map.of(),
        "Usage: indexer-server [options]\n" +
        "Runs the kvindex indexer: a media driver (embedded by default), the off-heap indexes,\n" +
        "the Aeron query service (docs/query-protocol.md) and the Dynamo-compatible HTTP API with\n" +
        "Prometheus /metrics (http://127.0.0.1:8090 by default). Prints the HTTP URL, the query\n" +
        "channel, stream id and Aeron dir at start. Stops cleanly, with exit code 0, on SIGTERM\n" +
        "or SIGINT.\n",
        WORKERS_HELP,
        List.of(
            OptionTable.Flag.described(DATA_DIR, "DIR", "a fresh temp dir, deleted on exit",
                "directory for the index's files; created if missing and kept on exit"),
            OptionTable.Flag.value(MAX_BLOCKS, "N", Integer.toString(MAX_BLOCKS_DEFAULT),
                "most blocks each index holds; stores beyond it are refused and counted"),
            OptionTable.Flag.value(MAX_OWNERS, "N", Integer.toString(MAX_OWNERS_DEFAULT),
                "most owners (worker id, dp rank) each index tracks"),
            OptionTable.Flag.described(MODEL, "NAME", "none: no index is registered",
                "register the index of this model (with --tenant, --block-size) at start"),
            OptionTable.Flag.value(TENANT, "NAME", TENANT_DEFAULT, "tenant of the --model index"),
            OptionTable.Flag.value(BLOCK_SIZE, "N", Integer.toString(BLOCK_SIZE_DEFAULT),
                "tokens per block of the --model index; must match the engines' block size"),
            OptionTable.Flag.value(QUERY_CHANNEL, "CHANNEL", QUERY_CHANNEL_DEFAULT,
                "Aeron channel queries arrive on, e.g. aeron:udp?endpoint=127.0.0.1:40456"),
            OptionTable.Flag.value(QUERY_STREAM_ID, "ID", Integer.toString(QUERY_STREAM_ID_DEFAULT),
                "Aeron stream id queries arrive on"),
            OptionTable.Flag.onOff(ALLOW_REMOTE, false, "off: a UDP query channel and --http-host must be loopback",
                "allow a non-loopback query channel or --http-host (exposes the server to the network)"),
            OptionTable.Flag.described(AERON_DIR, "DIR",
                "embedded: a unique dir in /dev/shm (or temp dir); external: Aeron's default",
                "media driver directory; an embedded driver deletes it on start and on exit, never share it"),
            OptionTable.Flag.onOff(EXTERNAL_DRIVER, false, "off: an embedded media driver",
                "connect to a media driver already running in --aeron-dir rather than embedding one"),
            OptionTable.Flag.value(HTTP_HOST, "HOST", HTTP_HOST_DEFAULT,
                "address the HTTP API binds; a non-loopback one needs --allow-remote and --http-token"),
            OptionTable.Flag.value(HTTP_PORT, "PORT", Integer.toString(HTTP_PORT_DEFAULT),
                "port of the HTTP API (Dynamo-compatible JSON, /metrics); 0 picks a free port"),
            OptionTable.Flag.described(HTTP_TOKEN, "TOKEN", "none: allowed on loopback only",
                "bearer token /register, /unregister, /dump and the peer endpoints require; prefer the env"),
            OptionTable.Flag.value(HTTP_THREADS, "N", Integer.toString(HTTP_THREADS_DEFAULT),
                "threads answering HTTP requests"),
            OptionTable.Flag.described(PEERS, "URLS", "none: start empty",
                "comma-separated peer indexer URLs; the first that answers gives its /dump at start"),
            OptionTable.Flag.value(STATUS_INTERVAL_MS, "MS", Long.toString(STATUS_INTERVAL_MS_DEFAULT),
                "milliseconds between status lines; 0 prints none"),
            OptionTable.Flag.value(EXIT_AFTER_MS, "MS", Long.toString(EXIT_AFTER_MS_DEFAULT),
                "stop by itself after this many ms (scripts, tests); 0 runs until SIGTERM or SIGINT"),
            OptionTable.Flag.repeatable(WORKERS, "SPECS", "none",
                "engine streams to follow, ID@ENDPOINT[,replay=EP][,dp=N]... (see Workers below)"),
            OptionTable.Flag.described(WORKERS_FILE, "FILE", "none",
                "file of engine streams: one spec list or one JSON object (POST /register fields) a line"),
            OptionTable.Flag.onOff(RESET_STATE, false, "off: registrations saved in --data-dir are restored",
                "delete the saved worker registry in --data-dir at start (loudly) and start empty")));

    private final boolean help;
    private final Path dataDir;
    private final int maxBlocks;
    private final int maxOwners;
    private final String model;
    private final String tenant;
    private final int blockSize;
    private final String queryChannel;
    private final int queryStreamId;
    private final boolean allowRemote;
    private final String aeronDir;
    private final boolean externalDriver;
    private final long statusIntervalMs;
    private final long exitAfterMs;
    private final String httpHost;
    private final int httpPort;
    private final String httpToken;
    private final int httpThreads;
    private final List<String> peers;
    private final List<WorkerRegistration> workers;
    private final boolean resetState;

    private Options(final OptionTable.Values values)
    {
        help = values.isOn(HELP);
        dataDir = null == values.text(DATA_DIR) ? null : Path.of(values.text(DATA_DIR));
        maxBlocks = (int)values.getLong(MAX_BLOCKS, 1L, Integer.MAX_VALUE);
        maxOwners = (int)values.getLong(MAX_OWNERS, 1L, Integer.MAX_VALUE);
        model = values.text(MODEL);
        tenant = values.get(TENANT);
        blockSize = (int)values.getLong(BLOCK_SIZE, 1L, Integer.MAX_VALUE);
        queryChannel = values.get(QUERY_CHANNEL);
        queryStreamId = (int)values.getLong(QUERY_STREAM_ID, Integer.MIN_VALUE, Integer.MAX_VALUE);
        allowRemote = values.isOn(ALLOW_REMOTE);
        aeronDir = values.text(AERON_DIR);
        externalDriver = values.isOn(EXTERNAL_DRIVER);
        statusIntervalMs = values.getLong(STATUS_INTERVAL_MS, 0L, Long.MAX_VALUE);
        exitAfterMs = values.getLong(EXIT_AFTER_MS, 0L, Long.MAX_VALUE);
        httpHost = values.get(HTTP_HOST);
        httpPort = (int)values.getLong(HTTP_PORT, 0L, 65535L);
        httpToken = values.text(HTTP_TOKEN);
        httpThreads = (int)values.getLong(HTTP_THREADS, 1L, 256L);
        peers = HttpServiceContext.parsePeers(values.get(PEERS));
        resetState = values.isOn(RESET_STATE);
        workers = parseWorkers(values, new WorkerSpecs(model, tenant, blockSize));
    }

    /**
     * Parse a command line alone, without environment: {@code --flag value} or {@code --flag=value}; a repeated
     * flag keeps its last value. A {@code --config} file is read.
     *
     * @param args the command line.
     * @return the options, defaults filled in.
     * @throws UsageException for an unknown flag, a missing or malformed value, or a stray argument.
     */
    public static Options parse(final String... args)
    {
        return parse(Map.of(), args);
    }

    /**
     * Parse options from a command line, {@code KVINDEX_*} environment variables and a properties file (named by
     * {@code --config} or {@code KVINDEX_CONFIG}): a flag wins over the environment, which wins over the file,
     * which wins over the default. Environment variables that name no option are ignored.
     *
     * @param env  the environment, e.g. {@link System#getenv()}.
     * @param args the command line.
     * @return the options, defaults filled in.
     * @throws UsageException for an unknown flag or file entry, a missing or malformed value, or a stray argument.
     */
    public static Options parse(final Map<String, String> env, final String... args)
    {
        return new Options(TABLE.parse(env, args));
    }

    /**
     * The environment variable of an option.
     *
     * @param flag the flag, e.g. {@code --max-blocks}.
     * @return the variable, e.g. {@code KVINDEX_MAX_BLOCKS}.
     */
    public static String envName(final String flag)
    {
        return TABLE.envName(flag);
    }

    /**
     * The {@code --help} text: usage and one line per flag with its default.
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
     * @return the names, e.g. {@code --max-blocks}.
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
     * The data directory given, or null for a fresh temp dir deleted on exit.
     *
     * @return the directory or null.
     */
    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * Most blocks the index holds.
     *
     * @return the capacity in blocks.
     */
    public int maxBlocks()
    {
        return maxBlocks;
    }

    /**
     * Most owners the index tracks.
     *
     * @return the capacity in owners.
     */
    public int maxOwners()
    {
        return maxOwners;
    }

    /**
     * Model of the index registered at start.
     *
     * @return the model, or null to register none.
     */
    public String model()
    {
        return model;
    }

    /**
     * Tenant of the index registered at start.
     *
     * @return the tenant.
     */
    public String tenant()
    {
        return tenant;
    }

    /**
     * Tokens per block of the index registered at start.
     *
     * @return the block size.
     */
    public int blockSize()
    {
        return blockSize;
    }

    /**
     * Aeron channel queries arrive on.
     *
     * @return the channel.
     */
    public String queryChannel()
    {
        return queryChannel;
    }

    /**
     * Aeron stream id queries arrive on.
     *
     * @return the stream id.
     */
    public int queryStreamId()
    {
        return queryStreamId;
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
     * Whether to connect to an external media driver.
     *
     * @return true for an external driver, false to embed one.
     */
    public boolean externalDriver()
    {
        return externalDriver;
    }

    /**
     * The media driver directory given, or null for the default.
     *
     * @return the directory name or null.
     */
    public String aeronDir()
    {
        return aeronDir;
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
     * Milliseconds after which the server stops by itself, 0 for never.
     *
     * @return the run time limit.
     */
    public long exitAfterMs()
    {
        return exitAfterMs;
    }

    /**
     * Address the HTTP API binds.
     *
     * @return the host.
     */
    public String httpHost()
    {
        return httpHost;
    }

    /**
     * Port of the HTTP API.
     *
     * @return the port, 0 for a free one.
     */
    public int httpPort()
    {
        return httpPort;
    }

    /**
     * Bearer token of the HTTP API's mutating endpoints.
     *
     * @return the token, or null for none.
     */
    public String httpToken()
    {
        return httpToken;
    }

    /**
     * Threads answering HTTP requests.
     *
     * @return the thread count.
     */
    public int httpThreads()
    {
        return httpThreads;
    }

    /**
     * Peer indexers to load a dump from at start.
     *
     * @return base URLs, possibly empty.
     */
    public List<String> peers()
    {
        return peers;
    }

    /**
     * The engine streams of {@code --workers} and {@code --workers-file}, in that order.
     *
     * @return the registrations, empty when none was given.
     */
    public List<WorkerRegistration> workers()
    {
        return workers;
    }

    /**
     * Whether the saved state is deleted at start.
     *
     * @return true for {@code --reset-state}.
     */
    public boolean resetState()
    {
        return resetState;
    }

    private static List<WorkerRegistration> parseWorkers(final OptionTable.Values values, final WorkerSpecs specs)
    {
        final List<WorkerRegistration> workers = new ArrayList<>();
        try
        {
            workers.addAll(specs.parse(String.join(",", values.list(WORKERS))));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UsageException(values.source(WORKERS) + ": " + ex.getMessage());
        }
        final String file = values.text(WORKERS_FILE);
        if (null != file)
        {
            try
            {
                workers.addAll(specs.readFile(Path.of(file)));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new UsageException(WORKERS_FILE + ": " + ex.getMessage());
            }
        }
        return Collections.unmodifiableList(workers);
    }
}
