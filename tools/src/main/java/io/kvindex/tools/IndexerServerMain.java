package io.kvindex.tools;

import io.kvindex.client.QueryProtocol;
import io.kvindex.index.BlockIndex;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.server.IndexerServer;
import io.kvindex.server.IndexerServerContext;
import io.kvindex.server.http.HttpService;
import io.kvindex.server.http.HttpServiceContext;
import io.kvindex.server.query.IndexRegistry;
import io.kvindex.server.query.QueryCounters;
import io.kvindex.server.registry.ListenerStatus;
import io.kvindex.server.registry.ListenerView;
import io.kvindex.server.registry.WorkerRegistration;
import org.agrona.CloseHelper;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

/**
 * Runs an {@link IndexerServer} from flags, {@code KVINDEX_*} environment variables and a config file, printing
 * how to reach its query service and a status line per interval until SIGTERM, SIGINT or {@code --exit-after-ms}.
 */
public final class IndexerServerMain implements ToolRunner.Service
{
    /** Exit code of a clean stop, including one asked for by SIGTERM or SIGINT. */
    public static final int EXIT_OK = ToolRunner.EXIT_OK;
    /** Exit code when the server failed to start or to stop cleanly. */
    public static final int EXIT_FAILURE = ToolRunner.EXIT_FAILURE;
    /** Exit code of a command line that cannot be parsed. */
    public static final int EXIT_USAGE = ToolRunner.EXIT_USAGE;

    private static final String NAME = "indexer-server";

    private final Options options;
    private final PrintStream out;
    private final long startNs = System.nanoTime();
    private volatile IndexerServer server;

    private IndexerServerMain(final Options options, final PrintStream out)
    {
        this.options = options;
        this.out = out;
    }

    /**
     * Run the server with a command line and exit the JVM with its exit code.
     *
     * @param args the command line; {@code --help} lists the options.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Run the server with a command line until it is stopped, without exiting the JVM.
     *
     * @param args the command line.
     * @param out  receives the state lines and the help text.
     * @param err  receives errors.
     * @return {@link #EXIT_OK}, {@link #EXIT_FAILURE} or {@link #EXIT_USAGE}.
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        return run(System.getenv(), args, out, err);
    }

    /**
     * Run the server with an environment and a command line until it is stopped, without exiting the JVM.
     *
     * @param env  the environment, whose {@code KVINDEX_*} variables set options.
     * @param args the command line.
     * @param out  receives the state lines and the help text.
     * @param err  receives errors.
     * @return {@link #EXIT_OK}, {@link #EXIT_FAILURE} or {@link #EXIT_USAGE}.
     */
    public static int run(
        final Map<String, String> env, final String[] args, final PrintStream out, final PrintStream err)
    {
        final Options options;
        try
        {
            options = Options.parse(env, args);
        }
        catch (final UsageException ex)
        {
            return ToolRunner.usageError(NAME, ex, err);
        }
        if (options.help())
        {
            return ToolRunner.printHelp(Options.helpText(), out);
        }
        return new ToolRunner(NAME, options.statusIntervalMs(), options.exitAfterMs(), out, err)
            .run(new IndexerServerMain(options, out));
    }

    /**
     * The server's configuration from options.
     *
     * @param options the parsed options.
     * @return a context, not yet concluded.
     */
    static IndexerServerContext serverContext(final Options options)
    {
        return new IndexerServerContext()
            .dataDir(options.dataDir())
            .maxBlocks(options.maxBlocks())
            .maxOwners(options.maxOwners())
            .embeddedDriver(!options.externalDriver())
            .aeronDirectoryName(options.aeronDir())
            .queryChannel(options.queryChannel())
            .queryStreamId(options.queryStreamId())
            .allowRemote(options.allowRemote())
            .httpContext(new HttpServiceContext()
                .host(options.httpHost())
                .port(options.httpPort())
                .token(options.httpToken())
                .threads(options.httpThreads())
                .peers(options.peers())
                .allowRemote(options.allowRemote()))
            .resetState(options.resetState());
    }

