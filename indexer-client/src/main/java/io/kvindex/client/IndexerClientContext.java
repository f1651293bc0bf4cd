package io.kvindex.client;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import org.agrona.CloseHelper;
import org.agrona.SystemUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Configuration of an {@link IndexerClient}: where the indexers listen, where they answer, timeouts and limits. Every
 * setting has a system property, a default and a fluent setter; {@link #conclude()} validates them once. Kept apart
 * from {@link IndexerClient} so that neither file grows past a screenful of concerns.
 */
public final class IndexerClientContext
{
    /** Endpoints, comma separated, each {@code channel} or {@code streamId@channel}. */
    public static final String ENDPOINTS_PROP_NAME = "kvindex.client.endpoints";
    /** Default request stream id of endpoints given without one. */
    public static final String REQUEST_STREAM_ID_PROP_NAME = "kvindex.client.request.stream.id";
    /** Channel the servers answer on; a UDP endpoint with port 0 takes an ephemeral port. */
    public static final String RESPONSE_CHANNEL_PROP_NAME = "kvindex.client.response.channel";
    /** Stream id the servers answer on. */
    public static final String RESPONSE_STREAM_ID_PROP_NAME = "kvindex.client.response.stream.id";
    /** Time an attempt waits for its answer before the client fails over, e.g. {@code 250ms}. */
    public static final String TIMEOUT_PROP_NAME = "kvindex.client.timeout";
    /** Time to open a session with an endpoint before trying the next. */
    public static final String CONNECT_TIMEOUT_PROP_NAME = "kvindex.client.connect.timeout";
    /** Attempts per query before it completes with TIMEOUT; 0 means one per endpoint. */
    public static final String MAX_ATTEMPTS_PROP_NAME = "kvindex.client.max.attempts";
    /** Queries in flight at most. */
    public static final String MAX_IN_FLIGHT_PROP_NAME = "kvindex.client.max.in.flight";
    /** Block size for client-side hashing of token ids; 0 when every call gives it. */
    public static final String BLOCK_SIZE_PROP_NAME = "kvindex.client.block.size";

    /** Default per-attempt timeout. */
    public static final long TIMEOUT_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(250);
    /** Default connect timeout. */
    public static final long CONNECT_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(2);
    /** Default in-flight limit. */
    public static final int MAX_IN_FLIGHT_DEFAULT = 256;
    /** Fragments read per poll. */
    public static final int FRAGMENT_LIMIT_DEFAULT = 32;

    private final List<Endpoint> endpoints = new ArrayList<>();
    private String endpointsSpec = System.getProperty(ENDPOINTS_PROP_NAME);
    private int requestStreamId =
        Integer.getInteger(REQUEST_STREAM_ID_PROP_NAME, QueryProtocol.DEFAULT_REQUEST_STREAM_ID);
    private String responseChannel =
        System.getProperty(RESPONSE_CHANNEL_PROP_NAME, QueryProtocol.DEFAULT_RESPONSE_CHANNEL);
    private int responseStreamId =
        Integer.getInteger(RESPONSE_STREAM_ID_PROP_NAME, QueryProtocol.DEFAULT_RESPONSE_STREAM_ID);
    private long timeoutNs = SystemUtil.getDurationInNanos(TIMEOUT_PROP_NAME, TIMEOUT_DEFAULT_NS);
    private long connectTimeoutNs =
        SystemUtil.getDurationInNanos(CONNECT_TIMEOUT_PROP_NAME, CONNECT_TIMEOUT_DEFAULT_NS);
    private int maxAttempts = Integer.getInteger(MAX_ATTEMPTS_PROP_NAME, 0);
    private int maxInFlight = Integer.getInteger(MAX_IN_FLIGHT_PROP_NAME, MAX_IN_FLIGHT_DEFAULT);
    private int blockSize = Integer.getInteger(BLOCK_SIZE_PROP_NAME, 0);
    private int fragmentLimit = FRAGMENT_LIMIT_DEFAULT;
    private String aeronDirectoryName = CommonContext.getAeronDirectoryName();
    private Aeron aeron;
    private boolean ownsAeron;
    private IdleStrategy idleStrategy;
    private NanoClock nanoClock;
    private OverlapListener listener;
    private boolean concluded;

    /**
     * An endpoint: the request channel and stream id one indexer replica listens on.
     *
     * @param channel  the Aeron channel.
     * @param streamId the stream id.
     */
    public record Endpoint(String channel, int streamId)
    {
    }

    /**
     * Validate the settings and fill defaults; connects to Aeron unless one was given. Runs once.
     *
     * @return this.
     */
    public IndexerClientContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("context already concluded");
        }
        concluded = true;
        if (endpoints.isEmpty())
        {
            endpoints(null == endpointsSpec ? QueryProtocol.DEFAULT_REQUEST_CHANNEL : endpointsSpec);
        }
        requirePositive("timeoutNs", timeoutNs);
        requirePositive("connectTimeoutNs", connectTimeoutNs);
        requirePositive("maxInFlight", maxInFlight);
        requirePositive("fragmentLimit", fragmentLimit);
        if (maxAttempts <= 0)
        {
            maxAttempts = endpoints.size();
        }
        if (null == idleStrategy)
        {
            idleStrategy = new BackoffIdleStrategy(10, 10, 1_000, 100_000);
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
     * Add one endpoint.
     *
     * @param channel  request channel of an indexer replica.
     * @param streamId its request stream id.
     * @return this.
     */
    public IndexerClientContext addEndpoint(final String channel, final int streamId)
    {
        endpoints.add(new Endpoint(channel, streamId));
        return this;
    }

    /**
     * Add endpoints from a list: comma separated, each {@code channel} or {@code streamId@channel}.
     *
     * @param spec the list.
     * @return this.
     */
    public IndexerClientContext endpoints(final String spec)
    {
        for (final String entry : spec.split(","))
        {
            final String trimmed = entry.trim();
            if (!trimmed.isEmpty())
            {
                final int at = trimmed.indexOf('@');
                if (at < 0)
                {
                    addEndpoint(trimmed, requestStreamId);
                }
                else
                {
                    addEndpoint(trimmed.substring(at + 1), Integer.parseInt(trimmed.substring(0, at)));
                }
            }
        }
        return this;
    }

    /**
     * The endpoints in failover order.
     *
     * @return the endpoints.
     */
    public List<Endpoint> endpoints()
    {
        return endpoints;
    }

    /**
     * Request stream id of endpoints added without one.
     *
     * @param streamId the stream id.
     * @return this.
     */
    public IndexerClientContext requestStreamId(final int streamId)
    {
        this.requestStreamId = streamId;
        return this;
    }

    /**
     * Request stream id of endpoints added without one.
     *
     * @return the stream id.
     */
    public int requestStreamId()
    {
        return requestStreamId;
    }

    /**
     * Channel the servers answer on.
     *
     * @param channel e.g. {@code aeron:ipc} or {@code aeron:udp?endpoint=10.0.0.5:0}.
     * @return this.
     */
    public IndexerClientContext responseChannel(final String channel)
    {
        this.responseChannel = channel;
        return this;
    }

    /**
     * Channel the servers answer on.
     *
     * @return the channel.
     */
    public String responseChannel()
    {
        return responseChannel;
    }

    /**
     * Stream id the servers answer on.
     *
     * @param streamId the stream id.
     * @return this.
     */
    public IndexerClientContext responseStreamId(final int streamId)
    {
        this.responseStreamId = streamId;
        return this;
    }

    /**
     * Stream id the servers answer on.
     *
     * @return the stream id.
     */
    public int responseStreamId()
    {
        return responseStreamId;
    }

    /**
     * Time an attempt waits for its answer.
     *
     * @param timeoutNs the timeout.
     * @return this.
     */
    public IndexerClientContext timeoutNs(final long timeoutNs)
    {
        this.timeoutNs = timeoutNs;
        return this;
    }

    /**
     * Time an attempt waits for its answer.
     *
     * @return the timeout.
     */
    public long timeoutNs()
    {
        return timeoutNs;
    }

    /**
     * Time to open a session with an endpoint before trying the next.
     *
     * @param timeoutNs the timeout.
     * @return this.
     */
    public IndexerClientContext connectTimeoutNs(final long timeoutNs)
    {
        this.connectTimeoutNs = timeoutNs;
        return this;
    }

    /**
     * Time to open a session with an endpoint before trying the next.
     *
     * @return the timeout.
     */
    public long connectTimeoutNs()
    {
        return connectTimeoutNs;
    }

    /**
     * Attempts per query before it completes with TIMEOUT; 0 means one per endpoint.
     *
     * @param maxAttempts the attempts.
     * @return this.
     */
    public IndexerClientContext maxAttempts(final int maxAttempts)
    {
        this.maxAttempts = maxAttempts;
        return this;
    }

    /**
     * Attempts per query before it completes with TIMEOUT.
     *
     * @return the attempts.
     */
    public int maxAttempts()
    {
        return maxAttempts;
    }

    /**
     * Queries in flight at most.
     *
     * @param maxInFlight the limit.
     * @return this.
     */
    public IndexerClientContext maxInFlight(final int maxInFlight)
    {
        this.maxInFlight = maxInFlight;
        return this;
    }

    /**
     * Queries in flight at most.
     *
     * @return the limit.
     */
    public int maxInFlight()
    {
        return maxInFlight;
    }

    /**
     * Block size for client-side hashing of token ids.
     *
     * @param blockSize tokens per block.
     * @return this.
     */
    public IndexerClientContext blockSize(final int blockSize)
    {
        this.blockSize = blockSize;
        return this;
    }

    /**
     * Block size for client-side hashing of token ids, 0 when not set.
     *
     * @return tokens per block.
     */
    public int blockSize()
    {
        return blockSize;
    }

    /**
     * Fragments read per poll.
     *
     * @param fragmentLimit the limit.
     * @return this.
     */
    public IndexerClientContext fragmentLimit(final int fragmentLimit)
    {
        this.fragmentLimit = fragmentLimit;
        return this;
    }

    /**
     * Fragments read per poll.
     *
     * @return the limit.
     */
    public int fragmentLimit()
    {
        return fragmentLimit;
    }

    /**
     * Aeron directory of the media driver to use when no {@link Aeron} is given.
     *
     * @param dir the directory.
     * @return this.
     */
    public IndexerClientContext aeronDirectoryName(final String dir)
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
    public IndexerClientContext aeron(final Aeron aeron)
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
     * How blocking calls wait between polls.
     *
     * @param idleStrategy the strategy.
     * @return this.
     */
    public IndexerClientContext idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /**
     * How blocking calls wait between polls.
     *
     * @return the strategy.
     */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * Clock for deadlines.
     *
     * @param clock the clock.
     * @return this.
     */
    public IndexerClientContext nanoClock(final NanoClock clock)
    {
        this.nanoClock = clock;
        return this;
    }

    /**
     * Clock for deadlines.
     *
     * @return the clock.
     */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * Told of every completed query, from the polling thread.
     *
     * @param listener the listener, or null.
     * @return this.
     */
    public IndexerClientContext listener(final OverlapListener listener)
    {
        this.listener = listener;
        return this;
    }

    /**
     * Told of every completed query.
     *
     * @return the listener, or null.
     */
    public OverlapListener listener()
    {
        return listener;
    }

    void close()
    {
        if (ownsAeron)
        {
            CloseHelper.close(aeron);
        }
    }

    private static void requirePositive(final String name, final long value)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be > 0: " + value);
        }
    }
}
