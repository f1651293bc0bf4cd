package io.kvindex.server.feed;

import io.kvindex.server.pipeline.IngestPipeline;
import io.kvindex.server.registry.FeedStatus;
import io.kvindex.server.registry.ListenerStatus;
import io.kvindex.server.registry.WorkerRegistration;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.zeromq.ZContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs every {@link ZmqEngineFeed} of a server in pipeline mode on one thread. Feeds are added and removed at run
 * time through a command queue that any thread may offer to; the feeds and their sockets are only ever touched by the
 * agent's thread. Removing a stream's feed can also remove the blocks of its owners, through the pipeline and after
 * the feed's last batch. Every so often (never per event) the last seq of each feed is handed to a {@link SeqSaver}.
 */
public final class EngineFeedAgent implements Agent
{
    /**
     * Receives the last seq of feeds whose seq moved, from the agent's thread, at most once per interval.
     */
    @FunctionalInterface
    public interface SeqSaver
    {
        /**
         * Save a stream's last seq.
         *
         * @param registration the stream.
         * @param lastSeq      the seq of the last batch handed to the index.
         */
        void save(WorkerRegistration registration, long lastSeq);
    }

    /** Time between attempts to open a feed whose socket could not be opened (e.g. a host not resolvable yet). */
    public static final long OPEN_RETRY_NS = TimeUnit.SECONDS.toNanos(5);

    private static final int COMMAND_LIMIT = 16;

    private final IngestPipeline pipeline;
    private final Function<ZmqEngineFeedContext, ZmqEngineFeedContext> settings;
    private final SeqSaver seqSaver;
    private final NanoClock nanoClock;
    private final long seqSaveIntervalNs;
    private final ZContext zmqContext = new ZContext(1);
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final List<Entry> entries = new ArrayList<>();
    private final List<Retry> retries = new ArrayList<>();
    private final IntArrayList removalKeys = new IntArrayList();
    private final LongArrayList removalWorkers = new LongArrayList();
    private final IntArrayList removalRanks = new IntArrayList();
    private Entry[] feeds = new Entry[0];
    private long nextSaveNs;
    private final AtomicInteger pendingStops = new AtomicInteger();
    private volatile int feedCount;
    private volatile int unofferedRemovals;

    private static final class Entry
    {
        private final WorkerRegistration registration;
        private final int indexKey;
        private final ZmqEngineFeed feed;
        private long savedSeq;

        Entry(final WorkerRegistration registration, final int indexKey, final ZmqEngineFeed feed, final long seq)
        {
            this.registration = registration;
            this.indexKey = indexKey;
            this.feed = feed;
            this.savedSeq = seq;
        }
    }

    private record Retry(
        WorkerRegistration registration, int indexKey, FeedStatus status, long startSeq, boolean replayOnStart,
        long dueNs)
    {
    }

    /**
     * An agent with no feeds yet.
     *
     * @param pipeline          the pipeline every feed publishes into.
     * @param settings          fills the limits and clocks of each feed's context (replay timeout, idle time, ...).
     * @param seqSaver          receives last seqs, or null to save none.
     * @param nanoClock         the clock of the save interval.
     * @param seqSaveIntervalNs how often last seqs are saved.
     */
    public EngineFeedAgent(
        final IngestPipeline pipeline,
        final Function<ZmqEngineFeedContext, ZmqEngineFeedContext> settings,
        final SeqSaver seqSaver,
        final NanoClock nanoClock,
        final long seqSaveIntervalNs)
    {
        this.pipeline = pipeline;
        this.settings = settings;
        this.seqSaver = seqSaver;
        this.nanoClock = nanoClock;
        this.seqSaveIntervalNs = seqSaveIntervalNs;
    }

    /**
     * Start following a stream, replacing the feed of the same stream if there is one. A feed that cannot open its
     * socket marks its status failed. Runs on the agent's thread, soon.
     *
     * @param registration   the stream.
     * @param indexKey       key of its index in the pipeline.
     * @param status         where the feed reports its state.
     * @param startSeq       {@link ZmqEngineFeedContext#START_FRESH} or the seq the index's state includes.
     * @param clearPrevious  whether the blocks written by a replaced feed are removed first.
     * @param replayOnStart  whether to replay at once (the engine is known to run already, e.g. after a restart).
     */
    public void startFeed(
        final WorkerRegistration registration,
        final int indexKey,
        final FeedStatus status,
        final long startSeq,
        final boolean clearPrevious,
        final boolean replayOnStart)
    {
        commands.add(() ->
        {
            stop(registration, clearPrevious);
            open(registration, indexKey, status, startSeq, replayOnStart);
        });
    }

    /**
     * Stop following a stream; optionally remove the blocks of every owner its feed wrote (the registered dp rank
     * and any rank its batches named), in order after its last batch. Runs on the agent's thread, soon.
     *
     * @param registration the stream.
     * @param indexKey     key of its index in the pipeline, for the removal.
     * @param removeBlocks whether to remove the stream's blocks.
     */
    public void stopFeed(final WorkerRegistration registration, final int indexKey, final boolean removeBlocks)
    {
        pendingStops.getAndIncrement();
        commands.add(() ->
        {
            final boolean found = stop(registration, removeBlocks);
            if (removeBlocks && !found)
            {
                queueRemoval(indexKey, registration.instanceId(), registration.dpRank());
            }
            pendingStops.getAndDecrement();
        });
    }

