package io.kvindex.router;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * The bookings of a router's replicas (spec/dynamo-compat.md section 4, replica sync), applied to the same
 * {@link WorkerState}s as the router's own, so that potential loads include them and a block held by requests of
 * several replicas counts once. One {@link ActiveRequests} per replica: ids only need to be unique per replica, a
 * replica that vanishes is forgotten whole, and each booking expires as the router's own do. Router thread only.
 */
public final class ReplicaLoads
{
    private final Long2ObjectHashMap<ActiveRequests> byRouter = new Long2ObjectHashMap<>();
    private final CandidateWorkers workers;
    private final long expiryNs;
    private final boolean trackBlocks;
    private final boolean trackPrefill;

    ReplicaLoads(
        final CandidateWorkers workers, final long expiryNs, final boolean trackBlocks, final boolean trackPrefill)
    {
        this.workers = workers;
        this.expiryNs = expiryNs;
        this.trackBlocks = trackBlocks;
        this.trackPrefill = trackPrefill;
    }

    /**
     * Book a replica's request.
     *
     * @param routerId       the replica.
     * @param requestId      its request id.
     * @param workerId       the worker id.
     * @param dpRank         the dp rank.
     * @param sequenceHashes the request's sequence hashes.
     * @param count          number of hashes.
     * @param prefillTokens  tokens still to prefill.
     * @param nowNs          the router's time now.
     * @return false when the request is already booked or the worker rank is not a candidate here.
     */
    public boolean add(
        final long routerId,
        final String requestId,
        final long workerId,
        final int dpRank,
        final long[] sequenceHashes,
        final int count,
        final long prefillTokens,
        final long nowNs)
    {
        final WorkerState worker = workers.candidate(workerId, dpRank);
        ActiveRequests requests = byRouter.get(routerId);
        if (null == worker || (null != requests && requests.contains(requestId)))
        {
            return false;
        }
        if (null == requests)
        {
            requests = new ActiveRequests(expiryNs);
            byRouter.put(routerId, requests);
        }
        requests.book(
            requestId, worker, sequenceHashes, trackBlocks ? count : 0, trackPrefill ? prefillTokens : 0, nowNs);
        return true;
    }

    /**
     * A replica's request completed its prefill.
     *
     * @param routerId  the replica.
     * @param requestId its request id.
     * @return false when the request is not booked.
     */
    public boolean prefillComplete(final long routerId, final String requestId)
    {
        final ActiveRequests requests = byRouter.get(routerId);
        return null != requests && requests.markPrefillComplete(requestId);
    }

    /**
     * A replica freed its request.
     *
     * @param routerId  the replica.
     * @param requestId its request id.
     * @return false when the request is not booked.
     */
    public boolean free(final long routerId, final String requestId)
    {
        final ActiveRequests requests = byRouter.get(routerId);
        final WorkerState worker = null == requests ? null : requests.workerOf(requestId);
        if (null == worker)
        {
            return false;
        }
        requests.free(requestId);
        workers.forgetIfGone(worker);
        return true;
    }

    /**
     * Release every booking of a replica that went away.
     *
     * @param routerId the replica.
     * @return how many bookings were released.
     */
    public int forgetRouter(final long routerId)
    {
        final ActiveRequests requests = byRouter.remove(routerId);
        if (null == requests)
        {
            return 0;
        }
        final int released = requests.freeAll();
        workers.forgetIdleNonCandidates();
        return released;
    }

    /**
     * Bookings held for one replica.
     *
     * @param routerId the replica.
     * @return its booked requests.
     */
    public int requests(final long routerId)
    {
        final ActiveRequests requests = byRouter.get(routerId);
        return null == requests ? 0 : requests.size();
    }

    int expire(final long nowNs)
    {
        int expired = 0;
        if (!byRouter.isEmpty())
        {
            for (final ActiveRequests requests : byRouter.values())
            {
                expired += requests.expire(nowNs);
            }
        }
        return expired;
    }
}
