package io.kvindex.client;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import org.agrona.CloseHelper;
import org.agrona.SystemUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link KvEventPublisher}: the event channel and stream, the index the events are for (model, tenant,
 * block size) and the back-pressure policy. Every setting has a system property or a default and a fluent setter;
 * {@link #conclude()} validates them once.
 */
public final class KvEventPublisherContext
{
    /** Property: channel events are published on. */
    public static final String CHANNEL_PROP_NAME = "kvindex.events.channel";
    /** Property: stream id events are published on. */
    public static final String STREAM_ID_PROP_NAME = "kvindex.events.stream.id";
    /** Property: how long a back-pressured event is retried before the publish call gives up (0: try once). */
    public static final String OFFER_TIMEOUT_PROP_NAME = "kvindex.events.offer.timeout";

    /** Default offer timeout. */
    public static final long OFFER_TIMEOUT_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private String channel = System.getProperty(CHANNEL_PROP_NAME, KvEventProtocol.DEFAULT_CHANNEL);
    private int streamId = Integer.getInteger(STREAM_ID_PROP_NAME, KvEventProtocol.DEFAULT_STREAM_ID);
    private long offerTimeoutNs = SystemUtil.getDurationInNanos(OFFER_TIMEOUT_PROP_NAME, OFFER_TIMEOUT_DEFAULT_NS);
    private String model;
    private String tenant = "";
    private int blockSize;
    private long initialEventId;
    private String aeronDirectoryName = CommonContext.getAeronDirectoryName();
    private Aeron aeron;
    private boolean ownsAeron;
    private IdleStrategy idleStrategy;
    private NanoClock nanoClock;
    private boolean concluded;

    /**
     * Validate the settings and fill defaults; connects to Aeron unless one was given. Runs once.
     *
     * @return this.
     */
    public KvEventPublisherContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("context already concluded");
        }
        concluded = true;
        if (null == model || model.isEmpty())
        {
            throw new IllegalArgumentException("a model is required");
        }
        if (blockSize < 1)
        {
            throw new IllegalArgumentException("blockSize must be >= 1: " + blockSize);
        }
        if (offerTimeoutNs < 0 || initialEventId < 0)
        {
            throw new IllegalArgumentException("offerTimeoutNs and initialEventId must be >= 0");
        }
        if (null == idleStrategy)
        {
            idleStrategy = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
        }
        if (null == nanoClock)
        {
            nanoClock = SystemNanoClock.INSTANCE;
        }
        if (null == aeron)
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDirectoryName));
            ownsAeron = true;
        }
        return this;
    }

    /**
     * Channel events are published on: {@code aeron:ipc} (default), a UDP unicast or multicast channel.
     *
     * @param channel the channel.
     * @return this.
     */
    public KvEventPublisherContext channel(final String channel)
    {
        this.channel = channel;
        return this;
    }

    /**
     * Channel events are published on.
     *
     * @return the channel.
     */
    public String channel()
    {
        return channel;
    }

    /**
     * Stream id events are published on.
     *
     * @param streamId the stream id.
     * @return this.
     */
    public KvEventPublisherContext streamId(final int streamId)
    {
        this.streamId = streamId;
        return this;
    }

    /**
     * Stream id events are published on.
     *
     * @return the stream id.
     */
    public int streamId()
    {
        return streamId;
    }

    /**
     * How long a publish call retries an event the publication is back-pressured on; 0 tries once.
     *
     * @param timeoutNs the timeout.
     * @return this.
     */
    public KvEventPublisherContext offerTimeoutNs(final long timeoutNs)
    {
        this.offerTimeoutNs = timeoutNs;
        return this;
    }

    /**
     * How long a publish call retries a back-pressured event.
     *
     * @return the timeout.
     */
    public long offerTimeoutNs()
    {
        return offerTimeoutNs;
    }

    /**
     * Model of the index the events are for (required).
     *
     * @param model the model name.
     * @return this.
     */
    public KvEventPublisherContext model(final String model)
    {
        this.model = model;
        return this;
    }

    /**
     * Model of the index the events are for.
     *
     * @return the model name.
     */
    public String model()
    {
        return model;
    }

    /**
     * Tenant of the index the events are for; null or empty is the default tenant.
     *
     * @param tenant the tenant.
     * @return this.
     */
    public KvEventPublisherContext tenant(final String tenant)
    {
        this.tenant = null == tenant ? "" : tenant;
        return this;
    }

    /**
     * Tenant of the index the events are for, empty for the default one.
     *
     * @return the tenant.
     */
    public String tenant()
    {
        return tenant;
    }

    /**
     * Tokens per block the engine uses (required): stated in every Stored event, so that an indexer refuses events
     * hashed with another block size, and used to check token counts.
     *
     * @param blockSize tokens per block.
     * @return this.
     */
    public KvEventPublisherContext blockSize(final int blockSize)
    {
        this.blockSize = blockSize;
        return this;
    }

    /**
     * Tokens per block.
     *
     * @return the block size.
     */
    public int blockSize()
    {
        return blockSize;
    }

    /**
     * Event id of the first event published; each published event takes the next one.
     *
     * @param eventId the first id, at least 0.
     * @return this.
     */
    public KvEventPublisherContext initialEventId(final long eventId)
    {
        this.initialEventId = eventId;
        return this;
    }

    /**
     * Event id of the first event published.
     *
     * @return the id.
     */
    public long initialEventId()
    {
        return initialEventId;
    }

    /**
     * Aeron directory of the media driver to use when no {@link Aeron} is given.
     *
     * @param dir the directory.
     * @return this.
     */
    public KvEventPublisherContext aeronDirectoryName(final String dir)
    {
        this.aeronDirectoryName = dir;
        return this;
    }

    /**
     * Aeron directory of the media driver.
     *
     * @return the directory.
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * An Aeron client to share; the caller keeps ownership.
     *
     * @param aeron the client.
     * @return this.
     */
    public KvEventPublisherContext aeron(final Aeron aeron)
    {
        this.aeron = aeron;
        this.ownsAeron = false;
        return this;
    }

    /**
     * The Aeron client in use.
     *
     * @return the client.
     */
    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * How a publish call waits between retries of a back-pressured event.
     *
     * @param idleStrategy the strategy.
     * @return this.
     */
    public KvEventPublisherContext idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /**
     * How a publish call waits between retries.
     *
     * @return the strategy.
     */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * Clock for the offer timeout.
     *
     * @param clock the clock.
     * @return this.
     */
    public KvEventPublisherContext nanoClock(final NanoClock clock)
    {
        this.nanoClock = clock;
        return this;
    }

    /**
     * Clock for the offer timeout.
     *
     * @return the clock.
     */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    void close()
    {
        if (ownsAeron)
        {
            CloseHelper.close(aeron);
        }
    }
}
