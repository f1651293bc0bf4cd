package io.kvindex.router;

import io.kvindex.client.BlockHasher;
import io.kvindex.client.BlockHashing;
import io.kvindex.index.OverlapScores;
import io.kvindex.router.metrics.RouterMetrics;
import io.kvindex.router.sync.ReplicaSync;
import org.agrona.CloseHelper;
import org.agrona.concurrent.NanoClock;

import java.util.Arrays;
import java.util.Objects;

/**
 * The core of router-lite: Dynamo's worker selection (spec/dynamo-compat.md section 4) over a {@link WorkerSet},
 * with the active load of booked requests, the approximate index when workers send no KV events, and the queue.
 * An API layer (Aeron, HTTP) calls it; it does no I/O of its own beyond the {@link OverlapSource}.
 * <p>
 * For each candidate {@code (worker, dp rank)} in kv mode:
 * <pre>
 *   prefill_blocks = (active_prefill_tokens + max(0, isl - overlap_blocks * block_size)) / block_size
 *   decode_blocks  = active_blocks + blocks of the request not yet active on the worker
 *   logit          = overlap_score_weight * prefill_blocks + decode_blocks          (lower is better)
 * </pre>
 * With a request id the decision is booked: the worker's active blocks gain the request's sequence hashes (a block
 * shared by several requests counts once) and its active prefill tokens the request's uncached tokens, until
 * {@link #markPrefillComplete} (tokens) and {@link #free} (both), or until the booking expires.
 * <p>
 * <b>Threading</b>: one thread calls every method of a router (an agent's duty cycle calls {@link #doWork()}
 * between requests); nothing is locked and steady-state calls allocate nothing (scratch arrays and pools grow only
 * when a request is bigger, or there are more workers or requests in flight, than before). The {@link WorkerSet} may
 * be changed from any thread; a change applies from the router's next call. Routers share no state, so several
 * may run in one JVM, each on its own thread or all on one.
 */
public final class Router implements AutoCloseable
{
    private static final System.Logger LOGGER = System.getLogger(Router.class.getName());
    private static final double NANOS_PER_SECOND = 1e9;

    private final RouterContext ctx;
    private final RouterMode mode;
    private final int blockSize;
    private final NanoClock clock;
    private final ApproximateIndex approximate;
    private final OverlapSource overlapSource;
    private final ActiveRequests active;
    private final RequestQueue queue = new RequestQueue();
    private final RouterCounters counters = new RouterCounters();
    private final CandidateWorkers workers;
    private final WorkerSelector selector;
    private final OverlapScores scores;
    private final BlockHasher hasher;
    private final RoutingDecision queueDecision = new RoutingDecision();
    private final RoutingDecision explainDecision = new RoutingDecision();
    private final RouteOverrides queueOverrides = new RouteOverrides();
    private final long startNs;
    private final ReplicaLoads replicas;
    private final RouterMetrics metrics;
    private final ReplicaSync replicaSync;
    private long hashNs;
    private WorkerState[] candidates;
    private long[] localHashes = new long[256];
    private long[] sequenceHashes = new long[256];
    private String loraName;
    private long loraSeed = BlockHashing.SEED;
    private boolean releasing;
    private boolean closed;

    private Router(final RouterContext ctx)
    {
        this.ctx = ctx;
        this.mode = ctx.mode();
        this.blockSize = ctx.blockSize();
        this.clock = ctx.nanoClock();
        this.active = new ActiveRequests(ctx.requestExpiryNs());
        this.selector = new WorkerSelector(ctx.random());
        this.scores = new OverlapScores(ctx.maxWorkers());
        this.hasher = new BlockHasher(blockSize);
        if (ctx.approximate())
        {
            approximate = new ApproximateIndex(
                ctx.ttlNs(), ctx.maxTreeSize(), ctx.pruneTargetRatio(), ctx.maxWorkers());
            overlapSource = new LocalIndexOverlapSource(approximate.index());
        }
        else
        {
            approximate = null;
            overlapSource = ctx.overlapSource();
        }
        this.workers = new CandidateWorkers(ctx.workerSet(), approximate);
        this.candidates = workers.refresh();
        this.startNs = clock.nanoTime();
        this.replicas = new ReplicaLoads(workers, ctx.requestExpiryNs(), ctx.trackActiveBlocks(),
            ctx.trackPrefillTokens());
        this.metrics = ctx.routerMetrics();
        this.replicaSync = ctx.replicaSync() ? new ReplicaSync(ctx.replicaSyncContext(), this) : null;
    }

