package io.kvindex.server.feed;

import io.kvindex.server.pipeline.IngestPipeline;
import io.kvindex.server.registry.FeedStatus;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.zeromq.ZContext;

import java.util.concurrent.TimeUnit;

/**
 * Settings of one {@link ZmqEngineFeed}: the stream (endpoints, owner, where batches go) and the limits of its
 * sequence handling (held batches, replay timeout, restart quiet period, idle time). Fluent setters; the defaults
 * are the property-name constants' values.
 */
public final class ZmqEngineFeedContext
{
    /** Property: most live batches held while a replay runs or the ring is full. */
    public static final String HOLD_LIMIT_PROP_NAME = "kvindex.feed.hold.limit";
    /** Default of {@link #HOLD_LIMIT_PROP_NAME}. */
    public static final int HOLD_LIMIT_DEFAULT = 16_384;
    /** Property: most payload bytes held. */
    public static final String HOLD_BYTES_PROP_NAME = "kvindex.feed.hold.bytes";
    /** Default of {@link #HOLD_BYTES_PROP_NAME}: 64 MiB. */
    public static final int HOLD_BYTES_DEFAULT = 64 * 1024 * 1024;
    /** Property: a replay with no answer for this long (ms) has failed. */
    public static final String REPLAY_TIMEOUT_MS_PROP_NAME = "kvindex.feed.replay.timeout.ms";
    /** Default of {@link #REPLAY_TIMEOUT_MS_PROP_NAME}. */
    public static final long REPLAY_TIMEOUT_MS_DEFAULT = 5_000L;
    /** Property: a seq at or below the last one after this much silence (ms) is an engine restart. */
    public static final String RESTART_QUIET_MS_PROP_NAME = "kvindex.feed.restart.quiet.ms";
    /** Default of {@link #RESTART_QUIET_MS_PROP_NAME}. */
    public static final long RESTART_QUIET_MS_DEFAULT = 1_000L;
    /** Property: a stream silent for this long (ms) is flagged idle. */
    public static final String IDLE_MS_PROP_NAME = "kvindex.feed.idle.ms";
    /** Default of {@link #IDLE_MS_PROP_NAME}. */
    public static final long IDLE_MS_DEFAULT = 60_000L;
    /** Property: a stream that has sent nothing since its socket opened is resubscribed after this long (ms). */
    public static final String RESUBSCRIBE_MS_PROP_NAME = "kvindex.feed.resubscribe.ms";
    /** Default of {@link #RESUBSCRIBE_MS_PROP_NAME}; the time doubles up to the idle time. */
    public static final long RESUBSCRIBE_MS_DEFAULT = 5_000L;
    /** Receive high-water mark of the replay DEALER (an engine sends up to its whole buffer at once). */
    public static final int REPLAY_RCV_HWM = 100_000;
    /** Start position of a feed with no state: the first batch above seq 0 is a late join. */
    public static final long START_FRESH = -1;

    private ZContext zmqContext;
    private String endpoint;
    private boolean bind;
    private String topic = "";
    private long workerId;
    private int dpRank;
    private String replayEndpoint;
    private KvEventBatchDecoder decoder;
    private EngineEventApplier applier;
    private IngestPipeline pipeline;
    private int indexKey = -1;
    private long startSeq = START_FRESH;
    private boolean replayOnStart;
    private int holdLimit = Integer.getInteger(HOLD_LIMIT_PROP_NAME, HOLD_LIMIT_DEFAULT);
    private int holdBytes = Integer.getInteger(HOLD_BYTES_PROP_NAME, HOLD_BYTES_DEFAULT);
    private long replayTimeoutNs = ms(REPLAY_TIMEOUT_MS_PROP_NAME, REPLAY_TIMEOUT_MS_DEFAULT);
    private long restartQuietNs = ms(RESTART_QUIET_MS_PROP_NAME, RESTART_QUIET_MS_DEFAULT);
    private long idleNs = ms(IDLE_MS_PROP_NAME, IDLE_MS_DEFAULT);
    private long resubscribeNs = ms(RESUBSCRIBE_MS_PROP_NAME, RESUBSCRIBE_MS_DEFAULT);
    private int drainLimit = ZmqEngineFeed.DEFAULT_DRAIN_LIMIT;
    private int maxPayload = ZmqEngineFeed.DEFAULT_MAX_PAYLOAD;
    private NanoClock nanoClock;
    private EpochClock epochClock;
    private FeedStatus status;