    /**
     * Number of running feeds, as of the last command run.
     *
     * @return the count.
     */
    public int feedCount()
    {
        return feedCount;
    }

    /**
     * Whether stops and removals are still waiting to reach the pipeline.
     *
     * @return true while some are pending.
     */
    public boolean removalsPending()
    {
        return pendingStops.get() > 0 || unofferedRemovals > 0;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int doWork()
    {
        int work = 0;
        Runnable command;
        while (work < COMMAND_LIMIT && null != (command = commands.poll()))
        {
            command.run();
            work++;
        }
        work += offerRemovals();
        final Entry[] feeds = this.feeds;
        for (int i = 0; i < feeds.length; i++)
        {
            try
            {
                work += feeds[i].feed.doWork();
            }
            catch (final RuntimeException ex)
            {
                feeds[i].feed.status().fail("feed stopped: " + ex);
                stop(feeds[i].registration, false);
            }
        }
        final long nowNs = nanoClock.nanoTime();
        if (null != seqSaver && nowNs - nextSaveNs >= 0)
        {
            nextSaveNs = nowNs + seqSaveIntervalNs;
            saveSeqs();
        }
        if (!retries.isEmpty())
        {
            work += retryOpens(nowNs);
        }
        return work;
    }

    /**
     * Saves the last seqs, closes every feed and the ZMQ context.
     */
    @Override
    public void onClose()
    {
        Runnable command;
        while (null != (command = commands.poll()))
        {
            command.run();
        }
        if (null != seqSaver)
        {
            saveSeqs();
        }
        for (final Entry entry : entries)
        {
            entry.feed.close();
        }
        entries.clear();
        feeds = new Entry[0];
        feedCount = 0;
        zmqContext.close();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String roleName()
    {
        return "engine-feeds";
    }

    private void open(
        final WorkerRegistration registration,
        final int indexKey,
        final FeedStatus status,
        final long startSeq,
        final boolean replayOnStart)
    {
        final ZmqEngineFeed feed;
        try
        {
            feed = new ZmqEngineFeed(settings.apply(new ZmqEngineFeedContext())
                .zmqContext(zmqContext)
                .endpoint(registration.endpoint(), false)
                .owner(registration.instanceId(), registration.dpRank())
                .replayEndpoint(registration.replayEndpoint())
                .pipeline(pipeline, indexKey)
                .startSeq(startSeq)
                .replayOnStart(replayOnStart)
                .status(status));
        }
        catch (final RuntimeException ex)
        {
            status.fail("cannot open " + registration.endpoint() + " (" + ex.getMessage() + "), retrying every " +
                TimeUnit.NANOSECONDS.toSeconds(OPEN_RETRY_NS) + " s");
            retries.add(new Retry(registration, indexKey, status, startSeq, replayOnStart,
                nanoClock.nanoTime() + OPEN_RETRY_NS));
            return;
        }
        if (ListenerStatus.FAILED == status.status())
        {
            status.status(ListenerStatus.PENDING);
        }
        entries.add(new Entry(registration, indexKey, feed, startSeq));
        publishFeeds();
    }

    private int retryOpens(final long nowNs)
    {
        int work = 0;
        for (int i = retries.size() - 1; i >= 0; i--)
        {
            final Retry retry = retries.get(i);
            if (nowNs - retry.dueNs >= 0)
            {
                retries.remove(i);
                open(retry.registration, retry.indexKey, retry.status, retry.startSeq, retry.replayOnStart);
                work++;
            }
        }
        return work;
    }

    private boolean stop(final WorkerRegistration registration, final boolean removeBlocks)
    {
        retries.removeIf((retry) -> retry.registration.sameStream(registration));
        for (int i = 0; i < entries.size(); i++)
        {
            final Entry entry = entries.get(i);
            if (entry.registration.sameStream(registration))
            {
                entries.remove(i);
                publishFeeds();
                if (removeBlocks)
                {
                    final IntArrayList ranks = entry.feed.ranksSeen();
                    for (int r = 0; r < ranks.size(); r++)
                    {
                        queueRemoval(entry.indexKey, entry.registration.instanceId(), ranks.getInt(r));
                    }
                }
                entry.feed.close();
                return true;
            }
        }
        return false;
    }

    private void queueRemoval(final int indexKey, final long workerId, final int dpRank)
    {
        removalKeys.addInt(indexKey);
        removalWorkers.addLong(workerId);
        removalRanks.addInt(dpRank);
        unofferedRemovals = removalKeys.size();
        offerRemovals();
    }

    private int offerRemovals()
    {
        int work = 0;
        while (!removalKeys.isEmpty())
        {
            if (!pipeline.offerRemoveWorker(removalKeys.getInt(0), removalWorkers.getLong(0), removalRanks.getInt(0)))
            {
                break;
            }
            removalKeys.removeAt(0);
            removalWorkers.removeAt(0);
            removalRanks.removeAt(0);
            unofferedRemovals = removalKeys.size();
            work++;
        }
        return work;
    }

    private void saveSeqs()
    {
        for (final Entry entry : entries)
        {
            final long lastSeq = entry.feed.lastSeq();
            if (lastSeq != entry.savedSeq && lastSeq >= 0)
            {
                entry.savedSeq = lastSeq;
                seqSaver.save(entry.registration, lastSeq);
            }
        }
    }

    private void publishFeeds()
    {
        feeds = entries.toArray(new Entry[0]);
        feedCount = feeds.length;
    }
}
