package io.kvindex.router.api;

import io.aeron.Aeron;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link RouterClient}: the router's request channel and stream id, where answers come back, and how
 * long a call waits. {@link #conclude()} runs once.
 */
public final class RouterClientContext
{
    /** Default of {@link #timeoutNs()}: how long a call waits for its answer. */
    public static final long TIMEOUT_NS_DEFAULT = TimeUnit.SECONDS.toNanos(5);
    /** Default of {@link #responseStreamId()}. */
    public static final int RESPONSE_STREAM_ID_DEFAULT = 1102;

    private String requestChannel = RouterProtocol.DEFAULT_REQUEST_CHANNEL;
    private int requestStreamId = RouterProtocol.DEFAULT_REQUEST_STREAM_ID;
    private String responseChannel = RouterProtocol.DEFAULT_REQUEST_CHANNEL;
    private int responseStreamId = RESPONSE_STREAM_ID_DEFAULT;
    private long timeoutNs = TIMEOUT_NS_DEFAULT;
    private Aeron aeron;
    private String aeronDirectoryName;
    private boolean ownsAeron;
    private IdleStrategy idleStrategy;
    private boolean concluded;

    /**
     * Validate and fill defaults: an Aeron client of {@link #aeronDirectoryName} when none is given (closed with the
     * client), a backoff idle strategy.
     *
     * @return this.
     */
    public RouterClientContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("context already concluded");
        }
        concluded = true;
        if (timeoutNs <= 0)
        {
            throw new IllegalArgumentException("timeoutNs must be > 0: " + timeoutNs);
        }
        if (null == idleStrategy)
        {
            idleStrategy = new BackoffIdleStrategy(1, 10, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MICROSECONDS.toNanos(100));
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
     * Close what the context created: the Aeron client when it made one.
     */
    public void close()
    {
        if (ownsAeron)
        {
            CloseHelper.close(aeron);
        }
    }

    /**
     * The router's request channel.
     *
     * @param requestChannel the channel.
     * @return this.
     */
    public RouterClientContext requestChannel(final String requestChannel)
    {
        this.requestChannel = requestChannel;
        return this;
    }

    /**
     * The router's request channel.
     *
     * @return the channel.
     */
    public String requestChannel()
    {
        return requestChannel;
    }

    /**
     * The router's request stream id.
     *
     * @param requestStreamId the stream id.
     * @return this.
     */
    public RouterClientContext requestStreamId(final int requestStreamId)
    {
        this.requestStreamId = requestStreamId;
        return this;
    }

    /**
     * The router's request stream id.
     *
     * @return the stream id.
     */
    public int requestStreamId()
    {
        return requestStreamId;
    }

    /**
     * Channel answers come back on, e.g. {@code aeron:udp?endpoint=127.0.0.1:0} across hosts.
     *
     * @param responseChannel the channel.
     * @return this.
     */
    public RouterClientContext responseChannel(final String responseChannel)
    {
        this.responseChannel = responseChannel;
        return this;
    }

    /**
     * Channel answers come back on.
     *
     * @return the channel.
     */
    public String responseChannel()
    {
        return responseChannel;
    }

    /**
     * Stream id answers come back on; unique per client on a shared channel.
     *
     * @param responseStreamId the stream id.
     * @return this.
     */
    public RouterClientContext responseStreamId(final int responseStreamId)
    {
        this.responseStreamId = responseStreamId;
        return this;
    }

    /**
     * Stream id answers come back on.
     *
     * @return the stream id.
     */
    public int responseStreamId()
    {
        return responseStreamId;
    }

    /**
     * How long a call (and connecting) waits for its answer.
     *
     * @param timeoutNs the time in nanoseconds.
     * @return this.
     */
    public RouterClientContext timeoutNs(final long timeoutNs)
    {
        this.timeoutNs = timeoutNs;
        return this;
    }

    /**
     * How long a call (and connecting) waits for its answer.
     *
     * @return the time in nanoseconds.
     */
    public long timeoutNs()
    {
        return timeoutNs;
    }

    /**
     * Aeron client to use, owned by the caller.
     *
     * @param aeron the client.
     * @return this.
     */
    public RouterClientContext aeron(final Aeron aeron)
    {
        this.aeron = aeron;
        return this;
    }

    /**
     * Aeron client in use.
     *
     * @return the client.
     */
    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * Media driver directory of the Aeron client created when none is given.
     *
     * @param aeronDirectoryName the directory.
     * @return this.
     */
    public RouterClientContext aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    /**
     * Idle strategy while waiting for an answer.
     *
     * @param idleStrategy the strategy.
     * @return this.
     */
    public RouterClientContext idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /**
     * Idle strategy while waiting for an answer.
     *
     * @return the strategy.
     */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }
}
