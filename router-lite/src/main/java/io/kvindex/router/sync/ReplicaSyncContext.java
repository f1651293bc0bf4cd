package io.kvindex.router.sync;

import io.aeron.Aeron;
import org.agrona.SystemUtil;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Settings of {@link ReplicaSync}: the Aeron channel and stream the replicas share, this replica's router id and the
 * heartbeat, peer timeout and snapshot timings. Every replica publishes on {@link #channel()} and subscribes on
 * {@link #subscriptionChannel()} (the same by default): UDP multicast, or a unicast MDC publication channel with a
 * matching subscription channel, or IPC when all replicas share one media driver. {@link #conclude()} runs once.
 */
public final class ReplicaSyncContext
{
    /** Channel the replicas publish on. */
    public static final String CHANNEL_PROP_NAME = "kvindex.router.replica.sync.channel";
    /** Channel the replicas subscribe on; the publication channel when unset. */
    public static final String SUBSCRIPTION_CHANNEL_PROP_NAME = "kvindex.router.replica.sync.subscription.channel";
    /** Stream id of replica sync. */
    public static final String STREAM_ID_PROP_NAME = "kvindex.router.replica.sync.stream.id";
    /** This replica's router id, non-zero; random when unset. */
    public static final String ROUTER_ID_PROP_NAME = "kvindex.router.replica.sync.router.id";
    /** Interval between heartbeats, e.g. {@code 1s}. */
    public static final String HEARTBEAT_INTERVAL_PROP_NAME = "kvindex.router.replica.sync.heartbeat.interval";
    /** A replica not heard from for this long has vanished and its bookings expire, e.g. {@code 5s}. */
    public static final String PEER_TIMEOUT_PROP_NAME = "kvindex.router.replica.sync.peer.timeout";
    /** Longest a starting replica waits for its peers' snapshots before it serves, e.g. {@code 1s}. */
    public static final String SNAPSHOT_WAIT_PROP_NAME = "kvindex.router.replica.sync.snapshot.wait";
    /** Aeron directory of the media driver, when no Aeron client is given. */
    public static final String AERON_DIR_PROP_NAME = "kvindex.router.replica.sync.aeron.dir";

    /** Default of {@link #CHANNEL_PROP_NAME}: multicast on the administratively scoped range. */
    public static final String CHANNEL_DEFAULT = "aeron:udp?endpoint=239.255.90.1:40456|ttl=1";
    /** Default of {@link #STREAM_ID_PROP_NAME}. */
    public static final int STREAM_ID_DEFAULT = 1201;
    /** Default of {@link #HEARTBEAT_INTERVAL_PROP_NAME}. */
    public static final long HEARTBEAT_INTERVAL_DEFAULT_NS = TimeUnit.SECONDS.toNanos(1);
    /** Default of {@link #PEER_TIMEOUT_PROP_NAME}. */
    public static final long PEER_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(5);
    /** Default of {@link #SNAPSHOT_WAIT_PROP_NAME}. */
    public static final long SNAPSHOT_WAIT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(1);

    private String channel = System.getProperty(CHANNEL_PROP_NAME, CHANNEL_DEFAULT);
    private String subscriptionChannel = System.getProperty(SUBSCRIPTION_CHANNEL_PROP_NAME);
    private int streamId = Integer.getInteger(STREAM_ID_PROP_NAME, STREAM_ID_DEFAULT);
    private long routerId = Long.getLong(ROUTER_ID_PROP_NAME, 0L);
    private long heartbeatIntervalNs =
        SystemUtil.getDurationInNanos(HEARTBEAT_INTERVAL_PROP_NAME, HEARTBEAT_INTERVAL_DEFAULT_NS);
    private long peerTimeoutNs = SystemUtil.getDurationInNanos(PEER_TIMEOUT_PROP_NAME, PEER_TIMEOUT_DEFAULT_NS);
    private long snapshotWaitNs = SystemUtil.getDurationInNanos(SNAPSHOT_WAIT_PROP_NAME, SNAPSHOT_WAIT_DEFAULT_NS);
    private String aeronDirectoryName = System.getProperty(AERON_DIR_PROP_NAME);
    private Aeron aeron;
    private boolean ownsAeron;
    private boolean concluded;

    /**
     * Validate and fill defaults: a random router id, the publication channel for subscribing, an Aeron client of
     * its own (closed with the sync) when none is given. Runs once.
     *
     * @return this.
     */
    public ReplicaSyncContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("context already concluded");
        }
        concluded = true;
        if (null == channel || streamId == 0)
        {
            throw new IllegalArgumentException("channel and a non-zero streamId must be set");
        }
        if (heartbeatIntervalNs <= 0 || peerTimeoutNs <= heartbeatIntervalNs || snapshotWaitNs < 0)
        {
            throw new IllegalArgumentException("need heartbeatInterval > 0, peerTimeout > heartbeatInterval and " +
                "snapshotWait >= 0");
        }
        while (0 == routerId)
        {
            routerId = ThreadLocalRandom.current().nextLong();
        }
        if (null == subscriptionChannel)
        {
            subscriptionChannel = channel;
        }
        if (null == aeron)
        {
            final Aeron.Context aeronCtx = new Aeron.Context();
            if (null != aeronDirectoryName)
            {
                aeronCtx.aeronDirectoryName(aeronDirectoryName);
            }
            aeron = Aeron.connect(aeronCtx);
            ownsAeron = true;
        }
        return this;
    }

    /**
     * Channel the replicas publish on.
     *
     * @param channel an Aeron channel URI.
     * @return this.
     */
    public ReplicaSyncContext channel(final String channel)
    {
        this.channel = channel;
        return this;
    }

    /**
     * Channel the replicas publish on.
     *
     * @return the channel.
     */
    public String channel()
    {
        return channel;
    }

    /**
     * Channel the replicas subscribe on; the publication channel when null.
     *
     * @param subscriptionChannel an Aeron channel URI.
     * @return this.
     */
    public ReplicaSyncContext subscriptionChannel(final String subscriptionChannel)
    {
        this.subscriptionChannel = subscriptionChannel;
        return this;
    }

    /**
     * Channel the replicas subscribe on.
     *
     * @return the channel.
     */
    public String subscriptionChannel()
    {
        return subscriptionChannel;
    }

    /**
     * Stream id of replica sync.
     *
     * @param streamId the stream id.
     * @return this.
     */
    public ReplicaSyncContext streamId(final int streamId)
    {
        this.streamId = streamId;
        return this;
    }

    /**
     * Stream id of replica sync.
     *
     * @return the stream id.
     */
    public int streamId()
    {
        return streamId;
    }

    /**
     * This replica's router id, unique among the replicas; 0 picks a random one.
     *
     * @param routerId the id.
     * @return this.
     */
    public ReplicaSyncContext routerId(final long routerId)
    {
        this.routerId = routerId;
        return this;
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
     * Interval between heartbeats.
     *
     * @param heartbeatIntervalNs nanoseconds.
     * @return this.
     */
    public ReplicaSyncContext heartbeatIntervalNs(final long heartbeatIntervalNs)
    {
        this.heartbeatIntervalNs = heartbeatIntervalNs;
        return this;
    }

    /**
     * Interval between heartbeats.
     *
     * @return nanoseconds.
     */
    public long heartbeatIntervalNs()
    {
        return heartbeatIntervalNs;
    }

    /**
     * Silence after which a replica has vanished and its bookings expire.
     *
     * @param peerTimeoutNs nanoseconds.
     * @return this.
     */
    public ReplicaSyncContext peerTimeoutNs(final long peerTimeoutNs)
    {
        this.peerTimeoutNs = peerTimeoutNs;
        return this;
    }

    /**
     * Silence after which a replica has vanished and its bookings expire.
     *
     * @return nanoseconds.
     */
    public long peerTimeoutNs()
    {
        return peerTimeoutNs;
    }

    /**
     * Longest a starting replica waits for snapshots before it counts as synced.
     *
     * @param snapshotWaitNs nanoseconds.
     * @return this.
     */
    public ReplicaSyncContext snapshotWaitNs(final long snapshotWaitNs)
    {
        this.snapshotWaitNs = snapshotWaitNs;
        return this;
    }

    /**
     * Longest a starting replica waits for snapshots before it counts as synced.
     *
     * @return nanoseconds.
     */
    public long snapshotWaitNs()
    {
        return snapshotWaitNs;
    }

    /**
     * Aeron directory to connect to when no client is given.
     *
     * @param aeronDirectoryName the directory.
     * @return this.
     */
    public ReplicaSyncContext aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    /**
     * Aeron directory to connect to when no client is given.
     *
     * @return the directory or null for Aeron's default.
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * An Aeron client to use (the caller closes it).
     *
     * @param aeron the client.
     * @return this.
     */
    public ReplicaSyncContext aeron(final Aeron aeron)
    {
        this.aeron = aeron;
        return this;
    }

    /**
     * The Aeron client.
     *
     * @return the client.
     */
    public Aeron aeron()
    {
        return aeron;
    }

    boolean ownsAeron()
    {
        return ownsAeron;
    }
}
