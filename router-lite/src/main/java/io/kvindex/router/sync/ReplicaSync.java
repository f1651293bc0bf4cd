package io.kvindex.router.sync;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.kvindex.router.ReplicaLoads;
import io.kvindex.router.RequestLifecycleListener;
import io.kvindex.router.Router;
import org.agrona.CloseHelper;

import java.util.Arrays;

/**
 * Replica sync of one router (spec/dynamo-compat.md section 4, {@code --router-replica-sync}): publishes the router's
 * request lifecycle events (booked with the sequence hashes, prefill complete, freed) tagged with its router id, and
 * applies the other replicas' events to {@link Router#replicaLoads()}, ignoring its own. On its first duty cycle it
 * asks the peers for their bookings (each peer answers with its own, addressed to the asker, then a snapshot end);
 * {@link #isSynced()} turns true when every peer heard from has answered, or after the snapshot wait. Every replica
 * sends a heartbeat each interval; one not heard from for the peer timeout has vanished and its bookings are released.
 * <p>
 * Created by {@link Router} when replica sync is on; everything runs on the router's thread, from
 * {@link Router#doWork()} and the router's own lifecycle calls.
 */
public final class ReplicaSync implements RequestLifecycleListener, AutoCloseable
{
    private static final int FRAGMENT_LIMIT = 64;

    private final ReplicaSyncContext ctx;
    private final Router router;
    private final ReplicaLoads replicas;
    private final long routerId;
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final ReplicaSyncProxy proxy;
    private final FragmentAssembler assembler;
    private final RequestLifecycleListener snapshotWriter = new SnapshotWriter();
    private long[] peerIds = new long[8];
    private long[] peerHeardNs = new long[8];
    private boolean[] peerAnswered = new boolean[8];
    private int peerCount;
    private long nowNs;
    private long startNs;
    private long nextHeartbeatNs;
    private long snapshotCorrelationId;
    private boolean started;
    private boolean snapshotRequested;
    private boolean synced;
    private int snapshotAnswers;
    private long snapshotTo;
    private int snapshotEntries;
    private long published;
    private long dropped;
    private long applied;
    private long rejected;
    private long peersExpired;
    private long snapshotsServed;

    /**
     * Open the sync's publication and subscription.
     *
     * @param ctx    the settings; concluded here.
     * @param router the router whose bookings are published and whose replica loads are fed.
     */
    public ReplicaSync(final ReplicaSyncContext ctx, final Router router)
    {
        this.ctx = ctx.conclude();
        this.router = router;
        this.replicas = router.replicaLoads();
        this.routerId = ctx.routerId();
        final Aeron aeron = ctx.aeron();
        this.publication = aeron.addExclusivePublication(ctx.channel(), ctx.streamId());
        this.subscription = aeron.addSubscription(ctx.subscriptionChannel(), ctx.streamId());
        this.proxy = new ReplicaSyncProxy(publication, routerId);
        this.assembler = new FragmentAssembler(new ReplicaSyncAdapter(this));
    }

