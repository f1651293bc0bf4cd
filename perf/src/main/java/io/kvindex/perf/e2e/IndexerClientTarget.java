package io.kvindex.perf.e2e;

import io.kvindex.client.IndexerClient;
import io.kvindex.client.IndexerClientContext;
import io.kvindex.client.OverlapListener;
import io.kvindex.client.OverlapResult;
import io.kvindex.client.OverlapStatus;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * Real queries through an {@link IndexerClient} (asynchronous offers, answers from its listener). Each query in
 * flight holds one of {@code maxInFlight} slots with its due time, its workload query, the phase it belongs to (a
 * late answer never counts in the next phase) and a reused result holder.
 * OK answers with no owner are counted (a few workload queries are misses by design), and when the expected answers
 * are known (an index loaded here) the longest match of each answer must be what the workload stored, else the
 * answer counts as mismatched. Allocates nothing per query.
 */
final class IndexerClientTarget implements LoadTarget, OverlapListener
{
    private static final long MISSING = -1;

    private final IndexerClient client;
    private final NanoClock clock = SystemNanoClock.INSTANCE;
    private final String model;
    private final String tenant;
    private final long[][] queries;
    private final int queryBlocks;
    private final int[] expectedWalked;
    private final int[] ownersByQuery;
    private final Long2LongHashMap slotByCorrelationId;
    private final long[] intendedNs;
    private final int[] queryOf;
    private final OverlapResult[] results;
    private final PhaseResult[] phaseOf;
    private final int[] freeSlots;
    private int freeCount;
    private int offeringSlot = -1;
    private PhaseResult result;

    /**
     * Connect a client and wait, bounded, for its session.
     *
     * @param ctx            the client's settings; its listener is set here.
     * @param model          model of the queries.
     * @param tenant         tenant of the queries, null for the default.
     * @param queries        local hashes of the workload's queries.
     * @param queryBlocks    hashes per query.
     * @param expectedWalked per query the longest match the index holds, or null when unknown (a running server).
     * @param ownersByQuery  per query, filled with the owners of its last OK answer.
     */
    IndexerClientTarget(
        final IndexerClientContext ctx,
        final String model,
        final String tenant,
        final long[][] queries,
        final int queryBlocks,
        final int[] expectedWalked,
        final int[] ownersByQuery)
    {
        this.model = model;
        this.tenant = tenant;
        this.queries = queries;
        this.queryBlocks = queryBlocks;
        this.expectedWalked = expectedWalked;
        this.ownersByQuery = ownersByQuery;
        final int capacity = ctx.maxInFlight();
        slotByCorrelationId = new Long2LongHashMap(capacity * 4, 0.5f, MISSING);
        intendedNs = new long[capacity];
        queryOf = new int[capacity];
        results = new OverlapResult[capacity];
        phaseOf = new PhaseResult[capacity];
        freeSlots = new int[capacity];
        for (int slot = 0; slot < capacity; slot++)
        {
            results[slot] = new OverlapResult(64);
            freeSlots[freeCount++] = capacity - 1 - slot;
        }
        client = IndexerClient.connect(ctx.listener(this));
        if (!client.awaitConnected(ctx.connectTimeoutNs()))
        {
            final String state = client.toString();
            client.close();
            throw new IllegalStateException("no session with the server " + ctx.endpoints() + ": " + state);
        }
    }

    @Override
    public void recordInto(final PhaseResult result)
    {
        this.result = result;
    }

    @Override
    public boolean send(final int query, final long intendedNs)
    {
        if (0 == freeCount)
        {
            return false;
        }
        final int slot = freeSlots[--freeCount];
        this.intendedNs[slot] = intendedNs;
        queryOf[slot] = query;
        phaseOf[slot] = result;
        offeringSlot = slot;
        final long correlationId = client.offer(model, tenant, null, queries[query], queryBlocks, results[slot]);
        offeringSlot = -1;
        if (IndexerClient.NO_SLOT == correlationId)
        {
            freeSlots[freeCount++] = slot;
            return false;
        }
        if (!results[slot].isDone())
        {
            slotByCorrelationId.put(correlationId, slot);
        }
        return true;
    }

    @Override
    public int poll()
    {
        return client.poll();
    }

    @Override
    public int inFlight()
    {
        return freeSlots.length - freeCount;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onOverlap(final long correlationId, final OverlapResult answer)
    {
        final long nowNs = clock.nanoTime();
        long slot = slotByCorrelationId.remove(correlationId);
        if (MISSING == slot)
        {
            slot = offeringSlot;
            if (slot < 0)
            {
                return;
            }
        }
        final int s = (int)slot;
        final PhaseResult phase = phaseOf[s];
        final OverlapStatus status = answer.status();
        if (OverlapStatus.TIMEOUT == status)
        {
            phase.onTimeout();
        }
        else if (OverlapStatus.CLOSED != status)
        {
            phase.onAnswer(intendedNs[s], nowNs, status);
            if (OverlapStatus.OK == status)
            {
                check(phase, queryOf[s], answer);
            }
        }
        freeSlots[freeCount++] = s;
    }

    @Override
    public void close()
    {
        client.close();
    }

    @Override
    public String toString()
    {
        return client.toString();
    }

    private void check(final PhaseResult phase, final int query, final OverlapResult answer)
    {
        final int owners = answer.size();
        ownersByQuery[query] = owners;
        int longest = 0;
        for (int i = 0; i < owners; i++)
        {
            longest = Math.max(longest, answer.matchedBlocks(i));
        }
        final boolean mismatched = null != expectedWalked && longest != expectedWalked[query];
        phase.onContent(0 == owners, mismatched);
    }
}
