package io.kvindex.tools;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.kvindex.client.IndexerClient;
import io.kvindex.client.IndexerClientContext;
import io.kvindex.router.IndexerOverlapSource;
import io.kvindex.router.Router;
import io.kvindex.router.RouterContext;
import io.kvindex.router.RouterCounters;
import io.kvindex.router.WorkerSet;
import io.kvindex.router.api.RouterService;
import io.kvindex.router.api.RouterServiceContext;
import io.kvindex.router.http.RouterHttpContext;
import io.kvindex.router.http.RouterHttpService;
import io.kvindex.router.sync.ReplicaSyncContext;
import io.kvindex.router.workers.WorkerSources;
import io.kvindex.router.workers.WorkerSpecs;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.kvindex.tools.RouterOptions.AERON_DIR;
import static io.kvindex.tools.RouterOptions.EXTERNAL_DRIVER;
import static io.kvindex.tools.RouterOptions.HTTP_HOST;
import static io.kvindex.tools.RouterOptions.HTTP_PORT;
import static io.kvindex.tools.RouterOptions.INDEXER_CHANNEL;
import static io.kvindex.tools.RouterOptions.INDEXER_HTTP;
import static io.kvindex.tools.RouterOptions.INDEXER_STREAM_ID;
import static io.kvindex.tools.RouterOptions.MODEL;
import static io.kvindex.tools.RouterOptions.RESET_STATES;
import static io.kvindex.tools.RouterOptions.ROUTER_CHANNEL;
import static io.kvindex.tools.RouterOptions.ROUTER_STREAM_ID;
import static io.kvindex.tools.RouterOptions.TENANT;
import static io.kvindex.tools.RouterOptions.WORKERS;
import static io.kvindex.tools.RouterOptions.WORKERS_FILE;
import static io.kvindex.tools.RouterOptions.WORKERS_POLL_MS;

/**
 * Runs router-lite: a media driver (embedded unless {@code --external-driver}), the {@link RouterService} (the router
 * thread and its Aeron API), the HTTP API and the worker sources; prints where everything is at start and a status
 * line now and then; stops cleanly, with exit code 0, on SIGTERM or SIGINT. {@code --help} lists the options.
 */
public final class RouterLiteMain implements ToolRunner.Service
{
    /** Exit code of a clean run. */
    public static final int EXIT_OK = ToolRunner.EXIT_OK;
    /** Exit code of a failure. */
    public static final int EXIT_FAILURE = ToolRunner.EXIT_FAILURE;
    /** Exit code of a bad command line. */
    public static final int EXIT_USAGE = ToolRunner.EXIT_USAGE;

    private static final String NAME = "router-lite";

    private final RouterOptions options;
    private final PrintStream out;
    private final WorkerSet workers = new WorkerSet();
    private MediaDriver driver;
    private Aeron aeron;
    private IndexerClient indexerClient;
    private RouterService service;
    private RouterHttpService http;
    private WorkerSources sources;

    private RouterLiteMain(final RouterOptions options, final PrintStream out)
    {
        this.options = options;
        this.out = out;
    }

    /**
     * Run until SIGTERM or SIGINT, or {@code --exit-after-ms}.
     *
     * @param args the command line.
     */
    public static void main(final String[] args)
    {
        System.exit(run(System.getenv(), args, System.out, System.err));
    }

    /**
     * Run with a given environment, printing to the given streams.
     *
     * @param env  the environment ({@code DYN_*} variables).
     * @param args the command line.
     * @param out  where progress goes.
     * @param err  where errors go.
     * @return the exit code.
     */
    public static int run(
        final Map<String, String> env, final String[] args, final PrintStream out, final PrintStream err)
    {
        final RouterOptions options;
        try
        {
            options = RouterOptions.parse(env, args);
        }
        catch (final UsageException ex)
        {
            return ToolRunner.usageError(NAME, ex, err);
        }
        if (options.help())
        {
            return ToolRunner.printHelp(RouterOptions.helpText(), out);
        }
        return new ToolRunner(NAME, options.statusIntervalMs(), options.exitAfterMs(), out, err)
            .run(new RouterLiteMain(options, out));
    }