    /**
     * Create a router.
     *
     * @param ctx the configuration; concluded here.
     * @return the router.
     */
    public static Router launch(final RouterContext ctx)
    {
        return new Router(ctx.conclude());
    }

    /**
     * Choose a worker for a prompt given as token ids; with a request id, book it there (or queue it when every
     * candidate is over the queue threshold). Without a request id the call only asks (nothing is booked or queued),
     * so callers can probe several router groups before committing to one.
     *
     * @param tokens     token ids; only full blocks are hashed (with the LoRA seed of the overrides).
     * @param tokenCount number of tokens: the input sequence length.
     * @param overrides  per-request overrides, or null.
     * @param requestId  the request id to book under, or null for a query-only call.
     * @param decision   caller-owned holder, filled with the outcome and every candidate's terms.
     * @return the status, also in {@code decision}.
     */
    public RoutingStatus bestWorker(
        final int[] tokens,
        final int tokenCount,
        final RouteOverrides overrides,
        final String requestId,
        final RoutingDecision decision)
    {
        final long hashStartNs = null == metrics ? 0 : System.nanoTime();
        final int count = hashTokens(tokens, tokenCount, null == overrides ? null : overrides.loraName());
        hashNs = null == metrics ? 0 : System.nanoTime() - hashStartNs;
        return bestWorkerForHashes(localHashes, count, tokenCount, overrides, requestId, decision);
    }

    /**
     * As {@link #bestWorker} for a prompt already hashed into local block hashes.
     *
     * @param hashes    the prompt's local block hashes (the LoRA seed already applied).
     * @param count     number of hashes.
     * @param isl       the prompt's length in tokens (at least {@code count * blockSize} for full blocks).
     * @param overrides per-request overrides, or null.
     * @param requestId the request id to book under, or null for a query-only call.
     * @param decision  caller-owned holder.
     * @return the status, also in {@code decision}.
     */
    public RoutingStatus bestWorkerForHashes(
        final long[] hashes,
        final int count,
        final int isl,
        final RouteOverrides overrides,
        final String requestId,
        final RoutingDecision decision)
    {
        final long nowNs = housekeeping();
        final RoutingStatus status = decide(hashes, count, isl, overrides, requestId, decision, nowNs, false);
        if (LOGGER.isLoggable(System.Logger.Level.DEBUG))
        {
            LOGGER.log(System.Logger.Level.DEBUG, "request " + requestId + ": " + decision.explanation());
        }
        return status;
    }

    /**
     * The breakdown of the decision a prompt would get now, one line per worker, without booking anything.
     *
     * @param tokens     token ids.
     * @param tokenCount number of tokens.
     * @param overrides  per-request overrides, or null.
     * @return the explanation, as {@link RoutingDecision#explain(StringBuilder)} writes it.
     */
    public String explain(final int[] tokens, final int tokenCount, final RouteOverrides overrides)
    {
        bestWorker(tokens, tokenCount, overrides, null, explainDecision);
        return explainDecision.explanation();
    }

    /**
     * {@code get_potential_loads}: per candidate, the prefill tokens and decode blocks it would have with this
     * prompt. Asks the index for overlaps as a decision would; books nothing.
     *
     * @param tokens     token ids.
     * @param tokenCount number of tokens.
     * @param loraName   the LoRA adapter the tokens are hashed for, or null.
     * @param loads      caller-owned holder.
     */
    public void potentialLoads(final int[] tokens, final int tokenCount, final String loraName,
        final PotentialLoads loads)
    {
        final int count = hashTokens(tokens, tokenCount, loraName);
        housekeeping();
        ensureHashCapacity(count);
        hasher.sequenceHashes(localHashes, count, sequenceHashes);
        final int n = candidates.length;
        findOverlaps(localHashes, count, ctx.overlapScoreWeight(), null);
        score(count, tokenCount, ctx.overlapScoreWeight());
        loads.reset(n);
        for (int i = 0; i < n; i++)
        {
            final WorkerState state = candidates[i];
            loads.add(state.workerId, state.dpRank, state.potentialPrefillTokens, state.potentialDecodeBlocks);
        }
    }

    /**
     * {@code mark_prefill_complete}: the request's first token came out; its prefill tokens no longer load the
     * worker. Waiting requests may be released.
     *
     * @param requestId the request id.
     * @return false when the request is not booked.
     */
    public boolean markPrefillComplete(final String requestId)
    {
        housekeeping();
        if (!active.markPrefillComplete(requestId))
        {
            counters.increment(RouterCounters.UNKNOWN_REQUESTS);
            return false;
        }
        if (null != replicaSync)
        {
            replicaSync.onPrefillComplete(requestId);
        }
        releaseQueued();
        return true;
    }