    /**
     * Fill defaults and check that the stream and a destination are set.
     *
     * @return this.
     */
    public ZmqEngineFeedContext conclude()
    {
        if (null == zmqContext || null == endpoint)
        {
            throw new IllegalArgumentException("a feed needs a ZMQ context and an endpoint");
        }
        if ((null == applier) == (null == pipeline))
        {
            throw new IllegalArgumentException("a feed needs exactly one of an applier or a pipeline");
        }
        if (holdLimit < 1 || holdBytes < 1 || replayTimeoutNs <= 0 || drainLimit < 1 || resubscribeNs <= 0)
        {
            throw new IllegalArgumentException("hold limits, replay timeout and drain limit must be positive");
        }
        decoder = null == decoder ? new KvEventBatchDecoder() : decoder;
        nanoClock = null == nanoClock ? SystemNanoClock.INSTANCE : nanoClock;
        epochClock = null == epochClock ? SystemEpochClock.INSTANCE : epochClock;
        status = null == status ? new FeedStatus() : status;
        return this;
    }

    /**
     * The ZMQ context the sockets are made in, owned by the caller.
     *
     * @param zmqContext the context.
     * @return this.
     */
    public ZmqEngineFeedContext zmqContext(final ZContext zmqContext)
    {
        this.zmqContext = zmqContext;
        return this;
    }

    ZContext zmqContext()
    {
        return zmqContext;
    }

    /**
     * The engine's PUB endpoint, and whether to bind it (engines that connect) rather than connect to it.
     *
     * @param endpoint e.g. {@code tcp://10.0.0.5:5557}.
     * @param bind     true to bind.
     * @return this.
     */
    public ZmqEngineFeedContext endpoint(final String endpoint, final boolean bind)
    {
        this.endpoint = endpoint;
        this.bind = bind;
        return this;
    }

    String endpoint()
    {
        return endpoint;
    }

    boolean bind()
    {
        return bind;
    }

    /**
     * Topic prefix to subscribe to; empty by default.
     *
     * @param topic the prefix.
     * @return this.
     */
    public ZmqEngineFeedContext topic(final String topic)
    {
        this.topic = topic;
        return this;
    }

    String topic()
    {
        return topic;
    }

    /**
     * The owner the stream belongs to; a rank in a batch overrides the registered rank.
     *
     * @param workerId the worker id.
     * @param dpRank   the registered dp rank.
     * @return this.
     */
    public ZmqEngineFeedContext owner(final long workerId, final int dpRank)
    {
        this.workerId = workerId;
        this.dpRank = dpRank;
        return this;
    }

    long workerId()
    {
        return workerId;
    }

    int dpRank()
    {
        return dpRank;
    }

    /**
     * The engine's replay ROUTER endpoint; null (the default) when it has none.
     *
     * @param replayEndpoint e.g. {@code tcp://10.0.0.5:5558}.
     * @return this.
     */
    public ZmqEngineFeedContext replayEndpoint(final String replayEndpoint)
    {
        this.replayEndpoint = replayEndpoint;
        return this;
    }

    String replayEndpoint()
    {
        return replayEndpoint;
    }

    /**
     * The feed's decoder; a default one when unset.
     *
     * @param decoder the decoder.
     * @return this.
     */
    public ZmqEngineFeedContext decoder(final KvEventBatchDecoder decoder)
    {
        this.decoder = decoder;
        return this;
    }

    KvEventBatchDecoder decoder()
    {
        return decoder;
    }

    /**
     * Apply batches on the spot, from the thread that calls {@link ZmqEngineFeed#doWork()} (direct mode).
     *
     * @param applier the applier of the index.
     * @return this.
     */
    public ZmqEngineFeedContext applier(final EngineEventApplier applier)
    {
        this.applier = applier;
        return this;
    }

    EngineEventApplier applier()
    {
        return applier;
    }

    /**
     * Decode batches into slots of a pipeline, whose writer applies them (pipeline mode).
     *
     * @param pipeline the pipeline.
     * @param indexKey key of the index in the pipeline.
     * @return this.
     */
    public ZmqEngineFeedContext pipeline(final IngestPipeline pipeline, final int indexKey)
    {
        this.pipeline = pipeline;
        this.indexKey = indexKey;
        return this;
    }

    IngestPipeline pipeline()
    {
        return pipeline;
    }

    int indexKey()
    {
        return indexKey;
    }

