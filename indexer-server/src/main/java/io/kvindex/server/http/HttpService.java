package io.kvindex.server.http;

import com.sun.net.httpserver.HttpServer;
import io.kvindex.server.IndexerServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.agrona.ErrorHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Dynamo-compatible HTTP/JSON API of an {@link IndexerServer} ({@code spec/dynamo-compat.md} §3) and its
 * Prometheus metrics (§5), on the JDK's HTTP server with a small fixed pool of threads and keep-alive. At launch it
 * binds the port (so that a port in use fails first), loads a peer's {@code /dump} when peers are configured, and
 * only then starts answering.
 * <p>
 * Endpoints: {@code GET /health}, {@code GET /metrics}, {@code POST /register}, {@code POST /unregister},
 * {@code GET /workers}, {@code POST /query}, {@code POST /query_by_hash}, {@code GET /dump},
 * {@code POST /register_peer}, {@code POST /deregister_peer}, {@code GET /peers}; with a token configured, those
 * that change state or reveal it in bulk ({@code /register}, {@code /unregister}, {@code /dump}, the peer
 * endpoints) need {@code Authorization: Bearer <token>}.
 */
public final class HttpService implements AutoCloseable
{
    private static final int BACKLOG = 128;
    private static final long STOP_WAIT_MS = 5_000L;

    private final HttpServer server;
    private final ExecutorService executor;
    private final String url;
    private final String bootstrapSummary;

    private HttpService(final HttpServiceContext ctx, final IndexerServer indexer, final ErrorHandler errorHandler)
    {
        try
        {
            server = HttpServer.create(new InetSocketAddress(ctx.address(), ctx.port()), BACKLOG);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot bind HTTP " + ctx.host() + ":" + ctx.port(), ex);
        }
        try
        {
            final PeerRegistry peers = new PeerRegistry();
            ctx.peers().forEach(peers::add);
            bootstrapSummary =
                PeerBootstrap.load(ctx.peers(), ctx.token(), ctx.peerTimeoutMs(),
                    (model, tenant, blockSize, events) ->
                    {
                        indexer.registerIndex(model, tenant, blockSize);
                        return indexer.loadStored(model, tenant, events::replay,
                            TimeUnit.MILLISECONDS.toNanos(ctx.peerTimeoutMs()));
                    });
            server.createContext("/", router(ctx, indexer, errorHandler, peers));
        }
        catch (final RuntimeException ex)
        {
            server.stop(0);
            throw ex;
        }
        executor = Executors.newFixedThreadPool(ctx.threads(), threadFactory());
        server.setExecutor(executor);
        server.start();
        url = ctx.baseUrl(server.getAddress().getPort());
    }

    /**
     * Load a peer's dump when peers are configured, then open the API.
     *
     * @param ctx          the settings; concluded here unless already.
     * @param indexer      the server whose indexes and registry the API serves.
     * @param errorHandler receives unexpected failures of requests (answered 500).
     * @return the running service.
     */
    public static HttpService launch(
        final HttpServiceContext ctx, final IndexerServer indexer, final ErrorHandler errorHandler)
    {
        if (!ctx.concluded())
        {
            ctx.conclude();
        }
        return new HttpService(ctx, indexer, errorHandler);
    }

    /**
     * The base URL clients reach the API at.
     *
     * @return e.g. {@code http://127.0.0.1:8090}.
     */
    public String url()
    {
        return url;
    }

    /**
     * The port bound, useful when the configured port was 0.
     *
     * @return the port.
     */
    public int port()
    {
        return server.getAddress().getPort();
    }

    /**
     * What the start-up peer bootstrap did.
     *
     * @return a line for the operator.
     */
    public String bootstrapSummary()
    {
        return bootstrapSummary;
    }

    /**
     * Stop accepting requests and stop the threads.
     */
    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
        try
        {
            executor.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static ApiRouter router(
        final HttpServiceContext ctx,
        final IndexerServer indexer,
        final ErrorHandler errorHandler,
        final PeerRegistry peers)
    {
        final PrometheusRegistry prometheus = new PrometheusRegistry();
        final HttpMetrics metrics = new HttpMetrics(prometheus);
        IndexerMetrics.register(prometheus, indexer);
        ProcessMetrics.register(prometheus);

        final int maxOwners = indexer.context().maxOwners();
        final ThreadLocal<HttpWorkspace> workspaces =
            ThreadLocal.withInitial(() -> new HttpWorkspace(maxOwners, ctx.maxBodyBytes()));
        final ApiRouter router = new ApiRouter(new BearerAuth(ctx.token()), workspaces, metrics, errorHandler);
        final PeerHandlers peerHandlers = new PeerHandlers(peers);
        final HealthHandler health = new HealthHandler(indexer.registry(), indexer.context().maxBlocks());
        add(router, metrics, "/health", "GET", false, health);
        add(router, metrics, "/metrics", "GET", false, new MetricsHandler(prometheus));
        add(router, metrics, "/register", "POST", true, new RegisterHandler(indexer));
        add(router, metrics, "/unregister", "POST", true, new UnregisterHandler(indexer));
        add(router, metrics, "/workers", "GET", false, new WorkersHandler(indexer));
        add(router, metrics, "/query", "POST", false, new QueryHandler(indexer.registry(), false));
        add(router, metrics, "/query_by_hash", "POST", false, new QueryHandler(indexer.registry(), true));
        add(router, metrics, "/dump", "GET", true, new DumpHandler(indexer));
        add(router, metrics, "/register_peer", "POST", true, peerHandlers::register);
        add(router, metrics, "/deregister_peer", "POST", true, peerHandlers::deregister);
        add(router, metrics, "/peers", "GET", true, peerHandlers::list);
        return router;
    }

    private static void add(
        final ApiRouter router,
        final HttpMetrics metrics,
        final String path,
        final String method,
        final boolean mutating,
        final ApiHandler handler)
    {
        router.add(new Route(path, method, mutating, handler, metrics.endpoint(path)));
    }

    private static ThreadFactory threadFactory()
    {
        final AtomicInteger count = new AtomicInteger();
        return runnable ->
        {
            final Thread thread = new Thread(runnable, "kvindex-http-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