    /**
     * {@inheritDoc}
     */
    public void start()
    {
        if (options.isOn(EXTERNAL_DRIVER))
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(options.text(AERON_DIR)));
        }
        else
        {
            final MediaDriver.Context driverCtx = new MediaDriver.Context()
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true);
            driverCtx.aeronDirectoryName(null != options.text(AERON_DIR) ? options.text(AERON_DIR) :
                driverCtx.aeronDirectoryName() + "-router-" + ProcessHandle.current().pid());
            driver = MediaDriver.launch(driverCtx);
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        }
        final RouterContext routerContext = options.routerContext().workerSet(workers);
        sources = new WorkerSources(workers, WorkerSpecs.parse(null == options.text(WORKERS) ? "" :
            options.text(WORKERS)), null == options.text(WORKERS_FILE) ? null : Path.of(options.text(WORKERS_FILE)),
            options.text(INDEXER_HTTP)).start(options.longValue(WORKERS_POLL_MS, 10, Integer.MAX_VALUE));
        if (routerContext.replicaSync())
        {
            routerContext.replicaSyncContext(new ReplicaSyncContext().aeron(aeron));
        }
        if (routerContext.kvEvents() && null != options.text(INDEXER_CHANNEL))
        {
            routerContext.overlapSource(connectIndexer(routerContext));
        }
        service = RouterService.launch(new RouterServiceContext()
            .aeron(aeron)
            .requestChannel(options.text(ROUTER_CHANNEL))
            .requestStreamId((int)options.longValue(ROUTER_STREAM_ID, 1, Integer.MAX_VALUE))
            .routerContext(routerContext));
        http = RouterHttpService.launch(new RouterHttpContext()
            .host(options.text(HTTP_HOST))
            .port((int)options.longValue(HTTP_PORT, 0, 65535)), service);
        printStart(routerContext);
    }

    private IndexerOverlapSource connectIndexer(final RouterContext routerContext)
    {
        final String channel = options.text(INDEXER_CHANNEL);
        indexerClient = IndexerClient.connect(new IndexerClientContext()
            .aeron(aeron)
            .addEndpoint(channel, (int)options.longValue(INDEXER_STREAM_ID, 1, Integer.MAX_VALUE))
            .responseChannel(channel.startsWith("aeron:udp") ? "aeron:udp?endpoint=127.0.0.1:0" : "aeron:ipc")
            .blockSize(routerContext.blockSize()));
        return new IndexerOverlapSource(indexerClient, options.text(MODEL), options.text(TENANT),
            routerContext.indexerTimeoutNs(), SystemNanoClock.INSTANCE, new SleepingMillisIdleStrategy(0),
            routerContext.maxWorkers());
    }

    private void printStart(final RouterContext ctx)
    {
        out.println(NAME + " started: mode " + ctx.mode().flagName() + (ctx.approximate() ?
            ", approximate (no KV events: the router records its own decisions)" :
            ctx.kvEvents() ? ", KV events via the indexer on " + options.text(INDEXER_CHANNEL) + " model " +
            options.text(MODEL) : "") + ", block size " + ctx.blockSize() + ", overlap weight " +
            ctx.overlapScoreWeight() + ", temperature " + ctx.temperature() + ", track active blocks " +
            ctx.trackActiveBlocks() + ", track prefill tokens " + ctx.trackPrefillTokens());
        out.println("http " + http.url() + " (router API, /v1/completions, /metrics)");
        out.println("aeron api " + service.context().requestChannel() + " stream " +
            service.context().requestStreamId() + ", aeron dir " + aeron.context().aeronDirectoryName() +
            (null == driver ? " (external driver)" : " (embedded driver)"));
        out.println("workers: " + workers.size() + (null == options.text(WORKERS_FILE) ? "" : ", file " +
            options.text(WORKERS_FILE) + (Files.exists(Path.of(options.text(WORKERS_FILE))) ? "" : " (missing)")) +
            (null == options.text(INDEXER_HTTP) ? "" : ", indexer registry " + options.text(INDEXER_HTTP)));
        if (options.isOn(RESET_STATES))
        {
            out.println("--router-reset-states: router-lite saves no state; starting empty");
        }
        out.flush();
    }

    /**
     * {@inheritDoc}
     */
    public void printStatus()
    {
        final RouterCounters counters = service.call(Router::counters).join();
        final int active = service.call(Router::activeRequests).join();
        out.println("status: workers " + workers.size() + ", routed " + counters.get(RouterCounters.ROUTED) +
            ", active " + active + ", freed " + counters.get(RouterCounters.FREED) + ", expired " +
            counters.get(RouterCounters.EXPIRED) + ", indexer fallbacks " +
            counters.get(RouterCounters.INDEXER_FALLBACKS) + (null == sources.lastError() ? "" :
            ", worker sources: " + sources.lastError()));
        out.flush();
    }

    /**
     * {@inheritDoc}
     */
    public void stop()
    {
        CloseHelper.closeAll(http, sources, service, indexerClient, aeron, driver);
    }
}
