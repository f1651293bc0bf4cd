package io.kvindex.perf.e2e;

import io.kvindex.index.BlockIndex;
import io.kvindex.index.EventStatus;
import io.kvindex.perf.SharingWorkload;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ingest while querying: the one writer of the served index (no other thread writes it once this starts), applying
 * Stored and Removed events at a fixed rate. The events are the workload's apply chains (16 new blocks under a block
 * their owner holds, as a new turn of a conversation would store): the first {@code window} events store chains,
 * then each event removes the oldest stored chain (engine hashes leaf first, as an engine evicts) or stores the next,
 * alternately, so the index stays near its warm size. Work comes in bursts: each duty cycle applies the events due
 * since the last one, then the agent sleeps {@link #TICK_NS}; it never spins, so the two spinning threads of the
 * measurement stay two.
 */
final class IngestLoad implements Agent
{
    /** Sleep between bursts. */
    static final long TICK_NS = TimeUnit.MICROSECONDS.toNanos(500);

    private static final int MAX_BURST = 4096;

    private final BlockIndex index;
    private final long rate;
    private final int window;
    private final int chainBlocks;
    private final long[] workerIds;
    private final int[] dpRanks;
    private final long[] parents;
    private final long[][] engineHashes;
    private final long[][] localHashes;
    private final long[][] removals;
    private final NanoClock clock = SystemNanoClock.INSTANCE;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private long startNs;
    private long stopNs;
    private long stored;
    private long removed;
    private AgentRunner runner;

    /**
     * A writer of a populated index.
     *
     * @param index    the index, populated with the workload; written only by this agent from {@link #start()}.
     * @param workload the workload, with apply chains.
     * @param rate     events per second.
     */
    IngestLoad(final BlockIndex index, final SharingWorkload workload, final long rate)
    {
        this.index = index;
        this.rate = rate;
        this.workerIds = workload.chainWorkerIds();
        this.dpRanks = workload.chainDpRanks();
        this.parents = workload.chainParents();
        this.engineHashes = workload.chainEngineHashes();
        this.localHashes = workload.chainLocalHashes();
        this.removals = workload.chainRemovals();
        this.chainBlocks = workload.context().applyChainBlocks();
        this.window = workerIds.length / 2;
        if (window < 1)
        {
            throw new IllegalArgumentException("the workload has no apply chains");
        }
    }

    /**
     * Start writing on a thread of its own.
     *
     * @return this.
     */
    IngestLoad start()
    {
        runner = new AgentRunner(new SleepingIdleStrategy(TICK_NS), Throwable::printStackTrace, null, this);
        AgentRunner.startOnThread(runner);
        return this;
    }

    @Override
    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        if (0 == startNs)
        {
            startNs = nowNs;
        }
        final long due = (long)((nowNs - startNs) * (rate / 1e9)) - (stored + removed);
        final int burst = (int)Math.min(Math.max(0, due), MAX_BURST);
        long failures = 0;
        for (int i = 0; i < burst; i++)
        {
            failures += EventStatus.OK == applyNext() ? 0 : 1;
        }
        if (burst > 0)
        {
            applied.lazySet(stored + removed);
            if (failures > 0)
            {
                failed.lazySet(failed.get() + failures);
            }
        }
        return burst;
    }

    @Override
    public String roleName()
    {
        return "kvindex-e2e-ingest";
    }

    /**
     * Stop the writer and wait for its thread.
     */
    void stop()
    {
        if (null != runner)
        {
            runner.close();
            runner = null;
            stopNs = clock.nanoTime();
        }
    }

    /**
     * Events applied per second from the first duty cycle to {@link #stop()}.
     *
     * @return events per second, 0 before the writer stopped.
     */
    double achievedRate()
    {
        final long ns = stopNs - startNs;
        return 0 == stopNs || 0 == startNs || ns <= 0 ? 0 : applied() * 1e9 / ns;
    }

    /**
     * Events applied so far.
     *
     * @return events.
     */
    long applied()
    {
        return applied.get();
    }

    /**
     * Events the index did not apply OK (a bug in the index or the workload when not 0).
     *
     * @return events.
     */
    long failed()
    {
        return failed.get();
    }

    private int applyNext()
    {
        if (stored - removed < window)
        {
            final int c = (int)(stored++ % workerIds.length);
            return index.store(
                workerIds[c], dpRanks[c], true, parents[c], engineHashes[c], localHashes[c], chainBlocks);
        }
        final int c = (int)(removed++ % workerIds.length);
        return index.remove(workerIds[c], dpRanks[c], removals[c], chainBlocks);
    }
}