    /**
     * {@code free}: the request finished (or its client went away); everything it held is released. A request still
     * waiting in the queue is dropped from it. Waiting requests may be released.
     *
     * @param requestId the request id.
     * @return false when the request is neither booked nor waiting.
     */
    public boolean free(final String requestId)
    {
        housekeeping();
        final WorkerState worker = active.workerOf(requestId);
        if (null != worker)
        {
            active.free(requestId);
            workers.forgetIfGone(worker);
            if (null != replicaSync)
            {
                replicaSync.onFreed(requestId);
            }
        }
        else if (!queue.remove(requestId))
        {
            counters.increment(RouterCounters.UNKNOWN_REQUESTS);
            return false;
        }
        counters.increment(RouterCounters.FREED);
        releaseQueued();
        return true;
    }

    /**
     * Duty-cycle work between requests: expire bookings and approximate blocks whose time is up, let the overlap
     * source read late answers and reconnect, apply worker changes and release waiting requests.
     *
     * @return work done, 0 when idle.
     */
    public int doWork()
    {
        final int queuedBefore = queue.size();
        final long expiredBefore = counters.get(RouterCounters.EXPIRED);
        final long nowNs = housekeeping();
        int work = null == overlapSource ? 0 : overlapSource.poll();
        work += null == replicaSync ? 0 : replicaSync.doWork(nowNs);
        if (null != metrics)
        {
            metrics.onDutyCycle(this);
        }
        work += (int)(counters.get(RouterCounters.EXPIRED) - expiredBefore);
        releaseQueued();
        return work + queuedBefore - queue.size();
    }

    /**
     * Requests booked and not yet freed.
     *
     * @return active requests.
     */
    public int activeRequests()
    {
        return active.size();
    }

    /**
     * Requests waiting for capacity ({@code router_queue_pending_requests}).
     *
     * @return waiting requests.
     */
    public int pendingRequests()
    {
        return queue.size();
    }

    /**
     * Active decode blocks of a worker rank ({@code worker_active_decode_blocks}).
     *
     * @param workerId the worker id.
     * @param dpRank   the dp rank.
     * @return distinct blocks held by its booked requests.
     */
    public long activeBlocks(final long workerId, final int dpRank)
    {
        final WorkerState state = workers.state(workerId, dpRank);
        return null == state ? 0 : state.activeBlocks();
    }

    /**
     * Active prefill tokens of a worker rank ({@code worker_active_prefill_tokens}).
     *
     * @param workerId the worker id.
     * @param dpRank   the dp rank.
     * @return tokens of booked requests whose prefill has not completed.
     */
    public long activePrefillTokens(final long workerId, final int dpRank)
    {
        final WorkerState state = workers.state(workerId, dpRank);
        return null == state ? 0 : state.activePrefillTokens;
    }

    /**
     * Visit each candidate worker rank's active load (own and replicas' bookings), e.g. for metrics. Router thread.
     *
     * @param consumer told of each candidate.
     */
    public void forEachCandidateLoad(final WorkerLoadConsumer consumer)
    {
        for (final WorkerState state : candidates)
        {
            consumer.accept(state.workerId, state.dpRank, state.activeBlocks(), state.activePrefillTokens);
        }
    }

    /**
     * Replay this router's own bookings, oldest first, e.g. to answer a replica's snapshot request. Router thread.
     *
     * @param listener told of each booking through {@link RequestLifecycleListener#onBooked}.
     */
    public void forEachBooking(final RequestLifecycleListener listener)
    {
        active.forEach(listener);
    }

    /**
     * The bookings of the other replicas, applied by replica sync.
     *
     * @return the replicas' loads.
     */
    public ReplicaLoads replicaLoads()
    {
        return replicas;
    }

    /**
     * Replica sync, when {@link RouterContext#replicaSync()} is on.
     *
     * @return the sync or null.
     */
    public ReplicaSync replicaSync()
    {
        return replicaSync;
    }

    /**
     * The router's counters.
     *
     * @return the counters.
     */
    public RouterCounters counters()
    {
        return counters;
    }

    /**
     * The approximate index, in approximate mode.
     *
     * @return the index, or null when KV events feed an indexer.
     */
    public ApproximateIndex approximateIndex()
    {
        return approximate;
    }

    /**
     * The concluded configuration.
     *
     * @return the context.
     */
    public RouterContext context()
    {
        return ctx;
    }