    /**
     * {@inheritDoc}
     */
    public void start()
    {
        final IndexerServer server = IndexerServer.launch(serverContext(options));
        this.server = server;
        if (null != options.model())
        {
            server.registerIndex(options.model(), options.tenant(), options.blockSize());
        }
        final IndexerServerContext ctx = server.context();
        out.println(NAME + " started: aeron dir " + ctx.aeronDirectoryName() +
            (ctx.embeddedDriver() ? " (embedded driver)" : " (external driver)") + ", data dir " + ctx.dataDir() +
            (ctx.temporaryDataDir() ? " (temporary)" : "") + ", capacity per index " + ctx.maxBlocks() + " blocks, " +
            ctx.maxOwners() + " owners");
        out.println("query channel " + ctx.queryChannel() + " stream " + ctx.queryStreamId() +
            "; responses on the client's channel (default " + QueryProtocol.DEFAULT_RESPONSE_CHANNEL + " stream " +
            QueryProtocol.DEFAULT_RESPONSE_STREAM_ID + ")");
        final HttpService http = server.http();
        out.println("http " + http.url() + " (Dynamo-compatible API, /metrics" +
            (null == options.httpToken() ? ")" : "; mutating endpoints need the bearer token)"));
        if (!options.peers().isEmpty())
        {
            out.println("peers: " + http.bootstrapSummary());
        }
        if (0 == server.registry().size())
        {
            out.println("index: none registered (start with " + Options.MODEL + " NAME to register one)");
        }
        for (final String line : indexLines(server))
        {
            out.println(line);
        }
        registerWorkers(server);
        out.flush();
    }

    private void registerWorkers(final IndexerServer server)
    {
        final int restored = server.listeners().size();
        if (restored > 0)
        {
            out.println("workers: " + restored + " stream(s) restored from " + server.dataDir() + " (" +
                Options.RESET_STATE + " forgets them)");
        }
        for (final WorkerRegistration registration : options.workers())
        {
            final boolean added = server.register(registration);
            out.println("worker " + Long.toUnsignedString(registration.instanceId()) + " dp " +
                registration.dpRank() + " " + registration.model() + ":" + registration.tenant() + " block size " +
                registration.blockSize() + " <- " + registration.endpoint() + (null == registration.replayEndpoint() ?
                " (no replay)" : " replay " + registration.replayEndpoint()) + (added ? "" : " (already registered)"));
        }
    }

    /**
     * {@inheritDoc}
     */
    public void printStatus()
    {
        final IndexerServer server = this.server;
        if (null == server)
        {
            return;
        }
        final long upMs = NANOSECONDS.toMillis(System.nanoTime() - startNs);
        final QueryCounters counters = server.queryCounters();
        out.println("status: up " + (upMs / 1000) + "." + (upMs % 1000) / 100 + "s, queries: requests " +
            counters.get(QueryCounters.REQUESTS) + ", answered " + counters.get(QueryCounters.ANSWERED) +
            ", unknown index " + counters.get(QueryCounters.UNKNOWN_INDEX) + ", overloaded " +
            counters.get(QueryCounters.OVERLOADED) + ", indexes " + server.registry().size() + workersStatus(server));
        for (final String line : indexLines(server))
        {
            out.println("status: " + line);
        }
        out.flush();
    }

    private static String workersStatus(final IndexerServer server)
    {
        final List<ListenerView> listeners = server.listeners();
        int active = 0;
        int idle = 0;
        int failed = 0;
        for (final ListenerView view : listeners)
        {
            active += ListenerStatus.ACTIVE == view.status() ? 1 : 0;
            failed += ListenerStatus.FAILED == view.status() ? 1 : 0;
            idle += view.idle() ? 1 : 0;
        }
        return ", workers " + listeners.size() + " (active " + active + ", idle " + idle + ", failed " + failed + ")";
    }

    private static String[] indexLines(final IndexerServer server)
    {
        final List<IndexRegistry.Entry> entries = server.registry().entries();
        final String[] lines = new String[entries.size()];
        for (int i = 0; i < lines.length; i++)
        {
            final IndexRegistry.Entry entry = entries.get(i);
            final BlockIndex index = entry.index();
            final StringBuilder line = new StringBuilder("index ").append(entry.model()).append(':')
                .append(entry.tenant()).append(" block size ").append(entry.blockSize()).append(": owners ")
                .append(index.ownerCount());
            if (index instanceof OffHeapBlockIndex offHeap)
            {
                line.append(", blocks ").append(offHeap.liveBlocks()).append(", memberships ")
                    .append(offHeap.memberships()).append(", used ").append(offHeap.usedBytes())
                    .append(" B, reserved ").append(offHeap.reservedBytes()).append(" B");
            }
            lines[i] = line.toString();
        }
        return lines;
    }

    /**
     * {@inheritDoc}
     */
    public void stop()
    {
        CloseHelper.close(server);
        server = null;
    }
}
