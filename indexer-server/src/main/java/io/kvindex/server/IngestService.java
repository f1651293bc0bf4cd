package io.kvindex.server;

import io.kvindex.index.BlockIndex;
import io.kvindex.index.EventStatus;
import io.kvindex.index.DumpListener;
import io.kvindex.server.feed.EngineFeedAgent;
import io.kvindex.server.feed.ZmqEngineFeedContext;
import io.kvindex.server.pipeline.IngestPipeline;
import io.kvindex.server.registry.FeedStatus;
import io.kvindex.server.registry.WorkerRegistration;
import io.kvindex.server.registry.WorkerRegistry;
import io.kvindex.server.registry.WorkerStore;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.SystemNanoClock;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The ingestion side of an {@link IndexerServer}: one {@link IngestPipeline} and its index writer, the
 * {@link EngineFeedAgent} running every registered stream's feed, on one thread by default (both agents back off to
 * parking when idle), and the persisted {@link WorkerStore}. Registrations start, restart and stop feeds; indexes join
 * the pipeline as they are created; dumps and bulk loads run on the writer thread, in order with the events.
 */
final class IngestService implements AutoCloseable
{
    private static final long OFFER_PARK_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private final IngestPipeline pipeline;
    private final EngineFeedAgent feedAgent;
    private final WorkerStore store;
    private final AgentRunner feedRunner;
    private final Map<String, Integer> indexKeys = new HashMap<>();
    private final boolean resumeFromSavedSeq;
    private boolean closed;

    IngestService(final IndexerServerContext ctx)
    {
        if (ctx.resetState())
        {
            final Path deleted = WorkerStore.delete(ctx.dataDir());
            System.err.println("kvindex: reset state: " + (null == deleted ?
                "no saved worker registry in " + ctx.dataDir() : "deleted the saved worker registry " + deleted));
        }
        this.resumeFromSavedSeq = ctx.resumeFromSavedSeq();
        this.store = WorkerStore.open(ctx.dataDir(), WorkerStore.CAPACITY_DEFAULT);
        this.pipeline = new IngestPipeline(new IngestPipeline.Context()
            .ringSize(ctx.ingestRingSize())
            .idleStrategy(ctx.ingestIdleStrategy())
            .errorHandler(ctx.errorHandler())
            .threadFactory((runnable) -> new Thread(runnable, "kvindex-index-writer")));
        final long replayTimeoutNs = TimeUnit.MILLISECONDS.toNanos(ctx.replayTimeoutMs());
        final long idleNs = TimeUnit.MILLISECONDS.toNanos(ctx.feedIdleMs());
        this.feedAgent = new EngineFeedAgent(pipeline,
            (feed) -> feed.replayTimeoutNs(replayTimeoutNs).idleNs(idleNs),
            store::saveSeq, SystemNanoClock.INSTANCE, TimeUnit.MILLISECONDS.toNanos(ctx.seqSaveIntervalMs()));
        if (ctx.sharedIngestThread())
        {
            feedRunner = new AgentRunner(ctx.ingestIdleStrategy(), ctx.errorHandler(), null,
                new CompositeAgent(feedAgent, pipeline.writer()));
        }
        else
        {
            pipeline.start();
            feedRunner = new AgentRunner(ctx.ingestIdleStrategy(), ctx.errorHandler(), null, feedAgent);
        }
        AgentRunner.startOnThread(feedRunner, (runnable) -> new Thread(runnable, "kvindex-ingest"));
    }

    /**
     * Let the writer apply to a new index.
     */
    synchronized void addIndex(final String model, final String tenant, final BlockIndex index, final int blockSize)
    {
        indexKeys.put(indexName(model, tenant), pipeline.addIndex(index, blockSize));
    }

    /**
     * After the registry took a registration: start its feed, or restart it when the endpoints changed (the old
     * feed's blocks are removed first), and save it. A restored registration replays at once (the engine is
     * likely running), from its saved seq + 1 when resuming, else from 0.
     */
    synchronized void onRegistered(
        final WorkerRegistration registration,
        final WorkerRegistration previous,
        final WorkerRegistry workers,
        final WorkerStore.Saved restored)
    {
        if (closed || (null != previous && previous.equals(registration)))
        {
            return;
        }
        final FeedStatus status = new FeedStatus();
        workers.attach(registration, status);
        final long startSeq = null == restored || !resumeFromSavedSeq || restored.lastSeq() < 0 ?
            ZmqEngineFeedContext.START_FRESH : restored.lastSeq();
        feedAgent.startFeed(registration, indexKey(registration), status, startSeq, null != previous, null != restored);
        store.put(registration);
    }

    /**
     * After the registry dropped registrations: stop their feeds, remove their owners' blocks and forget them.
     */
    synchronized void onUnregistered(final List<WorkerRegistration> removed)
    {
        if (closed)
        {
            return;
        }
        for (final WorkerRegistration registration : removed)
        {
            feedAgent.stopFeed(registration, indexKey(registration), true);
            store.remove(registration);
        }
    }

    /**
     * The registrations saved by an earlier run, with the seq to start each feed from.
     */
    List<WorkerStore.Saved> saved()
    {
        return store.entries();
    }

    /**
     * Run a task on the writer thread after every event published before it, waiting for it to end.
     *
     * @throws IllegalStateException when the writer did not take the task within the timeout.
     */
    void runOnWriter(final Runnable task, final long timeoutNs)
    {
        final WriterTask writerTask = new WriterTask(task);
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (!pipeline.offerTask(writerTask))
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                throw new IllegalStateException("the ingest ring stayed full for " +
                    TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms");
            }
            LockSupport.parkNanos(OFFER_PARK_NS);
        }
        writerTask.await(deadlineNs);
    }

    /**
     * Apply Stored events to an index on the writer thread.
     *
     * @return the number of events applied.
     */
    long load(final BlockIndex index, final Consumer<DumpListener> source, final long timeoutNs)
    {
        final AtomicLong events = new AtomicLong();
        runOnWriter(() -> source.accept((workerId, dpRank, hasParent, parentEngineHash, engineHashes, localHashes,
            count) ->
        {
            if (EventStatus.OK ==
                index.store(workerId, dpRank, hasParent, parentEngineHash, engineHashes, localHashes, count))
            {
                events.lazySet(events.get() + 1);
            }
        }), timeoutNs);
        return events.get();
    }

    /**
     * Whether feed stops and block removals are still on their way to the writer.
     */
    boolean removalsPending()
    {
        return feedAgent.removalsPending();
    }

    /**
     * Number of running feeds.
     */
    int feedCount()
    {
        return feedAgent.feedCount();
    }

    IngestPipeline pipeline()
    {
        return pipeline;
    }

    /**
     * Stop the feeds (saving their last seqs) and the writer, then close the store.
     */
    @Override
    public void close()
    {
        synchronized (this)
        {
            closed = true;
        }
        CloseHelper.closeAll(feedRunner, pipeline, store);
    }

    private int indexKey(final WorkerRegistration registration)
    {
        final Integer key = indexKeys.get(indexName(registration.model(), registration.tenant()));
        if (null == key)
        {
            throw new IllegalStateException("no index for " + registration.model() + ":" + registration.tenant());
        }
        return key;
    }

    private static String indexName(final String model, final String tenant)
    {
        return model + '\u0000' + tenant;
    }
}
