package io.kvindex.tools;

import io.kvindex.server.IndexerServerContext;
import io.kvindex.server.query.IndexRegistry;

import java.nio.file.Path;
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
    /** Flag: milliseconds between status lines. */
    public static final String STATUS_INTERVAL_MS = "--status-interval-ms";
    /** Flag: stop by itself after this many milliseconds. */
    public static final String EXIT_AFTER_MS = "--exit-after-ms";
    /** Flag: print the help text and exit. */
    public static final String HELP = OptionTable.HELP;

    /** Prefix of the environment variables: {@code --max-blocks} is {@code KVINDEX_MAX_BLOCKS}. */
    public static final String ENV_PREFIX = OptionTable.ENV_PREFIX;

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
    /** Default of {@link #STATUS_INTERVAL_MS}. */
    public static final long STATUS_INTERVAL_MS_DEFAULT = 5000L;
    /** Default of {@link #EXIT_AFTER_MS}: run until SIGTERM or SIGINT. */
    public static final long EXIT_AFTER_MS_DEFAULT = 0L;

    private static final String COMPUTED = OptionTable.COMPUTED;
    private static final OptionTable TABLE = new OptionTable(List.of(
        new OptionTable.Flag(CONFIG, "FILE", COMPUTED, "none",
            "properties file of options, one name=value a line, e.g. max-blocks=2000000"),
        new OptionTable.Flag(DATA_DIR, "DIR", COMPUTED, "a fresh temp dir, deleted on exit",
            "directory for the index's files; created if missing and kept on exit"),
        new OptionTable.Flag(MAX_BLOCKS, "N", Integer.toString(MAX_BLOCKS_DEFAULT), null,
            "most blocks each index holds; stores beyond it are refused and counted"),
        new OptionTable.Flag(MAX_OWNERS, "N", Integer.toString(MAX_OWNERS_DEFAULT), null,
            "most owners (worker id, dp rank) each index tracks"),
        new OptionTable.Flag(MODEL, "NAME", COMPUTED, "none: no index is registered",
            "register the index of this model (with --tenant, --block-size) at start"),
        new OptionTable.Flag(TENANT, "NAME", TENANT_DEFAULT, null, "tenant of the --model index"),
        new OptionTable.Flag(BLOCK_SIZE, "N", Integer.toString(BLOCK_SIZE_DEFAULT), null,
            "tokens per block of the --model index; must match the engines' block size"),
        new OptionTable.Flag(QUERY_CHANNEL, "CHANNEL", QUERY_CHANNEL_DEFAULT, null,
            "Aeron channel queries arrive on, e.g. aeron:udp?endpoint=127.0.0.1:40456"),
        new OptionTable.Flag(QUERY_STREAM_ID, "ID", Integer.toString(QUERY_STREAM_ID_DEFAULT), null,
            "Aeron stream id queries arrive on"),
        new OptionTable.Flag(ALLOW_REMOTE, null, COMPUTED, "off: a UDP query channel must be a loopback address",
            "allow a query channel on a non-loopback address (exposes the server to the network)"),
        new OptionTable.Flag(AERON_DIR, "DIR", COMPUTED,
            "embedded: a unique dir in /dev/shm (or temp dir); external: Aeron's default",
            "media driver directory; an embedded driver deletes it on start and on exit, never share it"),
        new OptionTable.Flag(EXTERNAL_DRIVER, null, COMPUTED, "off: an embedded media driver",
            "connect to a media driver already running in --aeron-dir rather than embedding one"),
        new OptionTable.Flag(STATUS_INTERVAL_MS, "MS", Long.toString(STATUS_INTERVAL_MS_DEFAULT), null,
            "milliseconds between status lines; 0 prints none"),
        new OptionTable.Flag(EXIT_AFTER_MS, "MS", Long.toString(EXIT_AFTER_MS_DEFAULT), null,
            "stop by itself after this many ms (scripts, tests); 0 runs until SIGTERM or SIGINT"),
        new OptionTable.Flag(HELP, null, COMPUTED, null, "print this help and exit")));

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

    private Options(final OptionTable.Values values)
    {
        help = values.isOn(HELP);
        final String dataDirName = values.stringOrNull(DATA_DIR);
        dataDir = null == dataDirName ? null : Path.of(dataDirName);
        maxBlocks = (int)values.longValue(MAX_BLOCKS, 1L, Integer.MAX_VALUE);
        maxOwners = (int)values.longValue(MAX_OWNERS, 1L, Integer.MAX_VALUE);
        model = values.stringOrNull(MODEL);
        tenant = values.string(TENANT);
        blockSize = (int)values.longValue(BLOCK_SIZE, 1L, Integer.MAX_VALUE);
        queryChannel = values.string(QUERY_CHANNEL);
        queryStreamId = (int)values.longValue(QUERY_STREAM_ID, Integer.MIN_VALUE, Integer.MAX_VALUE);
        allowRemote = values.isOn(ALLOW_REMOTE);
        aeronDir = values.stringOrNull(AERON_DIR);
        externalDriver = values.isOn(EXTERNAL_DRIVER);
        statusIntervalMs = values.longValue(STATUS_INTERVAL_MS, 0L, Long.MAX_VALUE);
        exitAfterMs = values.longValue(EXIT_AFTER_MS, 0L, Long.MAX_VALUE);
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
        return OptionTable.envName(flag);
    }

    /**
     * The {@code --help} text: usage and one line per flag with its default.
     *
     * @return the text, ending with a newline.
     */
    public static String helpText()
    {
        return TABLE.helpText("Usage: indexer-server [options]\n" +
            "Runs the kvindex indexer: a media driver (embedded by default), the off-heap indexes\n" +
            "and the Aeron query service (docs/query-protocol.md). Prints the query channel, stream id\n" +
            "and Aeron dir at start. Stops cleanly, with exit code 0, on SIGTERM or SIGINT.\n" +
            "Not yet served: the HTTP API (--http-port 8090 comes later) and the engine event feeds.\n");
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
     * A command line that cannot be parsed; the message is meant for the user.
     */
    public static final class UsageException extends IllegalArgumentException
    {
        private static final long serialVersionUID = 1L;

        /**
         * An error with a message for the user.
         *
         * @param message what is wrong with the command line.
         */
        public UsageException(final String message)
        {
            super(message);
        }
    }
}
