package io.kvindex.router.api;

import io.aeron.Aeron;
import io.kvindex.router.RouterContext;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link RouterService}: where requests arrive over Aeron, the hand-over queue of in-process callers
 * (the HTTP API) and the {@link RouterContext} of the router the service owns. Several services may share one
 * {@link Aeron} client as long as their request channels or stream ids differ. {@link #conclude()} runs once.
 */
public final class RouterServiceContext
{
    /** Aeron channel requests arrive on. */
    public static final String REQUEST_CHANNEL_PROP_NAME = "kvindex.router.service.request.channel";
    /** Aeron stream id requests arrive on. */
    public static final String REQUEST_STREAM_ID_PROP_NAME = "kvindex.router.service.request.stream.id";
    /** Calls from other threads that may wait for the router thread at once; more are refused (overload). */
    public static final String COMMAND_QUEUE_CAPACITY_PROP_NAME = "kvindex.router.service.command.queue.capacity";
    /** Default of {@link #COMMAND_QUEUE_CAPACITY_PROP_NAME}. */
    public static final int COMMAND_QUEUE_CAPACITY_DEFAULT = 4096;
    /** Fragments read per duty cycle. */
    public static final int FRAGMENT_LIMIT_DEFAULT = 32;
    /** Time a new session's response publication has to connect before the session is dropped. */
    public static final long SESSION_CONNECT_TIMEOUT_NS_DEFAULT = TimeUnit.SECONDS.toNanos(5);

    private String requestChannel =
        System.getProperty(REQUEST_CHANNEL_PROP_NAME, RouterProtocol.DEFAULT_REQUEST_CHANNEL);
    private int requestStreamId =
        Integer.getInteger(REQUEST_STREAM_ID_PROP_NAME, RouterProtocol.DEFAULT_REQUEST_STREAM_ID);
    private int commandQueueCapacity =
        Integer.getInteger(COMMAND_QUEUE_CAPACITY_PROP_NAME, COMMAND_QUEUE_CAPACITY_DEFAULT);
    private int fragmentLimit = FRAGMENT_LIMIT_DEFAULT;
    private long sessionConnectTimeoutNs = SESSION_CONNECT_TIMEOUT_NS_DEFAULT;
    private RouterContext routerContext;
    private Aeron aeron;
    private String aeronDirectoryName;
    private boolean ownsAeron;
    private IdleStrategy idleStrategy;
    private boolean concluded;

    /**
     * Validate and fill defaults: a new {@link RouterContext} from system properties, an Aeron client of
     * {@link #aeronDirectoryName()} when none is given (closed with the service), a backoff idle strategy.
     *
     * @return this.
     */
    public RouterServiceContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("context already concluded");
        }
        concluded = true;
        if (commandQueueCapacity < 1 || fragmentLimit < 1)
        {
            throw new IllegalArgumentException("commandQueueCapacity and fragmentLimit must be >= 1");
        }
        if (null == routerContext)
        {
            routerContext = new RouterContext();
        }
        if (null == idleStrategy)
        {
            idleStrategy = new BackoffIdleStrategy(1, 10, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MICROSECONDS.toNanos(200));
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
     * Aeron channel requests arrive on.
     *
     * @param requestChannel the channel.
     * @return this.
     */
    public RouterServiceContext requestChannel(final String requestChannel)
    {
        this.requestChannel = requestChannel;
        return this;
    }

    /**
     * Aeron channel requests arrive on.
     *
     * @return the channel.
     */
    public String requestChannel()
    {
        return requestChannel;
    }

    /**
     * Aeron stream id requests arrive on.
     *
     * @param requestStreamId the stream id.
     * @return this.
     */
    public RouterServiceContext requestStreamId(final int requestStreamId)
    {
        this.requestStreamId = requestStreamId;
        return this;
    }

    /**
     * Aeron stream id requests arrive on.
     *
     * @return the stream id.
     */
    public int requestStreamId()
    {
        return requestStreamId;
    }

    /**
     * Calls from other threads that may wait at once.
     *
     * @param commandQueueCapacity the capacity.
     * @return this.
     */
    public RouterServiceContext commandQueueCapacity(final int commandQueueCapacity)
    {
        this.commandQueueCapacity = commandQueueCapacity;
        return this;
    }

    /**
     * Calls from other threads that may wait at once.
     *
     * @return the capacity.
     */
    public int commandQueueCapacity()
    {
        return commandQueueCapacity;
    }

    /**
     * Fragments read per duty cycle.
     *
     * @param fragmentLimit the limit.
     * @return this.
     */
    public RouterServiceContext fragmentLimit(final int fragmentLimit)
    {
        this.fragmentLimit = fragmentLimit;
        return this;
    }

    /**
     * Fragments read per duty cycle.
     *
     * @return the limit.
     */
    public int fragmentLimit()
    {
        return fragmentLimit;
    }

    /**
     * Time a new session's response publication has to connect.
     *
     * @param sessionConnectTimeoutNs the time in nanoseconds.
     * @return this.
     */
    public RouterServiceContext sessionConnectTimeoutNs(final long sessionConnectTimeoutNs)
    {
        this.sessionConnectTimeoutNs = sessionConnectTimeoutNs;
        return this;
    }

    /**
     * Time a new session's response publication has to connect.
     *
     * @return the time in nanoseconds.
     */
    public long sessionConnectTimeoutNs()
    {
        return sessionConnectTimeoutNs;
    }

    /**
     * Settings of the router the service owns; its routing listener is chained after the service's.
     *
     * @param routerContext the router's context, not yet concluded.
     * @return this.
     */
    public RouterServiceContext routerContext(final RouterContext routerContext)
    {
        this.routerContext = routerContext;
        return this;
    }

    /**
     * Settings of the router the service owns.
     *
     * @return the router's context.
     */
    public RouterContext routerContext()
    {
        return routerContext;
    }

    /**
     * Aeron client to use, owned by the caller.
     *
     * @param aeron the client.
     * @return this.
     */
    public RouterServiceContext aeron(final Aeron aeron)
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
    public RouterServiceContext aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    /**
     * Media driver directory of the Aeron client created when none is given.
     *
     * @return the directory, or null for Aeron's default.
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * Idle strategy of the router thread.
     *
     * @param idleStrategy the strategy.
     * @return this.
     */
    public RouterServiceContext idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /**
     * Idle strategy of the router thread.
     *
     * @return the strategy.
     */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }
}
