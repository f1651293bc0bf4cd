package io.kvindex.perf.e2e;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Settings of an {@link E2eBenchmark} run: a default constant and a fluent setter and getter each. Filled from the
 * command line by {@link E2eCommandLine}, or by tests.
 */
public final class E2eContext
{
    /** Default offered rate, queries per second. */
    public static final long RATE_DEFAULT = 50_000;
    /** Default measured seconds per phase. */
    public static final double SECONDS_DEFAULT = 10;
    /** Default warm-up seconds per phase, not recorded. */
    public static final double WARMUP_SECONDS_DEFAULT = 3;
    /** Default blocks of the embedded server's index (SharingWorkload). */
    public static final int BLOCKS_DEFAULT = 1_000_000;
    /** Default model of the queries (and of the embedded server's index). */
    public static final String MODEL_DEFAULT = "kvindex-e2e";
    /** Default request stream id of the server. */
    public static final int STREAM_ID_DEFAULT = 1001;
    /** Default time an answer may take before it counts as a timeout. */
    public static final long TIMEOUT_MS_DEFAULT = 1000;
    /** Default queries in flight at most; the client's own default. */
    public static final int MAX_IN_FLIGHT_DEFAULT = 256;
    /** Default progress interval. */
    public static final long PROGRESS_INTERVAL_MS_DEFAULT = 5000;
    /** Server agents (query agent and echo agent) busy spin. */
    public static final String IDLE_SPIN = "spin";
    /** Server agents yield when idle. */
    public static final String IDLE_YIELD = "yield";
    /** Server agents back off as the indexer server does by default (spin, yield, then park 1 µs to 1 ms). */
    public static final String IDLE_BACKOFF = "backoff";

    private E2eTransport transport = E2eTransport.IPC;
    private long rate = RATE_DEFAULT;
    private double seconds = SECONDS_DEFAULT;
    private double warmupSeconds = WARMUP_SECONDS_DEFAULT;
    private long ingestRate;
    private String server;
    private boolean json;
    private Path hgrmDir;
    private int blocks = BLOCKS_DEFAULT;
    private String serverIdle = IDLE_SPIN;
    private String driverIdle = IDLE_BACKOFF;
    private boolean echo = true;
    private String model = MODEL_DEFAULT;
    private String tenant;
    private int streamId = STREAM_ID_DEFAULT;
    private long timeoutMs = TIMEOUT_MS_DEFAULT;
    private int maxInFlight = MAX_IN_FLIGHT_DEFAULT;
    private long progressIntervalMs = PROGRESS_INTERVAL_MS_DEFAULT;

    /**
     * Check the settings against each other.
     *
     * @return this.
     * @throws IllegalArgumentException on the first problem.
     */
    public E2eContext conclude()
    {
        require(rate > 0, "--rate must be > 0: " + rate);
        require(seconds > 0, "--seconds must be > 0: " + seconds);
        require(warmupSeconds >= 0, "--warmup-seconds must be >= 0: " + warmupSeconds);
        require(ingestRate >= 0, "--ingest-rate must be >= 0: " + ingestRate);
        require(blocks >= 1000, "--blocks must be >= 1000: " + blocks);
        require(timeoutMs > 0 && maxInFlight > 0, "--timeout-ms and --max-in-flight must be > 0");
        require(null == server || 0 == ingestRate,
            "--ingest-rate needs the embedded server: the harness cannot write a running server's index");
        newServerIdleStrategy();
        newDriverIdleStrategy();
        if (null != server && E2eTransport.HTTP == transport)
        {
            require(server.startsWith("http://"), "--server " + server + " does not fit --transport http: give " +
                "the indexer's HTTP URL, e.g. http://127.0.0.1:8090");
        }
        else if (null != server)
        {
            final boolean channel = server.startsWith("aeron:");
            require(channel == (E2eTransport.UDP == transport), "--server " + server + " does not fit --transport " +
                transport.label() + ": give an Aeron dir for ipc, a channel aeron:udp?endpoint=host:port for udp");
        }
        return this;
    }