    /**
     * Release the approximate index; an overlap source given in the context stays open (the caller owns it).
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            CloseHelper.close(replicaSync);
            CloseHelper.close(approximate);
        }
    }

    private RoutingStatus decide(
        final long[] hashes,
        final int count,
        final int isl,
        final RouteOverrides overrides,
        final String requestId,
        final RoutingDecision decision,
        final long nowNs,
        final boolean fromQueue)
    {
        final double weight = null == overrides || Double.isNaN(overrides.overlapScoreWeight()) ?
            ctx.overlapScoreWeight() : overrides.overlapScoreWeight();
        final double temperature = null == overrides || Double.isNaN(overrides.temperature()) ?
            ctx.temperature() : overrides.temperature();
        decision.begin(mode, weight, temperature, blockSize, isl, count);
        final RoutingStatus refused = refusal(overrides, requestId, fromQueue);
        if (null != refused)
        {
            counters.increment(RouterCounters.REFUSED);
            decision.status(refused);
            return refused;
        }
        if (null != requestId && !fromQueue && allBusy())
        {
            enqueue(hashes, count, isl, overrides, requestId, weight, nowNs);
            decision.status(RoutingStatus.QUEUED);
            return RoutingStatus.QUEUED;
        }
        ensureHashCapacity(count);
        if (hashes != localHashes)
        {
            System.arraycopy(hashes, 0, localHashes, 0, count);
        }
        hasher.sequenceHashes(localHashes, count, sequenceHashes);
        final long findStartNs = null == metrics ? 0 : System.nanoTime();
        findOverlaps(localHashes, count, weight, decision);
        final long findEndNs = null == metrics ? 0 : System.nanoTime();
        score(count, isl, weight);
        final int n = candidates.length;
        final WorkerState chosen = null != overrides && overrides.hasForcedWorker() ?
            workers.candidate(overrides.forcedWorkerId(), overrides.forcedDpRank()) :
            candidates[selector.select(mode, candidates, n, temperature)];
        for (int i = 0; i < n; i++)
        {
            decision.candidate(candidates[i]);
        }
        decision.chosen(RoutingStatus.ROUTED, chosen, null != overrides && overrides.hasForcedWorker());
        counters.increment(RouterCounters.ROUTED);
        if (null != metrics)
        {
            metrics.onRouted(hashNs, findEndNs - findStartNs, System.nanoTime() - findEndNs,
                0 == count ? 0 : (double)chosen.overlapBlocks / count);
            hashNs = 0;
        }
        if (null != requestId)
        {
            book(requestId, chosen, count, isl, nowNs);
            decision.booked(true);
        }
        return RoutingStatus.ROUTED;
    }

    private RoutingStatus refusal(final RouteOverrides overrides, final String requestId, final boolean fromQueue)
    {
        if (null != requestId && !fromQueue && (active.contains(requestId) || queue.contains(requestId)))
        {
            return RoutingStatus.DUPLICATE_REQUEST;
        }
        if (0 == candidates.length)
        {
            return RoutingStatus.NO_WORKERS;
        }
        if (null != overrides && overrides.hasForcedWorker() &&
            null == workers.candidate(overrides.forcedWorkerId(), overrides.forcedDpRank()))
        {
            return RoutingStatus.UNKNOWN_WORKER;
        }
        return null;
    }

    private void findOverlaps(final long[] hashes, final int count, final double weight, final RoutingDecision decision)
    {
        final int n = candidates.length;
        for (int i = 0; i < n; i++)
        {
            candidates[i].overlapBlocks = 0;
            candidates[i].treeSize = 0;
        }
        if (RouterMode.KV != mode || !(weight > 0) || 0 == count)
        {
            return;
        }
        final boolean answered = null != overlapSource && overlapSource.findOverlaps(hashes, count, scores);
        if (null != decision)
        {
            decision.overlaps(true, !answered);
        }
        if (!answered)
        {
            counters.increment(RouterCounters.INDEXER_FALLBACKS);
            return;
        }
        final int size = scores.size();
        for (int i = 0; i < size; i++)
        {
            final WorkerState state = workers.candidate(scores.workerId(i), scores.dpRank(i));
            if (null != state)
            {
                state.overlapBlocks = Math.min(count, scores.matchedBlocks(i));
                state.treeSize = scores.treeSize(i);
            }
        }
    }

    private void score(final int count, final int isl, final double weight)
    {
        final boolean trackBlocks = ctx.trackActiveBlocks();
        final boolean trackPrefill = ctx.trackPrefillTokens();
        final int n = candidates.length;
        for (int i = 0; i < n; i++)
        {
            final WorkerState state = candidates[i];
            state.potentialPrefillTokens = state.activePrefillTokens +
                (trackPrefill ? newPrefillTokens(isl, state.overlapBlocks) : 0);
            state.potentialDecodeBlocks = state.activeBlocks() +
                (trackBlocks ? state.newBlocks(sequenceHashes, count) : 0);
            state.logit = weight * ((double)state.potentialPrefillTokens / blockSize) + state.potentialDecodeBlocks;
        }
    }

    private void book(final String requestId, final WorkerState worker, final int count, final int isl,
        final long nowNs)
    {
        final long prefillTokens = ctx.trackPrefillTokens() ? newPrefillTokens(isl, worker.overlapBlocks) : 0;
        active.book(requestId, worker, sequenceHashes, ctx.trackActiveBlocks() ? count : 0, prefillTokens, nowNs);
        counters.increment(RouterCounters.BOOKED);
        if (null != replicaSync)
        {
            replicaSync.onBooked(requestId, worker.workerId, worker.dpRank, sequenceHashes,
                ctx.trackActiveBlocks() ? count : 0, isl, prefillTokens);
        }
        if (null != approximate)
        {
            approximate.record(worker.workerId, worker.dpRank, sequenceHashes, localHashes, count, nowNs);
            counters.increment(RouterCounters.APPROXIMATE_RECORDS);
        }
    }

    private void enqueue(
        final long[] hashes,
        final int count,
        final int isl,
        final RouteOverrides overrides,
        final String requestId,
        final double weight,
        final long nowNs)
    {
        long newTokens = isl;
        if (QueuePolicy.WSPT == ctx.queuePolicy())
        {
            findOverlaps(hashes, count, weight, null);
            int best = 0;
            for (final WorkerState state : candidates)
            {
                best = Math.max(best, state.overlapBlocks);
            }
            newTokens = newPrefillTokens(isl, best);
        }
        final double priority = null == overrides ? 0 : overrides.priority();
        final double key = ctx.queuePolicy().key(priority, (nowNs - startNs) / NANOS_PER_SECOND, newTokens);
        queue.add(requestId, hashes, count, isl, overrides, key, nowNs);
        counters.increment(RouterCounters.QUEUED);
    }

    private void releaseQueued()
    {
        if (releasing)
        {
            return;
        }
        releasing = true;
        try
        {
            QueuedRequest request;
            while (!queue.isEmpty() && !allBusy() && null != (request = queue.poll()))
            {
                request.overridesInto(queueOverrides);
                decide(request.localHashes, request.blockCount, request.isl, queueOverrides, request.requestId,
                    queueDecision, clock.nanoTime(), true);
                counters.increment(RouterCounters.DEQUEUED);
                final String requestId = request.requestId;
                queue.recycle(request);
                ctx.routingListener().onRouted(requestId, queueDecision);
            }
        }
        finally
        {
            releasing = false;
        }
    }

    private boolean allBusy()
    {
        final double threshold = ctx.queueThreshold();
        if (threshold < 0)
        {
            return false;
        }
        for (final WorkerState state : candidates)
        {
            if (state.activePrefillTokens <= threshold * state.worker.maxNumBatchedTokens())
            {
                return false;
            }
        }
        return true;
    }

    private long housekeeping()
    {
        final long nowNs = clock.nanoTime();
        candidates = workers.refresh();
        final int expired = active.expire(nowNs);
        if (expired > 0)
        {
            for (int i = 0; i < expired; i++)
            {
                counters.increment(RouterCounters.EXPIRED);
            }
            workers.forgetIdleNonCandidates();
        }
        if (replicas.expire(nowNs) > 0)
        {
            workers.forgetIdleNonCandidates();
        }
        if (null != approximate)
        {
            approximate.expire(nowNs);
        }
        return nowNs;
    }

    private long newPrefillTokens(final int isl, final int overlapBlocks)
    {
        return Math.max(0L, isl - (long)overlapBlocks * blockSize);
    }

    private int hashTokens(final int[] tokens, final int tokenCount, final String lora)
    {
        if (!Objects.equals(lora, loraName))
        {
            loraName = lora;
            loraSeed = BlockHashing.loraSeed(lora);
        }
        hasher.seed(loraSeed);
        final int count = hasher.fullBlocks(tokenCount);
        ensureHashCapacity(count);
        return hasher.localHashes(tokens, tokenCount, localHashes);
    }

    private void ensureHashCapacity(final int count)
    {
        if (count > localHashes.length)
        {
            final int capacity = Math.max(count, localHashes.length * 2);
            localHashes = Arrays.copyOf(localHashes, capacity);
            sequenceHashes = new long[capacity];
        }
    }
}
