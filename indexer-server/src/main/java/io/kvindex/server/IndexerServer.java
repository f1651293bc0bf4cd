package io.kvindex.server;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.kvindex.index.DumpListener;
import io.kvindex.index.EventCounters;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.server.http.HttpService;
import io.kvindex.server.pipeline.IngestCounters;
import io.kvindex.server.query.IndexRegistry;
import io.kvindex.server.query.QueryCounters;
import io.kvindex.server.query.QueryServer;
import io.kvindex.server.registry.BlockSizeConflictException;
import io.kvindex.server.registry.ListenerView;
import io.kvindex.server.registry.WorkerRegistration;
import io.kvindex.server.registry.WorkerRegistry;
import io.kvindex.server.registry.WorkerStore;
import io.kvindex.server.stat.CountersFile;
import org.agrona.CloseHelper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The indexer server: a media driver (embedded, or an external one by configuration), the {@link IndexRegistry} of
 * off-heap indexes, one per {@code (model, tenant)}, and the {@link QueryServer} answering over Aeron. Feeds, HTTP
 * and snapshots join it as their issues land. {@link #close()} releases everything the server created.
 */
public final class IndexerServer implements AutoCloseable
{
    private final IndexerServerContext ctx;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final IndexRegistry registry = new IndexRegistry();
    private final List<OffHeapBlockIndex> indexes = new ArrayList<>();
    private final WorkerRegistry workers = new WorkerRegistry();
    private final CountersFile countersFile;
    private final QueryServer queryServer;
    private static final long DUMP_START_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final Object dumpLock = new Object();
    private volatile HttpService http;
    private final IngestService ingest;
    private boolean closed;

    private IndexerServer(final IndexerServerContext ctx)
    {
        this.ctx = ctx;
        MediaDriver driver = null;
        Aeron aeron = null;
        CountersFile countersFile = null;
        IngestService ingest = null;
        try
        {
            countersFile = new CountersFile(ctx.dataDir(), ctx.maxCounters());
            ingest = new IngestService(ctx);
            if (ctx.embeddedDriver())
            {
                driver = MediaDriver.launch(ctx.driverContext());
            }
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(ctx.aeronDirectoryName()));
            queryServer = QueryServer.launch(new QueryServer.Context()
                .aeron(aeron)
                .aeronDirectoryName(ctx.aeronDirectoryName())
                .embeddedDriver(false)
                .requestChannel(ctx.queryChannel())
                .requestStreamId(ctx.queryStreamId())
                .maxOwners(Math.min(ctx.maxOwners(), QueryServer.Context.MAX_OWNERS_LIMIT))
                .registry(registry)
                .countersManager(countersFile.manager())
                .idleStrategy(ctx.queryIdleStrategy())
                .errorHandler(ctx.errorHandler()));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(ingest, aeron, driver, countersFile);
            ctx.deleteTemporaryDataDir();
            throw ex;
        }
        this.driver = driver;
        this.aeron = aeron;
        this.countersFile = countersFile;
        this.ingest = ingest;
        restoreRegistrations();
    }

    /**
     * Start a server.
     *
     * @param ctx the configuration; concluded here.
     * @return the running server.
     */
    public static IndexerServer launch(final IndexerServerContext ctx)
    {
        final IndexerServer server = new IndexerServer(ctx.conclude());
        server.startHttp();
        return server;
    }

    /**
     * Load a peer's dump when peers are configured, then open the HTTP API, when the context has one; before any
     * feed starts, so that no registration arrives first.
     */
    private void startHttp()
    {
        if (null != ctx.httpContext())
        {
            try
            {
                http = HttpService.launch(ctx.httpContext(), this, ctx.errorHandler());
            }
            catch (final RuntimeException ex)
            {
                close();
                throw ex;
            }
        }
    }

    /**
     * The HTTP API.
     *
     * @return the service, or null when the context configured none.
     */
    public HttpService http()
    {
        return http;
    }

    /**
     * Write one index out as the Stored events that rebuild it, consistently: the dump runs on the index writer
     * thread ({@link #dump(String, String, DumpListener, long)}, waiting up to 10 s for it to start). Dumps run one
     * at a time.
     *
     * @param model    model name.
     * @param tenant   tenant, null or empty for the default.
     * @param listener receives the events, on the writer thread; its arrays are reused between calls.
     * @throws IllegalArgumentException when no such index is registered.
     */
    public void dumpIndex(final String model, final String tenant, final DumpListener listener)
    {
        synchronized (dumpLock)
        {
            dump(model, tenant, listener, DUMP_START_TIMEOUT_NS);
        }
    }

    /**
     * Create and register the off-heap index of a {@code (model, tenant)} with the configured capacities. Registering
     * the same pair again with the same block size returns the existing index.
     *
     * @param model     model name.
     * @param tenant    tenant, null or empty for {@link IndexRegistry#DEFAULT_TENANT}.
     * @param blockSize tokens per block.
     * @return the index of the pair.
     * @throws IllegalArgumentException when the pair is registered with another block size.
     */
    public synchronized OffHeapBlockIndex registerIndex(final String model, final String tenant, final int blockSize)
    {
        if (closed)
        {
            throw new IllegalStateException("server closed");
        }
        if (null == model || model.isEmpty())
        {
            throw new IllegalArgumentException("model must not be empty");
        }
        final IndexRegistry.Entry existing = registry.find(model, tenant);
        if (null != existing)
        {
            if (existing.blockSize() != blockSize)
            {
                throw new IllegalArgumentException("index " + existing.model() + ":" + existing.tenant() +
                    " is registered with block size " + existing.blockSize() + ", not " + blockSize);
            }
            return (OffHeapBlockIndex)existing.index();
        }
        if (blockSize < 1)
        {
            throw new IllegalArgumentException("blockSize must be >= 1: " + blockSize);
        }
        final String indexTenant = null == tenant || tenant.isEmpty() ? IndexRegistry.DEFAULT_TENANT : tenant;
        final OffHeapBlockIndex index = new OffHeapBlockIndex(new OffHeapBlockIndex.Context()
            .maxBlocks(ctx.maxBlocks())
            .maxOwners(ctx.maxOwners())
            .counters(new EventCounters(countersFile.manager(), model + ":" + indexTenant)));
        final IndexRegistry.Entry entry = registry.register(model, tenant, index, blockSize);
        ingest.addIndex(entry.model(), entry.tenant(), index, blockSize);
        indexes.add(index);
        return index;
    }

    /**
     * Register an engine stream to follow: creates the index of its {@code (model, tenant)} on first use, with the
     * stream's block size, and starts the stream's feed (a late join replays from 0 when a replay endpoint is known).
     * Registering the same stream again with other endpoints restarts its feed, its old blocks removed. The
     * registration is saved in the data directory and restored at the next start.
     *
     * @param registration the stream.
     * @return true when the stream is new, false when it was registered already.
     * @throws BlockSizeConflictException when the index exists with another block size.
     */
    public synchronized boolean register(final WorkerRegistration registration)
    {
        final IndexRegistry.Entry existing = registry.find(registration.model(), registration.tenant());
        if (null != existing && existing.blockSize() != registration.blockSize())
        {
            throw new BlockSizeConflictException(
                existing.model(), existing.tenant(), existing.blockSize(), registration.blockSize());
        }
        registerIndex(registration.model(), registration.tenant(), registration.blockSize());
        final WorkerRegistration previous = workers.put(registration);
        ingest.onRegistered(registration, previous, workers, null);
        return null == previous;
    }

    /**
     * Stop following the streams of a worker: their feeds stop and the blocks of their owners are removed, through
     * the index writer after the feeds' last batches.
     *
     * @param instanceId the worker id.
     * @param model      model name.
     * @param tenant     a tenant, or null for every tenant of the model.
     * @param dpRank     a rank, or {@link WorkerRegistry#ALL_RANKS} for the whole instance.
     * @return the registrations removed, empty when none matched.
     */
    public synchronized List<WorkerRegistration> unregister(
        final long instanceId, final String model, final String tenant, final int dpRank)
    {
        final List<WorkerRegistration> removed = workers.remove(instanceId, model, tenant, dpRank);
        ingest.onUnregistered(removed);
        return removed;
    }

    /**
     * The registered streams and the state of their listeners.
     *
     * @return a new list, in registration order.
     */
    public List<ListenerView> listeners()
    {
        return workers.listeners();
    }

    /**
     * The off-heap index of a {@code (model, tenant)}.
     *
     * @param model  model name.
     * @param tenant tenant, null or empty for the default.
     * @return the index or null when none is registered.
     */
    public OffHeapBlockIndex index(final String model, final String tenant)
    {
        final IndexRegistry.Entry entry = registry.find(model, tenant);
        return null == entry ? null : (OffHeapBlockIndex)entry.index();
    }

    /**
     * The registered indexes, as the query service sees them.
     *
     * @return the registry.
     */
    public IndexRegistry registry()
    {
        return registry;
    }

    /**
     * Counters of the query service.
     *
     * @return the counters.
     */
    public QueryCounters queryCounters()
    {
        return queryServer.counters();
    }

    /**
     * The concluded configuration: the Aeron directory, query channel and stream id a client needs.
     *
     * @return the context.
     */
    public IndexerServerContext context()
    {
        return ctx;
    }

    /**
     * The Aeron directory of the media driver in use.
     *
     * @return the directory.
     */
    public String aeronDirectoryName()
    {
        return ctx.aeronDirectoryName();
    }

    /**
     * The data directory.
     *
     * @return the directory, temporary unless one was configured.
     */
    public Path dataDir()
    {
        return ctx.dataDir();
    }

    /**
     * Write an index out as Stored events, consistently: the dump runs on the index writer thread, after every event
     * published before the call, and the writer applies nothing else meanwhile. The listener is called on the
     * writer thread; this returns when the dump ended.
     *
     * @param model     model name.
     * @param tenant    tenant, null or empty for the default.
     * @param listener  receives the events.
     * @param timeoutNs how long the writer may take to start the dump.
     * @throws IllegalArgumentException when no such index is registered.
     * @throws IllegalStateException    when the writer did not start the dump in time (it will not run).
     */
    public void dump(final String model, final String tenant, final DumpListener listener, final long timeoutNs)
    {
        final OffHeapBlockIndex index = requireIndex(model, tenant);
        ingest.runOnWriter(() -> index.dump(listener), timeoutNs);
    }

    /**
     * Load Stored events in bulk into an index (a peer's dump, before the feeds start), on the index writer thread.
     * The source is called on that thread and hands each event to the listener it is given; read the peer first,
     * so that the source only replays what is in memory. Loading is idempotent with the live events that follow.
     *
     * @param model     model name.
     * @param tenant    tenant, null or empty for the default.
     * @param source    calls the listener once per Stored event.
     * @param timeoutNs how long the writer may take to start the load.
     * @return the number of events applied with status OK.
     * @throws IllegalArgumentException when no such index is registered.
     */
    public long loadStored(
        final String model, final String tenant, final Consumer<DumpListener> source, final long timeoutNs)
    {
        return ingest.load(requireIndex(model, tenant), source, timeoutNs);
    }

    /**
     * Counters of the ingest pipeline (ring published, overflowed, applied, ...).
     *
     * @return the counters.
     */
    public IngestCounters ingestCounters()
    {
        return ingest.pipeline().counters();
    }

    /**
     * Whether unregistered streams still have feeds to stop or blocks to remove on their way to the index writer.
     *
     * @return true while some are pending.
     */
    public boolean removalsPending()
    {
        return ingest.removalsPending();
    }

    private OffHeapBlockIndex requireIndex(final String model, final String tenant)
    {
        final OffHeapBlockIndex index = index(model, tenant);
        if (null == index)
        {
            throw new IllegalArgumentException("no index " + model + ":" + tenant);
        }
        return index;
    }

    private void restoreRegistrations()
    {
        for (final WorkerStore.Saved saved : ingest.saved())
        {
            final WorkerRegistration registration = saved.registration();
            try
            {
                registerIndex(registration.model(), registration.tenant(), registration.blockSize());
                ingest.onRegistered(registration, workers.put(registration), workers, saved);
            }
            catch (final RuntimeException ex)
            {
                ctx.errorHandler().onError(new IllegalStateException("saved registration not restored: " +
                    registration, ex));
            }
        }
    }

    /**
     * Stop the query service, free the indexes, close the Aeron client and the embedded driver, and delete the
     * temporary data directory.
     */
    @Override
    public void close()
    {
        final List<OffHeapBlockIndex> toClose;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(indexes);
            indexes.clear();
        }
        try
        {
            CloseHelper.close(http);
            CloseHelper.closeAll(ingest);
            CloseHelper.closeAll(queryServer, aeron);
            CloseHelper.closeAll(toClose);
            CloseHelper.closeAll(driver, countersFile);
        }
        finally
        {
            ctx.deleteTemporaryDataDir();
        }
    }

}
