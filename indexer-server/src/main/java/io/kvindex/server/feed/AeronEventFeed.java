package io.kvindex.server.feed;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.Subscription;
import io.kvindex.client.KvEventProtocol;
import io.kvindex.server.pipeline.IngestPipeline;
import io.kvindex.server.query.IndexRegistry;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * KV events from custom engines and zmq-relays ({@code KvEventPublisher}, {@code docs/event-protocol.md}) into the
 * {@link IngestPipeline}: one Aeron subscription polled by one agent, each message decoded straight into a claimed
 * ring slot. A full ring is back pressure: the poll stops at the message that found no slot and takes it again on a
 * later duty cycle, so nothing is dropped and the publishers are slowed down by Aeron's flow control. Events for a
 * {@code (model, tenant)} without a route, malformed messages and events over the limits are counted, logged at most
 * once per interval per cause, and skipped. The single subscription keeps each publisher's order, so each owner's.
 * <p>
 * Lifecycle, as {@link IngestPipeline}: the constructor subscribes; {@link #start()} runs the agent on its own
 * thread, or the caller runs {@link #agent()} in its own duty cycle (e.g. composed with the index writer on a
 * 2-core pod); {@link #close()} stops the thread and releases what the feed created.
 */
public final class AeronEventFeed implements AutoCloseable
{
    private final Context ctx;
    private final Aeron aeron;
    private final boolean ownsAeron;
    private final Subscription subscription;
    private final AeronFeedCounters counters = new AeronFeedCounters();
    private final AeronEventFeedAgent agent;
    private AgentRunner runner;

    /**
     * A feed subscribed to its channel and stream, not polled yet: {@link #start()} it or step {@link #agent()}.
     *
     * @param ctx the configuration; concluded here.
     */
    public AeronEventFeed(final Context ctx)
    {
        this.ctx = ctx.conclude();
        ownsAeron = null == ctx.aeron();
        Aeron aeron = ctx.aeron();
        try
        {
            if (ownsAeron)
            {
                aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(ctx.aeronDirectoryName()));
            }
            this.subscription = aeron.addSubscription(ctx.channel(), ctx.streamId());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(ownsAeron ? aeron : null);
            throw ex;
        }
        this.aeron = aeron;
        final RateLimitedLog log = new RateLimitedLog(
            "aeron event feed " + ctx.channel() + " stream " + ctx.streamId(), AeronFeedCounters.COUNT,
            ctx.logIntervalNs(), ctx.nanoClock()::nanoTime);
        final KvEventAdapter adapter = new KvEventAdapter(ctx.pipeline(), new IndexRoutes(ctx.routes(), ctx.pipeline()),
            counters, log, ctx.maxBlocks(), ctx.maxTokens());
        this.agent = new AeronEventFeedAgent(subscription, adapter, ctx.fragmentLimit());
    }

    /**
     * Subscribe and start polling on a thread of the context's thread factory.
     *
     * @param ctx the configuration; concluded here.
     * @return the running feed.
     */
    public static AeronEventFeed launch(final Context ctx)
    {
        return new AeronEventFeed(ctx).start();
    }

    /**
     * Run the agent on a thread of the context's thread factory.
     *
     * @return this feed.
     */
    public AeronEventFeed start()
    {
        if (null != runner)
        {
            throw new IllegalStateException("already started");
        }
        runner = new AgentRunner(ctx.idleStrategy(), ctx.errorHandler(), null, agent);
        AgentRunner.startOnThread(runner, ctx.threadFactory());
        return this;
    }

    /**
     * The feed's agent, to step by hand or to compose into another duty cycle when the feed is not started; it must
     * stop running before {@link #close()}.
     *
     * @return the agent.
     */
    public Agent agent()
    {
        return agent;
    }

    /**
     * The feed's counters.
     *
     * @return the counters.
     */
    public AeronFeedCounters counters()
    {
        return counters;
    }

    /**
     * Whether at least one publisher is connected to the subscription.
     *
     * @return true when an image is available.
     */
    public boolean isConnected()
    {
        return subscription.isConnected();
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
     * Stop the agent's thread, if started, close the subscription, and the Aeron client when the feed created it.
     * Idempotent.
     */
    @Override
    public void close()
    {
        CloseHelper.closeAll(runner, subscription, ownsAeron ? aeron : null);
    }

    /**
     * Where the events of one {@code (model, tenant)} go: an index key of the pipeline.
     *
     * @param model    the model name on the wire.
     * @param tenant   the tenant; the wire's empty tenant is {@link IndexRegistry#DEFAULT_TENANT}.
     * @param indexKey the index's key in the pipeline.
     */
    public record Route(String model, String tenant, int indexKey)
    {
    }

    /**
     * Settings of an {@link AeronEventFeed}: a property name, a default and a setter each.
     */
    public static final class Context
    {
        /** Property: channel events arrive on. */
        public static final String CHANNEL_PROP_NAME = "kvindex.feed.aeron.channel";
        /** Property: stream id events arrive on. */
        public static final String STREAM_ID_PROP_NAME = "kvindex.feed.aeron.stream.id";
        /** Property: most fragments read per duty cycle. */
        public static final String FRAGMENT_LIMIT_PROP_NAME = "kvindex.feed.aeron.fragment.limit";

        /** Default most fragments read per duty cycle. */
        public static final int FRAGMENT_LIMIT_DEFAULT = 256;
        /** Default interval between two log lines of one cause. */
        public static final long LOG_INTERVAL_DEFAULT_NS = TimeUnit.SECONDS.toNanos(10);

        private String channel = System.getProperty(CHANNEL_PROP_NAME, KvEventProtocol.DEFAULT_CHANNEL);
        private int streamId = Integer.getInteger(STREAM_ID_PROP_NAME, KvEventProtocol.DEFAULT_STREAM_ID);
        private int fragmentLimit = Integer.getInteger(FRAGMENT_LIMIT_PROP_NAME, FRAGMENT_LIMIT_DEFAULT);
        private int maxBlocks = KvEventBatchDecoder.DEFAULT_MAX_BLOCKS;
        private int maxTokens = KvEventBatchDecoder.DEFAULT_MAX_TOKENS;
        private long logIntervalNs = LOG_INTERVAL_DEFAULT_NS;
        private final List<Route> routes = new ArrayList<>();
        private IngestPipeline pipeline;
        private String aeronDirectoryName = CommonContext.getAeronDirectoryName();
        private Aeron aeron;
        private IdleStrategy idleStrategy;
        private ThreadFactory threadFactory;
        private ErrorHandler errorHandler;
        private NanoClock nanoClock;
        private boolean concluded;

        /**
         * Validate and fill defaults; runs once.
         *
         * @return this.
         */
        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }
            concluded = true;
            if (null == pipeline)
            {
                throw new IllegalStateException("an IngestPipeline is required");
            }
            if (fragmentLimit < 1 || maxBlocks < 0 || maxTokens < 0)
            {
                throw new IllegalArgumentException("fragmentLimit must be >= 1, maxBlocks and maxTokens >= 0");
            }
            for (final Route route : routes)
            {
                if (route.indexKey() < 0 || route.indexKey() >= pipeline.indexCount())
                {
                    throw new IllegalArgumentException("no index " + route.indexKey() + " in the pipeline: " + route);
                }
            }
            if (null == idleStrategy)
            {
                idleStrategy = new BackoffIdleStrategy(10, 10, 1_000, TimeUnit.MILLISECONDS.toNanos(1));
            }
            if (null == threadFactory)
            {
                threadFactory = (runnable) -> new Thread(runnable, "kvindex-aeron-feed");
            }
            if (null == errorHandler)
            {
                errorHandler = Throwable::printStackTrace;
            }
            if (null == nanoClock)
            {
                nanoClock = SystemNanoClock.INSTANCE;
            }
            return this;
        }

        /**
         * Route the events of a {@code (model, tenant)} to an index of the pipeline.
         *
         * @param model    the model name.
         * @param tenant   the tenant, null or empty for the default one.
         * @param indexKey the index's key in the pipeline.
         * @return this.
         */
        public Context addRoute(final String model, final String tenant, final int indexKey)
        {
            final String t = null == tenant || tenant.isEmpty() ? IndexRegistry.DEFAULT_TENANT : tenant;
            for (final Route route : routes)
            {
                if (route.model().equals(model) && route.tenant().equals(t))
                {
                    throw new IllegalArgumentException("already routed: " + model + ":" + t);
                }
            }
            routes.add(new Route(model, t, indexKey));
            return this;
        }

        /**
         * The routes added, in order.
         *
         * @return the routes.
         */
        public List<Route> routes()
        {
            return routes;
        }

        /**
         * The pipeline events are decoded into (required).
         *
         * @param pipeline the pipeline.
         * @return this.
         */
        public Context pipeline(final IngestPipeline pipeline)
        {
            this.pipeline = pipeline;
            return this;
        }

        /**
         * The pipeline events are decoded into.
         *
         * @return the pipeline.
         */
        public IngestPipeline pipeline()
        {
            return pipeline;
        }

        /**
         * Channel events arrive on: {@code aeron:ipc} (default), or a UDP unicast or multicast channel.
         *
         * @param channel the channel.
         * @return this.
         */
        public Context channel(final String channel)
        {
            this.channel = channel;
            return this;
        }

        /**
         * Channel events arrive on.
         *
         * @return the channel.
         */
        public String channel()
        {
            return channel;
        }

        /**
         * Stream id events arrive on.
         *
         * @param streamId the stream id.
         * @return this.
         */
        public Context streamId(final int streamId)
        {
            this.streamId = streamId;
            return this;
        }

        /**
         * Stream id events arrive on.
         *
         * @return the stream id.
         */
        public int streamId()
        {
            return streamId;
        }

        /**
         * Most fragments read per duty cycle.
         *
         * @param fragmentLimit at least 1.
         * @return this.
         */
        public Context fragmentLimit(final int fragmentLimit)
        {
            this.fragmentLimit = fragmentLimit;
            return this;
        }

        /**
         * Most fragments read per duty cycle.
         *
         * @return the limit.
         */
        public int fragmentLimit()
        {
            return fragmentLimit;
        }

        /**
         * Most blocks an event may carry; larger events are counted and skipped.
         *
         * @param maxBlocks the limit.
         * @return this.
         */
        public Context maxBlocks(final int maxBlocks)
        {
            this.maxBlocks = maxBlocks;
            return this;
        }

        /**
         * Most blocks an event may carry.
         *
         * @return the limit.
         */
        public int maxBlocks()
        {
            return maxBlocks;
        }

        /**
         * Most token ids a TokensStored event may carry; larger events are counted and skipped.
         *
         * @param maxTokens the limit.
         * @return this.
         */
        public Context maxTokens(final int maxTokens)
        {
            this.maxTokens = maxTokens;
            return this;
        }

        /**
         * Most token ids a TokensStored event may carry.
         *
         * @return the limit.
         */
        public int maxTokens()
        {
            return maxTokens;
        }

        /**
         * Shortest interval between two log lines of one cause (unknown index, malformed, ...).
         *
         * @param intervalNs the interval.
         * @return this.
         */
        public Context logIntervalNs(final long intervalNs)
        {
            this.logIntervalNs = intervalNs;
            return this;
        }

        /**
         * Shortest interval between two log lines of one cause.
         *
         * @return the interval.
         */
        public long logIntervalNs()
        {
            return logIntervalNs;
        }

        /**
         * Aeron directory of the media driver, when no {@link Aeron} client is given.
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
         * An Aeron client to share, owned and closed by the caller; when null the feed connects its own.
         *
         * @param aeron the client.
         * @return this.
         */
        public Context aeron(final Aeron aeron)
        {
            this.aeron = aeron;
            return this;
        }

        /**
         * The shared Aeron client, or null when the feed connects its own.
         *
         * @return the client or null.
         */
        public Aeron aeron()
        {
            return aeron;
        }

        /**
         * How the feed's thread idles when no message arrived or the ring was full.
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
         * How the feed's thread idles; a backoff to 1 ms parks by default.
         *
         * @return the strategy.
         */
        public IdleStrategy idleStrategy()
        {
            return idleStrategy;
        }

        /**
         * Factory of the feed's thread, when started.
         *
         * @param threadFactory the factory.
         * @return this.
         */
        public Context threadFactory(final ThreadFactory threadFactory)
        {
            this.threadFactory = threadFactory;
            return this;
        }

        /**
         * Factory of the feed's thread.
         *
         * @return the factory.
         */
        public ThreadFactory threadFactory()
        {
            return threadFactory;
        }

        /**
         * Receives errors thrown in the agent.
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
         * Receives errors thrown in the agent.
         *
         * @return the handler.
         */
        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }

        /**
         * Clock of the rate-limited log.
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
         * Clock of the rate-limited log.
         *
         * @return the clock.
         */
        public NanoClock nanoClock()
        {
            return nanoClock;
        }
    }
}
