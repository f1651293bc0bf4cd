package io.kvindex.router;

import io.kvindex.router.metrics.RouterMetrics;
import io.kvindex.router.sync.ReplicaSyncContext;
import org.agrona.SystemUtil;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Settings of a {@link Router}: a property name, a default and a getter and setter each, named as Dynamo's router
 * flags where Dynamo has them (spec/dynamo-compat.md section 4). Objects the router uses but does not configure (the
 * worker set, the overlap source, the clock, the random generator, the listener of queued requests) are set here
 * too, so that tests can inject a fake clock and a seeded generator. {@link #conclude()} runs once.
 */
public final class RouterContext
{
    /**
     * How workers are picked: {@code kv}, {@code round-robin}, {@code random}, {@code least-loaded} or {@code
     * device-aware-weighted}. Dynamo: {@code --router-mode}, {@code DYN_ROUTER_MODE}.
     */
    public static final String MODE_PROP_NAME = "kvindex.router.mode";
    /**
     * Tokens per KV block; must match the engines' and the indexer's. Dynamo: {@code --router-block-size} / {@code
     * --kv-cache-block-size}, {@code DYN_KV_CACHE_BLOCK_SIZE}.
     */
    public static final String BLOCK_SIZE_PROP_NAME = "kvindex.router.block.size";
    /**
     * Weight of the prefill term; 0 is pure load balancing and no index queries. Dynamo: {@code
     * --router-kv-overlap-score-weight} ({@code --kv-overlap-score-weight}), {@code DYN_KV_OVERLAP_SCORE_WEIGHT}.
     */
    public static final String OVERLAP_SCORE_WEIGHT_PROP_NAME = "kvindex.router.kv.overlap.score.weight";
    /**
     * Softmax temperature of the choice; 0 takes the lowest logit. Dynamo: {@code --router-temperature}, {@code
     * DYN_ROUTER_TEMPERATURE}.
     */
    public static final String TEMPERATURE_PROP_NAME = "kvindex.router.temperature";
    /**
     * Whether workers' KV events feed an indexer (true) or the router approximates their caches from its own decisions.
     * Dynamo: {@code --router-kv-events} / {@code --no-router-kv-events}.
     */
    public static final String KV_EVENTS_PROP_NAME = "kvindex.router.kv.events";
    /**
     * Whether booked requests' blocks count as decode load; false routes on prefill alone (a prefill router). Dynamo:
     * {@code --router-track-active-blocks} / {@code --no-router-track-active-blocks}.
     */
    public static final String TRACK_ACTIVE_BLOCKS_PROP_NAME = "kvindex.router.track.active.blocks";
    /**
     * Whether new prefill tokens count as load; false routes on decode blocks alone (a decode router). Dynamo: {@code
     * --router-track-prefill-tokens} / {@code --no-router-track-prefill-tokens}.
     */
    public static final String TRACK_PREFILL_TOKENS_PROP_NAME = "kvindex.router.track.prefill.tokens";
    /**
     * A request waits when every candidate has more active prefill tokens than this times its {@code
     * max_num_batched_tokens}; negative turns the queue off. Dynamo: {@code --router-queue-threshold}.
     */
    public static final String QUEUE_THRESHOLD_PROP_NAME = "kvindex.router.queue.threshold";
    /** Order of waiting requests: {@code fcfs}, {@code wspt} or {@code lcfs}. Dynamo: {@code --router-queue-policy}. */
    public static final String QUEUE_POLICY_PROP_NAME = "kvindex.router.queue.policy";
    /**
     * Approximate mode: time a block stays after the last decision that stored it, e.g. {@code 120s}. Dynamo: {@code
     * --router-ttl-secs}.
     */
    public static final String TTL_PROP_NAME = "kvindex.router.ttl";
    /** Approximate mode: (worker, block) pairs held before pruning. Dynamo: {@code --router-max-tree-size}. */
    public static final String MAX_TREE_SIZE_PROP_NAME = "kvindex.router.max.tree.size";
    /**
     * Approximate mode: fraction of the max tree size pruning goes down to. Dynamo: {@code
     * --router-prune-target-ratio}.
     */
    public static final String PRUNE_TARGET_RATIO_PROP_NAME = "kvindex.router.prune.target.ratio";
    /** Time after which a booked request never freed is freed, e.g. {@code 300s}. Dynamo: fixed at 300 s. */
    public static final String REQUEST_EXPIRY_PROP_NAME = "kvindex.router.request.expiry";
    /**
     * Time a decision waits for overlaps before routing on load alone, e.g. {@code 25ms}. No Dynamo equivalent (its
     * indexer runs in the router).
     */
    public static final String INDEXER_TIMEOUT_PROP_NAME = "kvindex.router.indexer.timeout";
    /** Most worker ranks an overlap answer or the approximate index holds. No Dynamo equivalent. */
    public static final String MAX_WORKERS_PROP_NAME = "kvindex.router.max.workers";

    /**
     * Whether replicas share their request lifecycle events over Aeron ({@link ReplicaSyncContext} holds the channel
     * and timings). Dynamo: {@code --router-replica-sync}.
     */
    public static final String REPLICA_SYNC_PROP_NAME = "kvindex.router.replica.sync";
    /** Default of {@link #REPLICA_SYNC_PROP_NAME}. */
    public static final boolean REPLICA_SYNC_DEFAULT = false;
    /** Default of {@link #MODE_PROP_NAME}. */
    public static final RouterMode MODE_DEFAULT = RouterMode.KV;
    /** Default of {@link #BLOCK_SIZE_PROP_NAME}. */
    public static final int BLOCK_SIZE_DEFAULT = 16;
    /** Default of {@link #OVERLAP_SCORE_WEIGHT_PROP_NAME}. */
    public static final double OVERLAP_SCORE_WEIGHT_DEFAULT = 1.0;
    /** Default of {@link #TEMPERATURE_PROP_NAME}. */
    public static final double TEMPERATURE_DEFAULT = 0.0;
    /** Default of {@link #KV_EVENTS_PROP_NAME}. */
    public static final boolean KV_EVENTS_DEFAULT = true;
    /** Default of {@link #TRACK_ACTIVE_BLOCKS_PROP_NAME}. */
    public static final boolean TRACK_ACTIVE_BLOCKS_DEFAULT = true;
    /** Default of {@link #TRACK_PREFILL_TOKENS_PROP_NAME}. */
    public static final boolean TRACK_PREFILL_TOKENS_DEFAULT = true;
    /** Default of {@link #QUEUE_THRESHOLD_PROP_NAME}. */
    public static final double QUEUE_THRESHOLD_DEFAULT = 4.0;
    /** Default of {@link #QUEUE_POLICY_PROP_NAME}. */
    public static final QueuePolicy QUEUE_POLICY_DEFAULT = QueuePolicy.FCFS;
    /** Default of {@link #TTL_PROP_NAME}. */
    public static final long TTL_DEFAULT_NS = TimeUnit.SECONDS.toNanos(120);
    /** Default of {@link #MAX_TREE_SIZE_PROP_NAME}. */
    public static final int MAX_TREE_SIZE_DEFAULT = 1 << 20;
    /** Default of {@link #PRUNE_TARGET_RATIO_PROP_NAME}. */
    public static final double PRUNE_TARGET_RATIO_DEFAULT = 0.8;
    /** Default of {@link #REQUEST_EXPIRY_PROP_NAME}. */
    public static final long REQUEST_EXPIRY_DEFAULT_NS = TimeUnit.SECONDS.toNanos(300);
    /** Default of {@link #INDEXER_TIMEOUT_PROP_NAME}. */
    public static final long INDEXER_TIMEOUT_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(25);
    /** Default of {@link #MAX_WORKERS_PROP_NAME}. */
    public static final int MAX_WORKERS_DEFAULT = 1024;

    private RouterMode mode = RouterMode.fromName(System.getProperty(MODE_PROP_NAME, MODE_DEFAULT.flagName()));
    private int blockSize = Integer.getInteger(BLOCK_SIZE_PROP_NAME, BLOCK_SIZE_DEFAULT);
    private double overlapScoreWeight = doubleProperty(OVERLAP_SCORE_WEIGHT_PROP_NAME, OVERLAP_SCORE_WEIGHT_DEFAULT);
    private double temperature = doubleProperty(TEMPERATURE_PROP_NAME, TEMPERATURE_DEFAULT);
    private boolean kvEvents = booleanProperty(KV_EVENTS_PROP_NAME, KV_EVENTS_DEFAULT);
    private boolean trackActiveBlocks = booleanProperty(TRACK_ACTIVE_BLOCKS_PROP_NAME, TRACK_ACTIVE_BLOCKS_DEFAULT);
    private boolean trackPrefillTokens = booleanProperty(TRACK_PREFILL_TOKENS_PROP_NAME, TRACK_PREFILL_TOKENS_DEFAULT);
    private double queueThreshold = doubleProperty(QUEUE_THRESHOLD_PROP_NAME, QUEUE_THRESHOLD_DEFAULT);
    private QueuePolicy queuePolicy =
        QueuePolicy.fromName(System.getProperty(QUEUE_POLICY_PROP_NAME, QUEUE_POLICY_DEFAULT.flagName()));
    private long ttlNs = SystemUtil.getDurationInNanos(TTL_PROP_NAME, TTL_DEFAULT_NS);
    private int maxTreeSize = Integer.getInteger(MAX_TREE_SIZE_PROP_NAME, MAX_TREE_SIZE_DEFAULT);
    private double pruneTargetRatio = doubleProperty(PRUNE_TARGET_RATIO_PROP_NAME, PRUNE_TARGET_RATIO_DEFAULT);
    private long requestExpiryNs = SystemUtil.getDurationInNanos(REQUEST_EXPIRY_PROP_NAME, REQUEST_EXPIRY_DEFAULT_NS);
    private long indexerTimeoutNs =
        SystemUtil.getDurationInNanos(INDEXER_TIMEOUT_PROP_NAME, INDEXER_TIMEOUT_DEFAULT_NS);
    private int maxWorkers = Integer.getInteger(MAX_WORKERS_PROP_NAME, MAX_WORKERS_DEFAULT);
    private boolean replicaSync = booleanProperty(REPLICA_SYNC_PROP_NAME, REPLICA_SYNC_DEFAULT);
    private ReplicaSyncContext replicaSyncContext;
    private RouterMetrics routerMetrics;
    private WorkerSet workerSet;
    private OverlapSource overlapSource;
    private NanoClock nanoClock;
    private RandomGenerator random;
    private RoutingListener routingListener;
    private boolean concluded;

    /**
     * Validate the settings and fill defaults: an empty worker set, the system nano clock, an unseeded
     * {@link SplittableRandom}, a listener that drops notices. Runs once.
     *
     * @return this.
     */
    public RouterContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("context already concluded");
        }
        concluded = true;
        if (null == mode || null == queuePolicy)
        {
            throw new IllegalArgumentException("mode and queuePolicy must be set");
        }
        requirePositive("blockSize", blockSize);
        requirePositive("ttlNs", ttlNs);
        requirePositive("maxTreeSize", maxTreeSize);
        requirePositive("requestExpiryNs", requestExpiryNs);
        requirePositive("indexerTimeoutNs", indexerTimeoutNs);
        requirePositive("maxWorkers", maxWorkers);
        requireFiniteAtLeastZero("overlapScoreWeight", overlapScoreWeight);
        requireFiniteAtLeastZero("temperature", temperature);
        if (Double.isNaN(queueThreshold))
        {
            throw new IllegalArgumentException("queueThreshold must be a number: " + queueThreshold);
        }
        if (!(pruneTargetRatio > 0 && pruneTargetRatio <= 1))
        {
            throw new IllegalArgumentException("pruneTargetRatio must be in (0, 1]: " + pruneTargetRatio);
        }
        if (RouterMode.KV == mode && kvEvents && overlapScoreWeight > 0 && null == overlapSource)
        {
            throw new IllegalStateException(
                "kv mode with KV events needs an overlapSource (an indexer); or set kvEvents false (approximate mode)");
        }
        if (null == workerSet)
        {
            workerSet = new WorkerSet();
        }
        if (null == nanoClock)
        {
            nanoClock = SystemNanoClock.INSTANCE;
        }
        if (null == random)
        {
            random = new SplittableRandom();
        }
        if (null == routingListener)
        {
            routingListener = RouterContext::ignore;
        }
        if (replicaSync && null == replicaSyncContext)
        {
            replicaSyncContext = new ReplicaSyncContext();
        }
        return this;
    }

    /**
     * Whether the router keeps its own approximate index: kv mode without KV events.
     *
     * @return true in approximate mode.
     */
    public boolean approximate()
    {
        return RouterMode.KV == mode && !kvEvents;
    }

    /**
     * How workers are picked.
     *
     * @param mode the mode.
     * @return this.
     */
    public RouterContext mode(final RouterMode mode)
    {
        this.mode = mode;
        return this;
    }

    /**
     * How workers are picked.
     *
     * @return the mode.
     */
    public RouterMode mode()
    {
        return mode;
    }

    /**
     * Tokens per KV block.
     *
     * @param blockSize tokens per block.
     * @return this.
     */
    public RouterContext blockSize(final int blockSize)
    {
        this.blockSize = blockSize;
        return this;
    }

    /**
     * Tokens per KV block.
     *
     * @return tokens per block.
     */
    public int blockSize()
    {
        return blockSize;
    }

    /**
     * Weight of the prefill term in the logit.
     *
     * @param overlapScoreWeight the weight, at least 0.
     * @return this.
     */
    public RouterContext overlapScoreWeight(final double overlapScoreWeight)
    {
        this.overlapScoreWeight = overlapScoreWeight;
        return this;
    }

    /**
     * Weight of the prefill term in the logit.
     *
     * @return the weight, at least 0.
     */
    public double overlapScoreWeight()
    {
        return overlapScoreWeight;
    }

    /**
     * Softmax temperature of the choice.
     *
     * @param temperature the temperature, at least 0.
     * @return this.
     */
    public RouterContext temperature(final double temperature)
    {
        this.temperature = temperature;
        return this;
    }

    /**
     * Softmax temperature of the choice.
     *
     * @return the temperature, at least 0.
     */
    public double temperature()
    {
        return temperature;
    }

    /**
     * Whether overlaps come from KV events (an indexer) rather than the router's own decisions.
     *
     * @param kvEvents false for approximate mode.
     * @return this.
     */
    public RouterContext kvEvents(final boolean kvEvents)
    {
        this.kvEvents = kvEvents;
        return this;
    }

    /**
     * Whether overlaps come from KV events (an indexer) rather than the router's own decisions.
     *
     * @return false for approximate mode.
     */
    public boolean kvEvents()
    {
        return kvEvents;
    }

    /**
     * Whether booked requests' blocks count as decode load.
     *
     * @param trackActiveBlocks false for prefill-only routing.
     * @return this.
     */
    public RouterContext trackActiveBlocks(final boolean trackActiveBlocks)
    {
        this.trackActiveBlocks = trackActiveBlocks;
        return this;
    }

    /**
     * Whether booked requests' blocks count as decode load.
     *
     * @return false for prefill-only routing.
     */
    public boolean trackActiveBlocks()
    {
        return trackActiveBlocks;
    }

    /**
     * Whether new prefill tokens count as load.
     *
     * @param trackPrefillTokens false for decode-only routing.
     * @return this.
     */
    public RouterContext trackPrefillTokens(final boolean trackPrefillTokens)
    {
        this.trackPrefillTokens = trackPrefillTokens;
        return this;
    }

    /**
     * Whether new prefill tokens count as load.
     *
     * @return false for decode-only routing.
     */
    public boolean trackPrefillTokens()
    {
        return trackPrefillTokens;
    }

    /**
     * Queue threshold, a multiple of each worker's {@code max_num_batched_tokens}.
     *
     * @param queueThreshold the threshold; negative turns the queue off.
     * @return this.
     */
    public RouterContext queueThreshold(final double queueThreshold)
    {
        this.queueThreshold = queueThreshold;
        return this;
    }

    /**
     * Queue threshold, a multiple of each worker's {@code max_num_batched_tokens}.
     *
     * @return the threshold; negative turns the queue off.
     */
    public double queueThreshold()
    {
        return queueThreshold;
    }

    /**
     * Order of waiting requests.
     *
     * @param queuePolicy the policy.
     * @return this.
     */
    public RouterContext queuePolicy(final QueuePolicy queuePolicy)
    {
        this.queuePolicy = queuePolicy;
        return this;
    }

    /**
     * Order of waiting requests.
     *
     * @return the policy.
     */
    public QueuePolicy queuePolicy()
    {
        return queuePolicy;
    }

    /**
     * Approximate mode: block time to live.
     *
     * @param ttlNs the time to live in nanoseconds.
     * @return this.
     */
    public RouterContext ttlNs(final long ttlNs)
    {
        this.ttlNs = ttlNs;
        return this;
    }

    /**
     * Approximate mode: block time to live.
     *
     * @return the time to live in nanoseconds.
     */
    public long ttlNs()
    {
        return ttlNs;
    }

    /**
     * Approximate mode: (worker, block) pairs held before pruning.
     *
     * @param maxTreeSize the size.
     * @return this.
     */
    public RouterContext maxTreeSize(final int maxTreeSize)
    {
        this.maxTreeSize = maxTreeSize;
        return this;
    }

    /**
     * Approximate mode: (worker, block) pairs held before pruning.
     *
     * @return the size.
     */
    public int maxTreeSize()
    {
        return maxTreeSize;
    }

    /**
     * Approximate mode: fraction of the max tree size pruning goes down to.
     *
     * @param pruneTargetRatio the ratio in (0, 1].
     * @return this.
     */
    public RouterContext pruneTargetRatio(final double pruneTargetRatio)
    {
        this.pruneTargetRatio = pruneTargetRatio;
        return this;
    }

    /**
     * Approximate mode: fraction of the max tree size pruning goes down to.
     *
     * @return the ratio in (0, 1].
     */
    public double pruneTargetRatio()
    {
        return pruneTargetRatio;
    }

    /**
     * Time after which a booked request never freed is freed.
     *
     * @param requestExpiryNs the time in nanoseconds.
     * @return this.
     */
    public RouterContext requestExpiryNs(final long requestExpiryNs)
    {
        this.requestExpiryNs = requestExpiryNs;
        return this;
    }

    /**
     * Time after which a booked request never freed is freed.
     *
     * @return the time in nanoseconds.
     */
    public long requestExpiryNs()
    {
        return requestExpiryNs;
    }

    /**
     * Time a decision waits for overlaps.
     *
     * @param indexerTimeoutNs the time in nanoseconds.
     * @return this.
     */
    public RouterContext indexerTimeoutNs(final long indexerTimeoutNs)
    {
        this.indexerTimeoutNs = indexerTimeoutNs;
        return this;
    }

    /**
     * Time a decision waits for overlaps.
     *
     * @return the time in nanoseconds.
     */
    public long indexerTimeoutNs()
    {
        return indexerTimeoutNs;
    }

    /**
     * Most worker ranks an overlap answer or the approximate index holds.
     *
     * @param maxWorkers the limit.
     * @return this.
     */
    public RouterContext maxWorkers(final int maxWorkers)
    {
        this.maxWorkers = maxWorkers;
        return this;
    }

    /**
     * Most worker ranks an overlap answer or the approximate index holds.
     *
     * @return the limit.
     */
    public int maxWorkers()
    {
        return maxWorkers;
    }

    /**
     * The candidate workers; share one set to change them at runtime.
     *
     * @param workerSet the set.
     * @return this.
     */
    public RouterContext workerSet(final WorkerSet workerSet)
    {
        this.workerSet = workerSet;
        return this;
    }

    /**
     * The candidate workers; share one set to change them at runtime.
     *
     * @return the set.
     */
    public WorkerSet workerSet()
    {
        return workerSet;
    }

    /**
     * Where overlaps come from when KV events feed an indexer (kv mode).
     *
     * @param overlapSource the source, owned by the caller.
     * @return this.
     */
    public RouterContext overlapSource(final OverlapSource overlapSource)
    {
        this.overlapSource = overlapSource;
        return this;
    }

    /**
     * Where overlaps come from when KV events feed an indexer (kv mode).
     *
     * @return the source, owned by the caller.
     */
    public OverlapSource overlapSource()
    {
        return overlapSource;
    }

    /**
     * Clock for expiry, time to live, queue arrival times and the indexer timeout.
     *
     * @param nanoClock the clock.
     * @return this.
     */
    public RouterContext nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    /**
     * Clock for expiry, time to live, queue arrival times and the indexer timeout.
     *
     * @return the clock.
     */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * Random generator for ties, softmax sampling and the random mode; seed it for repeatable tests.
     *
     * @param random the generator.
     * @return this.
     */
    public RouterContext random(final RandomGenerator random)
    {
        this.random = random;
        return this;
    }

    /**
     * Random generator for ties, softmax sampling and the random mode; seed it for repeatable tests.
     *
     * @return the generator.
     */
    public RandomGenerator random()
    {
        return random;
    }

    /**
     * Told when a queued request is routed.
     *
     * @param routingListener the listener.
     * @return this.
     */
    public RouterContext routingListener(final RoutingListener routingListener)
    {
        this.routingListener = routingListener;
        return this;
    }

    /**
     * Told when a queued request is routed.
     *
     * @return the listener.
     */
    public RoutingListener routingListener()
    {
        return routingListener;
    }

    /**
     * Share request lifecycle events with the other replicas ({@code --router-replica-sync}).
     *
     * @param replicaSync true to sync.
     * @return this.
     */
    public RouterContext replicaSync(final boolean replicaSync)
    {
        this.replicaSync = replicaSync;
        return this;
    }

    /**
     * Share request lifecycle events with the other replicas ({@code --router-replica-sync}).
     *
     * @return true to sync.
     */
    public boolean replicaSync()
    {
        return replicaSync;
    }

    /**
     * Channel, stream, router id and timings of replica sync; defaults when not set.
     *
     * @param replicaSyncContext the sync settings.
     * @return this.
     */
    public RouterContext replicaSyncContext(final ReplicaSyncContext replicaSyncContext)
    {
        this.replicaSyncContext = replicaSyncContext;
        return this;
    }

    /**
     * Channel, stream, router id and timings of replica sync.
     *
     * @return the sync settings, or null when sync is off.
     */
    public ReplicaSyncContext replicaSyncContext()
    {
        return replicaSyncContext;
    }

    /**
     * Where the router records its {@code router_*} and {@code worker_active_*} metrics; none when null.
     *
     * @param routerMetrics the metrics.
     * @return this.
     */
    public RouterContext routerMetrics(final RouterMetrics routerMetrics)
    {
        this.routerMetrics = routerMetrics;
        return this;
    }

    /**
     * Where the router records its metrics.
     *
     * @return the metrics or null.
     */
    public RouterMetrics routerMetrics()
    {
        return routerMetrics;
    }

    private static void ignore(final String requestId, final RoutingDecision decision)
    {
    }

    private static double doubleProperty(final String name, final double defaultValue)
    {
        final String value = System.getProperty(name);
        return null == value ? defaultValue : Double.parseDouble(value.trim());
    }

    private static boolean booleanProperty(final String name, final boolean defaultValue)
    {
        final String value = System.getProperty(name);
        return null == value ? defaultValue : Boolean.parseBoolean(value.trim());
    }

    private static void requirePositive(final String name, final long value)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be > 0: " + value);
        }
    }

    private static void requireFiniteAtLeastZero(final String name, final double value)
    {
        if (!(value >= 0) || Double.isInfinite(value))
        {
            throw new IllegalArgumentException(name + " must be finite and >= 0: " + value);
        }
    }
}
