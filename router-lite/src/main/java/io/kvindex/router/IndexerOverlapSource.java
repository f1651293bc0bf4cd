package io.kvindex.router;

import io.kvindex.client.ConnectionState;
import io.kvindex.client.IndexerClient;
import io.kvindex.client.OverlapResult;
import io.kvindex.client.OverlapStatus;
import io.kvindex.index.OverlapScores;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;

/**
 * Overlaps from an indexer server over Aeron, through an {@link IndexerClient}. A query waits at most
 * {@code timeoutNs}; past that, or when the client has no session (the indexer is down or restarting), the answer is
 * "not available" at once and the router routes on load. A query given up on keeps its result holder until the
 * client completes it (late answer, client timeout or close), so holders are pooled; when every holder is still
 * waiting the source answers "not available" too.
 * <p>
 * Runs on the router's thread, which also polls the client ({@link #poll()}); the client must not be used by another
 * thread meanwhile. The caller keeps ownership of the client.
 */
public final class IndexerOverlapSource implements OverlapSource
{
    /** Result holders: queries that may be waiting for an answer at once. */
    public static final int DEFAULT_HOLDERS = 8;

    private final IndexerClient client;
    private final String model;
    private final String tenant;
    private final long timeoutNs;
    private final NanoClock clock;
    private final IdleStrategy idleStrategy;
    private final OverlapResult[] holders;
    private long abandonedCount;

    /**
     * A source querying one {@code (model, tenant)} index.
     *
     * @param client       the client, connected or connecting.
     * @param model        the model name.
     * @param tenant       the tenant, null for the default.
     * @param timeoutNs    how long a routing decision waits for overlaps.
     * @param clock        the clock for the wait.
     * @param idleStrategy how to wait between polls of the client: a busy-spin or yielding strategy for the lowest
     *                     latency (an answer over IPC takes a few microseconds), a backoff one to spare a small box.
     * @param maxOwners    owners an answer is expected to hold (holders grow beyond it).
     */
    public IndexerOverlapSource(
        final IndexerClient client,
        final String model,
        final String tenant,
        final long timeoutNs,
        final NanoClock clock,
        final IdleStrategy idleStrategy,
        final int maxOwners)
    {
        this.client = client;
        this.model = model;
        this.tenant = tenant;
        this.timeoutNs = timeoutNs;
        this.clock = clock;
        this.idleStrategy = idleStrategy;
        this.holders = new OverlapResult[DEFAULT_HOLDERS];
        for (int i = 0; i < holders.length; i++)
        {
            holders[i] = new OverlapResult(maxOwners);
        }
    }

    /**
     * {@inheritDoc}
     */
    public boolean findOverlaps(final long[] localHashes, final int count, final OverlapScores scores)
    {
        if (ConnectionState.CONNECTED != client.state())
        {
            client.poll();
            return false;
        }
        final OverlapResult result = freeHolder();
        if (null == result || IndexerClient.NO_SLOT == client.offer(model, tenant, null, localHashes, count, result))
        {
            return false;
        }
        final long deadlineNs = clock.nanoTime() + timeoutNs;
        idleStrategy.reset();
        while (!result.isDone())
        {
            if (clock.nanoTime() - deadlineNs >= 0)
            {
                abandonedCount++;
                return false;
            }
            idleStrategy.idle(client.poll());
        }
        if (OverlapStatus.OK != result.status())
        {
            return false;
        }
        scores.reset();
        final int size = result.size();
        for (int i = 0; i < size; i++)
        {
            scores.add(result.workerId(i), result.dpRank(i), result.matchedBlocks(i), result.treeSize(i));
        }
        return true;
    }

    /**
     * {@inheritDoc}
     */
    public int poll()
    {
        return client.poll();
    }

    /**
     * Queries given up on because their answer came too late.
     *
     * @return abandoned count.
     */
    public long abandonedCount()
    {
        return abandonedCount;
    }

    private OverlapResult freeHolder()
    {
        for (final OverlapResult holder : holders)
        {
            if (holder.isDone())
            {
                return holder;
            }
        }
        return null;
    }
}