    /**
     * A new idle strategy of the kind {@link #serverIdle()} names, for the query agent or the echo agent.
     *
     * @return the strategy.
     */
    public IdleStrategy newServerIdleStrategy()
    {
        switch (serverIdle)
        {
            case IDLE_SPIN:
                return new BusySpinIdleStrategy();
            case IDLE_YIELD:
                return new YieldingIdleStrategy();
            case IDLE_BACKOFF:
                return new BackoffIdleStrategy(
                    10, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
            default:
                throw new IllegalArgumentException("--server-idle '" + serverIdle + "': expected " + IDLE_SPIN + ", " +
                    IDLE_YIELD + " or " + IDLE_BACKOFF);
        }
    }

    /**
     * The embedded driver's idle strategy {@link #driverIdle()} names: null for {@link #IDLE_BACKOFF}, which leaves
     * the indexer server's own default (1 spin, 1 yield, then parks of 1 µs doubling to 1 ms).
     *
     * @return the strategy, or null for the server's default.
     */
    public IdleStrategy newDriverIdleStrategy()
    {
        switch (driverIdle)
        {
            case IDLE_SPIN:
                return new BusySpinIdleStrategy();
            case IDLE_YIELD:
                return new YieldingIdleStrategy();
            case IDLE_BACKOFF:
                return null;
            default:
                throw new IllegalArgumentException("--driver-idle '" + driverIdle + "': expected " + IDLE_SPIN +
                    ", " + IDLE_YIELD + " or " + IDLE_BACKOFF);
        }
    }

    private static void require(final boolean condition, final String problem)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(problem);
        }
    }

    /**
     * How queries travel.
     *
     * @param transport the transport.
     * @return this.
     */
    public E2eContext transport(final E2eTransport transport)
    {
        this.transport = transport;
        return this;
    }

    /**
     * How queries travel.
     *
     * @return the transport.
     */
    public E2eTransport transport()
    {
        return transport;
    }

    /**
     * Offered rate: queries are due at fixed intervals of 1/rate from the start of a phase.
     *
     * @param rate queries per second.
     * @return this.
     */
    public E2eContext rate(final long rate)
    {
        this.rate = rate;
        return this;
    }

    /**
     * Offered rate.
     *
     * @return queries per second.
     */
    public long rate()
    {
        return rate;
    }

    /**
     * Measured time of each phase.
     *
     * @param seconds seconds.
     * @return this.
     */
    public E2eContext seconds(final double seconds)
    {
        this.seconds = seconds;
        return this;
    }

    /**
     * Measured time of each phase.
     *
     * @return seconds.
     */
    public double seconds()
    {
        return seconds;
    }

    /**
     * Warm-up before each phase, at the same rate, not recorded.
     *
     * @param warmupSeconds seconds.
     * @return this.
     */
    public E2eContext warmupSeconds(final double warmupSeconds)
    {
        this.warmupSeconds = warmupSeconds;
        return this;
    }

    /**
     * Warm-up before each phase.
     *
     * @return seconds.
     */
    public double warmupSeconds()
    {
        return warmupSeconds;
    }

    /**
     * Events per second applied to the served index while querying; 0 for none.
     *
     * @param ingestRate Stored and Removed events per second.
     * @return this.
     */
    public E2eContext ingestRate(final long ingestRate)
    {
        this.ingestRate = ingestRate;
        return this;
    }

    /**
     * Events per second applied to the served index while querying.
     *
     * @return events per second.
     */
    public long ingestRate()
    {
        return ingestRate;
    }

    /**
     * A running server to target: its Aeron dir (IPC) or its request channel (UDP); null to start one here.
     *
     * @param server the dir or channel, or null.
     * @return this.
     */
    public E2eContext server(final String server)
    {
        this.server = server;
        return this;
    }

    /**
     * A running server to target, or null to start one here.
     *
     * @return the Aeron dir or channel, or null.
     */
    public String server()
    {
        return server;
    }

    /**
     * Print one JSON object rather than a table.
     *
     * @param json true for JSON.
     * @return this.
     */
    public E2eContext json(final boolean json)
    {
        this.json = json;
        return this;
    }

    /**
     * Whether to print one JSON object rather than a table.
     *
     * @return true for JSON.
     */
    public boolean json()
    {
        return json;
    }

    /**
     * Directory for the .hgrm percentile distributions, one file per phase; null writes none.
     *
     * @param dir the directory, created if missing, or null.
     * @return this.
     */
    public E2eContext hgrmDir(final Path dir)
    {
        this.hgrmDir = dir;
        return this;
    }

    /**
     * Directory for the .hgrm files, or null.
     *
     * @return the directory.
     */
    public Path hgrmDir()
    {
        return hgrmDir;
    }

    /**
     * Blocks of the workload the embedded server's index is loaded with.
     *
     * @param blocks blocks (nodes).
     * @return this.
     */
    public E2eContext blocks(final int blocks)
    {
        this.blocks = blocks;
        return this;
    }

    /**
     * Blocks of the workload.
     *
     * @return blocks.
     */
    public int blocks()
    {
        return blocks;
    }

    /**
     * Idle strategy of the server's query agent and of the echo agent: {@link #IDLE_SPIN}, {@link #IDLE_YIELD} or
     * {@link #IDLE_BACKOFF}.
     *
     * @param serverIdle the kind.
     * @return this.
     */
    public E2eContext serverIdle(final String serverIdle)
    {
        this.serverIdle = serverIdle;
        return this;
    }

    /**
     * Idle strategy kind of the server agents.
     *
     * @return the kind.
     */
    public String serverIdle()
    {
        return serverIdle;
    }

    /**
     * Idle strategy of the embedded media driver's shared thread: {@link #IDLE_BACKOFF} (the server's default, which
     * parks), {@link #IDLE_YIELD} or {@link #IDLE_SPIN} (a third spinning thread).
     *
     * @param driverIdle the kind.
     * @return this.
     */
    public E2eContext driverIdle(final String driverIdle)
    {
        this.driverIdle = driverIdle;
        return this;
    }

    /**
     * Idle strategy kind of the embedded media driver.
     *
     * @return the kind.
     */
    public String driverIdle()
    {
        return driverIdle;
    }

    /**
     * Run the bare Aeron echo phase after the query phase.
     *
     * @param echo false to skip it.
     * @return this.
     */
    public E2eContext echo(final boolean echo)
    {
        this.echo = echo;
        return this;
    }

    /**
     * Whether the echo phase runs.
     *
     * @return true when it runs.
     */
    public boolean echo()
    {
        return echo;
    }

    /**
     * Model the queries name; the embedded server's index is registered under it.
     *
     * @param model the model.
     * @return this.
     */
    public E2eContext model(final String model)
    {
        this.model = model;
        return this;
    }

    /**
     * Model the queries name.
     *
     * @return the model.
     */
    public String model()
    {
        return model;
    }

    /**
     * Tenant the queries name.
     *
     * @param tenant the tenant, null for the default.
     * @return this.
     */
    public E2eContext tenant(final String tenant)
    {
        this.tenant = tenant;
        return this;
    }

    /**
     * Tenant the queries name.
     *
     * @return the tenant or null.
     */
    public String tenant()
    {
        return tenant;
    }

    /**
     * Request stream id of the server.
     *
     * @param streamId the stream id.
     * @return this.
     */
    public E2eContext streamId(final int streamId)
    {
        this.streamId = streamId;
        return this;
    }

    /**
     * Request stream id of the server.
     *
     * @return the stream id.
     */
    public int streamId()
    {
        return streamId;
    }

    /**
     * Time an answer may take before the query counts as a timeout.
     *
     * @param timeoutMs milliseconds.
     * @return this.
     */
    public E2eContext timeoutMs(final long timeoutMs)
    {
        this.timeoutMs = timeoutMs;
        return this;
    }

    /**
     * Time an answer may take.
     *
     * @return milliseconds.
     */
    public long timeoutMs()
    {
        return timeoutMs;
    }

    /**
     * Queries in flight at most; a due query waits for a free slot (its latency still counts from its due time).
     *
     * @param maxInFlight the limit.
     * @return this.
     */
    public E2eContext maxInFlight(final int maxInFlight)
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
     * Interval of the progress line on stderr.
     *
     * @param intervalMs milliseconds.
     * @return this.
     */
    public E2eContext progressIntervalMs(final long intervalMs)
    {
        this.progressIntervalMs = intervalMs;
        return this;
    }

    /**
     * Interval of the progress line.
     *
     * @return milliseconds.
     */
    public long progressIntervalMs()
    {
        return progressIntervalMs;
    }
}
