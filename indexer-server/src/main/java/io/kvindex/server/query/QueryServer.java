package io.kvindex.server.query;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.kvindex.client.QueryProtocol;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.SystemUtil;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.TimeUnit;

/**
 * The query service: an embedded media driver (or an external one by configuration), an Aeron client, the request
 * subscription and a {@link QueryAgent} on its own thread. {@link #close()} stops the agent and releases everything
 * the server created.
 */
public final class QueryServer implements AutoCloseable
{
    private final Context ctx;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final boolean ownsAeron;
    private final AgentRunner runner;
    private final QueryCounters counters;

    private QueryServer(final Context ctx)
    {
        this.ctx = ctx;
        counters = null == ctx.countersManager() ? new QueryCounters() : new QueryCounters(ctx.countersManager());
        ownsAeron = null == ctx.aeron();
        MediaDriver driver = null;
        Aeron aeron = ctx.aeron();
        try
        {
            if (ownsAeron && ctx.embeddedDriver())
            {
                driver = MediaDriver.launch(ctx.driverContext());
            }
            if (ownsAeron)
            {
                aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(ctx.aeronDirectoryName()));
            }
            final Subscription subscription = aeron.addSubscription(ctx.requestChannel(), ctx.requestStreamId());
            final QueryAgent agent = new QueryAgent(ctx, aeron, subscription, counters);
            runner = new AgentRunner(ctx.idleStrategy(), ctx.errorHandler(), null, agent);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(ownsAeron ? aeron : null, driver);
            counters.close();
            throw ex;
        }
        this.driver = driver;
        this.aeron = aeron;
        AgentRunner.startOnThread(runner);
    }

    /**
     * Start a query server.
     *
     * @param ctx the configuration; concluded here.
     * @return the running server.
     */
    public static QueryServer launch(final Context ctx)
    {
        return new QueryServer(ctx.conclude());
    }

    /**
     * Counters of the query agent.
     *
     * @return the counters.
     */
    public QueryCounters counters()
    {
        return counters;
    }

    /**
     * The concluded configuration.
     *
     * @return the context.
     */
    public Context context()
    {
        return ctx;
    }

    /**
     * Stop the agent, then close the Aeron client and the embedded driver when this server created them.
     */
    @Override
    public void close()
    {
        try
        {
            CloseHelper.closeAll(runner, ownsAeron ? aeron : null, driver);
        }
        finally
        {
            counters.close();
        }
    }

    /**
     * Settings of a {@link QueryServer}: a property name, a default and a setter each.
     */
    public static final class Context
    {
        /** Whether to launch an embedded media driver. */
        public static final String EMBEDDED_DRIVER_PROP_NAME = "kvindex.query.embedded.driver";
        /** Channel requests arrive on: {@code aeron:ipc} or e.g. {@code aeron:udp?endpoint=127.0.0.1:40456}. */
        public static final String REQUEST_CHANNEL_PROP_NAME = "kvindex.query.request.channel";
        /** Stream id requests arrive on. */
        public static final String REQUEST_STREAM_ID_PROP_NAME = "kvindex.query.request.stream.id";
        /** Term length of the embedded driver's publications (IPC and UDP). */
        public static final String TERM_LENGTH_PROP_NAME = "kvindex.query.term.length";
        /** Owners an answer may hold (at most 65535, the width of the scores group count). */
        public static final String MAX_OWNERS_PROP_NAME = "kvindex.query.max.owners";
        /** Local hashes a request may carry. */
        public static final String MAX_QUERY_BLOCKS_PROP_NAME = "kvindex.query.max.blocks";
        /** Consecutive backlogged polls after which requests are shed with OVERLOAD; negative never sheds. */
        public static final String OVERLOAD_DUTY_CYCLES_PROP_NAME = "kvindex.query.overload.duty.cycles";
        /** Time a session's publication may stay disconnected before the session is dropped. */
        public static final String SESSION_TIMEOUT_PROP_NAME = "kvindex.query.session.timeout";

        /** Default term length: 1 MiB, so messages up to 128 KiB. */
        public static final int TERM_LENGTH_DEFAULT = 1024 * 1024;
        /** Default owners per answer. */
        public static final int MAX_OWNERS_DEFAULT = 4096;
        /** Default maximum of local hashes per request. */
        public static final int MAX_QUERY_BLOCKS_DEFAULT = 8192;
        /** Default overload threshold in duty cycles. */
        public static final int OVERLOAD_DUTY_CYCLES_DEFAULT = 64;
        /** Default session timeout. */
        public static final long SESSION_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(10);
        /** Most owners a response's scores group can count. */
        public static final int MAX_OWNERS_LIMIT = 65_535;

        private static final long DRIVER_MIN_PARK_NS = 1_000L;
        private static final long DRIVER_MAX_PARK_NS = 1_000_000L;

        private boolean embeddedDriver = Boolean.parseBoolean(System.getProperty(EMBEDDED_DRIVER_PROP_NAME, "true"));
        private String aeronDirectoryName = CommonContext.getAeronDirectoryName();
        private String requestChannel =
            System.getProperty(REQUEST_CHANNEL_PROP_NAME, QueryProtocol.DEFAULT_REQUEST_CHANNEL);
        private int requestStreamId =
            Integer.getInteger(REQUEST_STREAM_ID_PROP_NAME, QueryProtocol.DEFAULT_REQUEST_STREAM_ID);
        private int termLength = Integer.getInteger(TERM_LENGTH_PROP_NAME, TERM_LENGTH_DEFAULT);
        private int maxOwners = Integer.getInteger(MAX_OWNERS_PROP_NAME, MAX_OWNERS_DEFAULT);
        private int maxQueryBlocks = Integer.getInteger(MAX_QUERY_BLOCKS_PROP_NAME, MAX_QUERY_BLOCKS_DEFAULT);
        private int maxQueryTokens;
        private int overloadDutyCycles =
            Integer.getInteger(OVERLOAD_DUTY_CYCLES_PROP_NAME, OVERLOAD_DUTY_CYCLES_DEFAULT);
        private long sessionTimeoutNs =
            SystemUtil.getDurationInNanos(SESSION_TIMEOUT_PROP_NAME, SESSION_TIMEOUT_DEFAULT_NS);
        private long connectTimeoutNs = TimeUnit.SECONDS.toNanos(5);
        private long responseTimeoutNs = TimeUnit.SECONDS.toNanos(1);
        private int fragmentLimit = 64;
        private IndexRegistry registry;
        private CountersManager countersManager;
        private Aeron aeron;
        private IdleStrategy idleStrategy;
        private NanoClock nanoClock;
        private ErrorHandler errorHandler;
        private boolean concluded;

        /**
         * Validate and fill defaults. Runs once.
         *
         * @return this.
         */
        public Context conclude()
        {
            if (concluded)
            {
                throw new IllegalStateException("context already concluded");
            }
            concluded = true;
            if (null == registry)
            {
                throw new IllegalStateException("an IndexRegistry is required");
            }
            if (maxOwners < 1 || maxOwners > MAX_OWNERS_LIMIT)
            {
                throw new IllegalArgumentException("maxOwners must be in [1, " + MAX_OWNERS_LIMIT + "]: " + maxOwners);
            }
            if (maxQueryBlocks < 1 || fragmentLimit < 1)
            {
                throw new IllegalArgumentException("maxQueryBlocks and fragmentLimit must be >= 1");
            }
            if (maxQueryTokens <= 0)
            {
                maxQueryTokens = maxQueryBlocks * 16;
            }
            if (null == idleStrategy)
            {
                idleStrategy = new BackoffIdleStrategy(10, 10, DRIVER_MIN_PARK_NS, DRIVER_MAX_PARK_NS);
            }
            if (null == nanoClock)
            {
                nanoClock = SystemNanoClock.INSTANCE;
            }
            if (null == errorHandler)
            {
                errorHandler = Throwable::printStackTrace;
            }
            return this;
        }

        /**
         * The embedded driver's context: SHARED threading with a parking idle strategy, so that the driver never
         * spins on a small machine (DESIGN.md, Queries).
         *
         * @return a new media driver context.
         */
        public MediaDriver.Context driverContext()
        {
            return new MediaDriver.Context()
                .aeronDirectoryName(aeronDirectoryName)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy(1, 1, DRIVER_MIN_PARK_NS, DRIVER_MAX_PARK_NS))
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .termBufferSparseFile(true)
                .publicationTermBufferLength(termLength)
                .ipcTermBufferLength(termLength);
        }

        /**
         * Launch an embedded media driver (default) or use an external one in {@link #aeronDirectoryName()}.
         *
         * @param embeddedDriver true to embed.
         * @return this.
         */
        public Context embeddedDriver(final boolean embeddedDriver)
        {
            this.embeddedDriver = embeddedDriver;
            return this;
        }

        /**
         * Whether an embedded media driver is launched.
         *
         * @return true to embed.
         */
        public boolean embeddedDriver()
        {
            return embeddedDriver;
        }

        /**
         * Aeron directory of the media driver.
         *
         * @param dir the directory.
         * @return this.
         */
        public Context aeronDirectoryName(final String dir)
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
         * Channel requests arrive on.
         *
         * @param channel the channel.
         * @return this.
         */
        public Context requestChannel(final String channel)
        {
            this.requestChannel = channel;
            return this;
        }

        /**
         * Channel requests arrive on.
         *
         * @return the channel.
         */
        public String requestChannel()
        {
            return requestChannel;
        }

        /**
         * Stream id requests arrive on.
         *
         * @param streamId the stream id.
         * @return this.
         */
        public Context requestStreamId(final int streamId)
        {
            this.requestStreamId = streamId;
            return this;
        }

        /**
         * Stream id requests arrive on.
         *
         * @return the stream id.
         */
        public int requestStreamId()
        {
            return requestStreamId;
        }

        /**
         * Term length of the embedded driver's publications.
         *
         * @param termLength a power of two, at least 64 KiB.
         * @return this.
         */
        public Context termLength(final int termLength)
        {
            this.termLength = termLength;
            return this;
        }

        /**
         * Owners an answer may hold.
         *
         * @param maxOwners the limit.
         * @return this.
         */
        public Context maxOwners(final int maxOwners)
        {
            this.maxOwners = maxOwners;
            return this;
        }

        /**
         * Owners an answer may hold.
         *
         * @return the limit.
         */
        public int maxOwners()
        {
            return maxOwners;
        }

        /**
         * Local hashes a request may carry.
         *
         * @param maxQueryBlocks the limit.
         * @return this.
         */
        public Context maxQueryBlocks(final int maxQueryBlocks)
        {
            this.maxQueryBlocks = maxQueryBlocks;
            return this;
        }

        /**
         * Local hashes a request may carry.
         *
         * @return the limit.
         */
        public int maxQueryBlocks()
        {
            return maxQueryBlocks;
        }

        /**
         * Token ids a request may carry; 0 means 16 per allowed block.
         *
         * @param maxQueryTokens the limit.
         * @return this.
         */
        public Context maxQueryTokens(final int maxQueryTokens)
        {
            this.maxQueryTokens = maxQueryTokens;
            return this;
        }

        /**
         * Token ids a request may carry.
         *
         * @return the limit.
         */
        public int maxQueryTokens()
        {
            return maxQueryTokens;
        }

        /**
         * Consecutive backlogged polls after which requests are shed with OVERLOAD; negative never sheds.
         *
         * @param dutyCycles the threshold.
         * @return this.
         */
        public Context overloadDutyCycles(final int dutyCycles)
        {
            this.overloadDutyCycles = dutyCycles;
            return this;
        }

        /**
         * Overload threshold in duty cycles.
         *
         * @return the threshold.
         */
        public int overloadDutyCycles()
        {
            return overloadDutyCycles;
        }

        /**
         * Time a session's publication may stay disconnected.
         *
         * @param timeoutNs the timeout.
         * @return this.
         */
        public Context sessionTimeoutNs(final long timeoutNs)
        {
            this.sessionTimeoutNs = timeoutNs;
            return this;
        }

        /**
         * Time a session's publication may stay disconnected.
         *
         * @return the timeout.
         */
        public long sessionTimeoutNs()
        {
            return sessionTimeoutNs;
        }

        /**
         * Time a new session may take to connect its response publication.
         *
         * @param timeoutNs the timeout.
         * @return this.
         */
        public Context connectTimeoutNs(final long timeoutNs)
        {
            this.connectTimeoutNs = timeoutNs;
            return this;
        }

        /**
         * Time a new session may take to connect its response publication.
         *
         * @return the timeout.
         */
        public long connectTimeoutNs()
        {
            return connectTimeoutNs;
        }

        /**
         * How long a back-pressured answer is retried (its request left in the log) before it is dropped.
         *
         * @param timeoutNs the timeout.
         * @return this.
         */
        public Context responseTimeoutNs(final long timeoutNs)
        {
            this.responseTimeoutNs = timeoutNs;
            return this;
        }

        /**
         * How long a back-pressured answer is retried before it is dropped.
         *
         * @return the timeout.
         */
        public long responseTimeoutNs()
        {
            return responseTimeoutNs;
        }

        /**
         * Request fragments read per duty cycle.
         *
         * @param fragmentLimit the limit.
         * @return this.
         */
        public Context fragmentLimit(final int fragmentLimit)
        {
            this.fragmentLimit = fragmentLimit;
            return this;
        }

        /**
         * Request fragments read per duty cycle.
         *
         * @return the limit.
         */
        public int fragmentLimit()
        {
            return fragmentLimit;
        }

        /**
         * Counters file to keep the query counters in, so tools read them from outside the process.
         *
         * @param countersManager the allocator of the server's counters file; null for private counters.
         * @return this.
         */
        public Context countersManager(final CountersManager countersManager)
        {
            this.countersManager = countersManager;
            return this;
        }

        /**
         * Counters file to keep the query counters in.
         *
         * @return the allocator, or null.
         */
        public CountersManager countersManager()
        {
            return countersManager;
        }

        /**
         * The indexes to answer from.
         *
         * @param registry the registry.
         * @return this.
         */
        public Context registry(final IndexRegistry registry)
        {
            this.registry = registry;
            return this;
        }

        /**
         * The indexes to answer from.
         *
         * @return the registry.
         */
        public IndexRegistry registry()
        {
            return registry;
        }

        /**
         * An Aeron client to share, owned and closed by the caller; when set no driver or client is created.
         *
         * @param aeron the client, or null to create one.
         * @return this.
         */
        public Context aeron(final Aeron aeron)
        {
            this.aeron = aeron;
            return this;
        }

        /**
         * The shared Aeron client, or null when the server creates its own.
         *
         * @return the client or null.
         */
        public Aeron aeron()
        {
            return aeron;
        }

        /**
         * Idle strategy of the query agent.
         *
         * @param idleStrategy the strategy.
         * @return this.
         */
        public Context idleStrategy(final IdleStrategy idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        /**
         * Idle strategy of the query agent.
         *
         * @return the strategy.
         */
        public IdleStrategy idleStrategy()
        {
            return idleStrategy;
        }

        /**
         * Clock for session deadlines.
         *
         * @param clock the clock.
         * @return this.
         */
        public Context nanoClock(final NanoClock clock)
        {
            this.nanoClock = clock;
            return this;
        }

        /**
         * Clock for session deadlines.
         *
         * @return the clock.
         */
        public NanoClock nanoClock()
        {
            return nanoClock;
        }

        /**
         * Receives errors of the agent.
         *
         * @param errorHandler the handler.
         * @return this.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * Receives errors of the agent.
         *
         * @return the handler.
         */
        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }
    }
}
