package io.kvindex.tools;

import io.kvindex.client.KvEventPublisher;
import io.kvindex.server.feed.DecodeStatus;
import io.kvindex.server.feed.ZmqEngineFeed;
import io.kvindex.server.relay.ZmqRelay;
import org.agrona.CloseHelper;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

/**
 * Runs a {@link ZmqRelay} from flags, {@code KVINDEX_*} environment variables and a config file: prints where it
 * publishes and which engines it reads, a status line per interval, and stops on SIGTERM, SIGINT or
 * {@code --exit-after-ms}.
 */
public final class ZmqRelayMain implements ToolRunner.Service
{
    /** Exit code of a clean stop, including one asked for by SIGTERM or SIGINT. */
    public static final int EXIT_OK = ToolRunner.EXIT_OK;
    /** Exit code when the relay failed to start or to stop cleanly. */
    public static final int EXIT_FAILURE = ToolRunner.EXIT_FAILURE;
    /** Exit code of a command line that cannot be parsed. */
    public static final int EXIT_USAGE = ToolRunner.EXIT_USAGE;

    private static final String NAME = "zmq-relay";

    private final ZmqRelayOptions options;
    private final PrintStream out;
    private final long startNs = System.nanoTime();
    private volatile ZmqRelay relay;

    private ZmqRelayMain(final ZmqRelayOptions options, final PrintStream out)
    {
        this.options = options;
        this.out = out;
    }

    /**
     * Run the relay with a command line and exit the JVM with its exit code.
     *
     * @param args the command line; {@code --help} lists the options.
     */
    public static void main(final String[] args)
    {
        System.exit(run(System.getenv(), args, System.out, System.err));
    }

    /**
     * Run the relay with an environment and a command line until it is stopped, without exiting the JVM.
     *
     * @param env  the environment, whose {@code KVINDEX_*} variables set options.
     * @param args the command line.
     * @param out  receives the state lines and the help text.
     * @param err  receives errors.
     * @return {@link #EXIT_OK}, {@link #EXIT_FAILURE} or {@link #EXIT_USAGE}.
     */
    public static int run(
        final Map<String, String> env, final String[] args, final PrintStream out, final PrintStream err)
    {
        final ZmqRelayOptions options;
        try
        {
            options = ZmqRelayOptions.parse(env, args);
        }
        catch (final UsageException ex)
        {
            return ToolRunner.usageError(NAME, ex, err);
        }
        if (options.help())
        {
            return ToolRunner.printHelp(ZmqRelayOptions.TABLE.helpText(), out);
        }
        return new ToolRunner(NAME, options.statusIntervalMs(), options.exitAfterMs(), out, err)
            .run(new ZmqRelayMain(options, out));
    }

    /**
     * {@inheritDoc}
     */
    public void start()
    {
        final ZmqRelay relay = ZmqRelay.launch(options.relayContext());
        this.relay = relay;
        final ZmqRelay.Context ctx = relay.context();
        out.println(NAME + " started: aeron dir " + ctx.aeronDirectoryName() +
            (ctx.embeddedDriver() ? " (embedded driver)" : " (external driver)") + ", publishing " + ctx.model() +
            ":" + ctx.tenant() + " block size " + ctx.blockSize() + " on " + ctx.channel() + " stream " +
            ctx.streamId());
        for (final ZmqRelay.Engine engine : ctx.engines())
        {
            out.println("engine " + engine.endpoint() + " worker " + Long.toUnsignedString(engine.workerId()) +
                " dp rank " + engine.dpRank());
        }
        out.flush();
    }

    /**
     * {@inheritDoc}
     */
    public void printStatus()
    {
        final ZmqRelay relay = this.relay;
        if (null == relay)
        {
            return;
        }
        final long upMs = NANOSECONDS.toMillis(System.nanoTime() - startNs);
        final KvEventPublisher publisher = relay.publisher();
        out.println("status: up " + (upMs / 1000) + "." + (upMs % 1000) / 100 + "s, events published " +
            publisher.publishedCount() + ", not connected " + publisher.failureCount(KvEventPublisher.NOT_CONNECTED) +
            ", back pressured " + publisher.failureCount(KvEventPublisher.BACK_PRESSURED) + ", too large " +
            publisher.failureCount(KvEventPublisher.TOO_LARGE) + (publisher.isConnected() ? "" : ", NO INDEXER"));
        final List<ZmqEngineFeed> feeds = relay.feeds();
        final List<ZmqRelay.Engine> engines = relay.context().engines();
        for (int i = 0; i < feeds.size(); i++)
        {
            final ZmqEngineFeed feed = feeds.get(i);
            out.println("status: engine " + engines.get(i).endpoint() + ": batches " + feed.messages() +
                ", decoded " + feed.decoder().batchCount(DecodeStatus.OK) + ", last seq " + feed.lastSeq() +
                ", bad frames " + feed.malformedFrames() + ", gaps " + feed.seqGaps() + " (" +
                feed.missedBatches() + " batches), restarts " + feed.seqRestarts());
        }
        out.flush();
    }

    /**
     * {@inheritDoc}
     */
    public void stop()
    {
        CloseHelper.close(relay);
        relay = null;
    }
}