    /**
     * Where the index's state of this stream stands: {@link #START_FRESH} (nothing known: a first batch above 0 is a
     * late join, replayed from 0) or the seq the state already includes (the next batch expected is one more).
     *
     * @param startSeq the seq, or {@link #START_FRESH}.
     * @return this.
     */
    public ZmqEngineFeedContext startSeq(final long startSeq)
    {
        this.startSeq = startSeq;
        return this;
    }

    long startSeq()
    {
        return startSeq;
    }

    /**
     * Ask for a replay as soon as the feed starts (from 0, or from the start seq + 1), rather than waiting for a
     * live batch to show a late join: right when the engine is known to run already, e.g. after a server restart.
     *
     * @param replayOnStart true to replay at once when a replay endpoint is known.
     * @return this.
     */
    public ZmqEngineFeedContext replayOnStart(final boolean replayOnStart)
    {
        this.replayOnStart = replayOnStart;
        return this;
    }

    boolean replayOnStart()
    {
        return replayOnStart;
    }

    /**
     * Bounds of the batches held while a replay runs or the ring is full.
     *
     * @param batches most batches.
     * @param bytes   most payload bytes.
     * @return this.
     */
    public ZmqEngineFeedContext holdLimits(final int batches, final int bytes)
    {
        this.holdLimit = batches;
        this.holdBytes = bytes;
        return this;
    }

    int holdLimit()
    {
        return holdLimit;
    }

    int holdBytes()
    {
        return holdBytes;
    }

    /**
     * A replay with no answer for this long has failed.
     *
     * @param timeoutNs the timeout.
     * @return this.
     */
    public ZmqEngineFeedContext replayTimeoutNs(final long timeoutNs)
    {
        this.replayTimeoutNs = timeoutNs;
        return this;
    }

    long replayTimeoutNs()
    {
        return replayTimeoutNs;
    }

    /**
     * A seq at or below the last one after this much silence is an engine restart, not a stale batch.
     *
     * @param quietNs the quiet period.
     * @return this.
     */
    public ZmqEngineFeedContext restartQuietNs(final long quietNs)
    {
        this.restartQuietNs = quietNs;
        return this;
    }

    long restartQuietNs()
    {
        return restartQuietNs;
    }

    /**
     * A stream silent for this long is flagged idle in its {@link FeedStatus}.
     *
     * @param idleNs the idle time.
     * @return this.
     */
    public ZmqEngineFeedContext idleNs(final long idleNs)
    {
        this.idleNs = idleNs;
        return this;
    }

    long idleNs()
    {
        return idleNs;
    }

    /**
     * A stream that has sent nothing since its socket opened is resubscribed (socket opened anew) after this long,
     * the time doubling up to the idle time.
     *
     * @param resubscribeNs the first wait.
     * @return this.
     */
    public ZmqEngineFeedContext resubscribeNs(final long resubscribeNs)
    {
        this.resubscribeNs = resubscribeNs;
        return this;
    }

    long resubscribeNs()
    {
        return resubscribeNs;
    }

    /**
     * Most messages taken from each socket per duty cycle.
     *
     * @param drainLimit the limit.
     * @return this.
     */
    public ZmqEngineFeedContext drainLimit(final int drainLimit)
    {
        this.drainLimit = drainLimit;
        return this;
    }

    int drainLimit()
    {
        return drainLimit;
    }

    int maxPayload()
    {
        return maxPayload;
    }

    /**
     * Clocks: monotonic time for timeouts, wall time for the last batch time.
     *
     * @param nanoClock  the monotonic clock.
     * @param epochClock the wall clock.
     * @return this.
     */
    public ZmqEngineFeedContext clocks(final NanoClock nanoClock, final EpochClock epochClock)
    {
        this.nanoClock = nanoClock;
        this.epochClock = epochClock;
        return this;
    }

    NanoClock nanoClock()
    {
        return nanoClock;
    }

    EpochClock epochClock()
    {
        return epochClock;
    }

    /**
     * Where the feed reports its state (a registry's listener); a private one when unset.
     *
     * @param status the status holder.
     * @return this.
     */
    public ZmqEngineFeedContext status(final FeedStatus status)
    {
        this.status = status;
        return this;
    }

    /**
     * Where the feed reports its state.
     *
     * @return the status holder.
     */
    public FeedStatus status()
    {
        return status;
    }

    private static long ms(final String property, final long defaultMs)
    {
        return TimeUnit.MILLISECONDS.toNanos(Long.getLong(property, defaultMs));
    }
}