    /**
     * Duty cycle, called by {@link Router#doWork()}: ask for snapshots once, apply the peers' events, send a
     * heartbeat and release vanished peers each interval.
     *
     * @param nowNs the router's clock.
     * @return work done.
     */
    public int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        int work = 0;
        if (!started)
        {
            started = true;
            startNs = nowNs;
            nextHeartbeatNs = nowNs;
            snapshotCorrelationId = nowNs ^ routerId;
        }
        if (!snapshotRequested && proxy.snapshotRequest(snapshotCorrelationId))
        {
            snapshotRequested = true;
            work++;
        }
        work += subscription.poll(assembler, FRAGMENT_LIMIT);
        if (nowNs - nextHeartbeatNs >= 0)
        {
            nextHeartbeatNs = nowNs + ctx.heartbeatIntervalNs();
            count(proxy.heartbeat(router.activeRequests()));
            work += 1 + expirePeers(nowNs);
        }
        if (!synced && (nowNs - startNs >= ctx.snapshotWaitNs() || (snapshotAnswers > 0 && allPeersAnswered())))
        {
            synced = true;
            work++;
        }
        return work;
    }

    /**
     * Whether the starting replica has its peers' bookings (or waited long enough for them) and may serve.
     *
     * @return true once synced.
     */
    public boolean isSynced()
    {
        return synced;
    }

    /**
     * This replica's router id.
     *
     * @return the id.
     */
    public long routerId()
    {
        return routerId;
    }

    /**
     * Peers heard from within the timeout.
     *
     * @return live peers.
     */
    public int peers()
    {
        return peerCount;
    }

    /**
     * Messages published.
     *
     * @return count.
     */
    public long published()
    {
        return published;
    }

    /**
     * Messages that could not be published (no subscriber, or back pressure that outlasted the retries).
     *
     * @return count.
     */
    public long dropped()
    {
        return dropped;
    }

    /**
     * Peer events applied to the replica loads.
     *
     * @return count.
     */
    public long applied()
    {
        return applied;
    }

    /**
     * Peer events not applied: unknown worker rank, unknown or duplicate request, other schema.
     *
     * @return count.
     */
    public long rejected()
    {
        return rejected;
    }

    /**
     * Peers released after the timeout.
     *
     * @return count.
     */
    public long peersExpired()
    {
        return peersExpired;
    }

    /**
     * Snapshot requests answered.
     *
     * @return count.
     */
    public long snapshotsServed()
    {
        return snapshotsServed;
    }

    @Override
    public void onBooked(
        final String requestId,
        final long workerId,
        final int dpRank,
        final long[] sequenceHashes,
        final int count,
        final int isl,
        final long prefillTokens)
    {
        count(proxy.requestAdded(0, requestId, workerId, dpRank, sequenceHashes, count, isl, prefillTokens));
    }

    @Override
    public void onPrefillComplete(final String requestId)
    {
        count(proxy.prefillCompleted(requestId));
    }

    @Override
    public void onFreed(final String requestId)
    {
        count(proxy.requestFreed(requestId));
    }

    /**
     * Close the publication and subscription, and the Aeron client when the context created it.
     */
    @Override
    public void close()
    {
        CloseHelper.closeAll(subscription, publication);
        if (ctx.ownsAeron())
        {
            CloseHelper.close(ctx.aeron());
        }
    }

    boolean acceptsAdd(final long fromRouterId, final long toRouterId)
    {
        if (fromRouterId == routerId)
        {
            return false;
        }
        onPeerHeard(fromRouterId);
        return 0 == toRouterId || routerId == toRouterId;
    }

    void onPeerAdded(
        final long fromRouterId,
        final String requestId,
        final long workerId,
        final int dpRank,
        final long[] sequenceHashes,
        final int count,
        final long prefillTokens)
    {
        applied(replicas.add(fromRouterId, requestId, workerId, dpRank, sequenceHashes, count, prefillTokens, nowNs));
    }

    void onPeerPrefillComplete(final long fromRouterId, final String requestId)
    {
        if (fromRouterId != routerId)
        {
            onPeerHeard(fromRouterId);
            applied(replicas.prefillComplete(fromRouterId, requestId));
        }
    }

    void onPeerFreed(final long fromRouterId, final String requestId)
    {
        if (fromRouterId != routerId)
        {
            onPeerHeard(fromRouterId);
            applied(replicas.free(fromRouterId, requestId));
        }
    }

    void onPeerHeard(final long fromRouterId)
    {
        if (fromRouterId == routerId)
        {
            return;
        }
        final int i = peerIndex(fromRouterId);
        if (i >= 0)
        {
            peerHeardNs[i] = nowNs;
            return;
        }
        if (peerCount == peerIds.length)
        {
            peerIds = Arrays.copyOf(peerIds, peerCount * 2);
            peerHeardNs = Arrays.copyOf(peerHeardNs, peerCount * 2);
            peerAnswered = Arrays.copyOf(peerAnswered, peerCount * 2);
        }
        peerIds[peerCount] = fromRouterId;
        peerHeardNs[peerCount] = nowNs;
        peerAnswered[peerCount] = false;
        peerCount++;
    }

    void onSnapshotRequest(final long fromRouterId, final long correlationId)
    {
        if (fromRouterId == routerId)
        {
            return;
        }
        onPeerHeard(fromRouterId);
        snapshotTo = fromRouterId;
        snapshotEntries = 0;
        router.forEachBooking(snapshotWriter);
        count(proxy.snapshotEnd(fromRouterId, correlationId, snapshotEntries));
        snapshotsServed++;
    }

    void onSnapshotEnd(final long fromRouterId, final long toRouterId, final long correlationId)
    {
        if (fromRouterId == routerId)
        {
            return;
        }
        onPeerHeard(fromRouterId);
        if (toRouterId == routerId && correlationId == snapshotCorrelationId)
        {
            final int i = peerIndex(fromRouterId);
            if (!peerAnswered[i])
            {
                peerAnswered[i] = true;
                snapshotAnswers++;
            }
        }
    }

    void onUnknownMessage()
    {
        rejected++;
    }

    private int expirePeers(final long nowNs)
    {
        int expired = 0;
        int i = 0;
        while (i < peerCount)
        {
            if (nowNs - peerHeardNs[i] > ctx.peerTimeoutNs())
            {
                replicas.forgetRouter(peerIds[i]);
                peersExpired++;
                expired++;
                peerCount--;
                peerIds[i] = peerIds[peerCount];
                peerHeardNs[i] = peerHeardNs[peerCount];
                peerAnswered[i] = peerAnswered[peerCount];
            }
            else
            {
                i++;
            }
        }
        return expired;
    }

    private boolean allPeersAnswered()
    {
        for (int i = 0; i < peerCount; i++)
        {
            if (!peerAnswered[i])
            {
                return false;
            }
        }
        return true;
    }

    private int peerIndex(final long id)
    {
        for (int i = 0; i < peerCount; i++)
        {
            if (peerIds[i] == id)
            {
                return i;
            }
        }
        return -1;
    }

    private void applied(final boolean ok)
    {
        if (ok)
        {
            applied++;
        }
        else
        {
            rejected++;
        }
    }

    private void count(final boolean sent)
    {
        if (sent)
        {
            published++;
        }
        else
        {
            dropped++;
        }
    }

    private final class SnapshotWriter implements RequestLifecycleListener
    {
        public void onBooked(
            final String requestId,
            final long workerId,
            final int dpRank,
            final long[] sequenceHashes,
            final int count,
            final int isl,
            final long prefillTokens)
        {
            count(proxy.requestAdded(snapshotTo, requestId, workerId, dpRank, sequenceHashes, count, isl,
                prefillTokens));
            snapshotEntries++;
        }

        public void onPrefillComplete(final String requestId)
        {
        }

        public void onFreed(final String requestId)
        {
        }
    }
}
