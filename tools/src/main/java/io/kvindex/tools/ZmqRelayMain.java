package io.kvindex.tools;

import io.kvindex.client.KvEventPublisher;
import io.kvindex.server.feed.DecodeStatus;
import io.kvindex.server.feed.ZmqEngineFeed;
import io.kvindex.server.relay.ZmqRelay;
import org.agrona.CloseHelper;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;

/**
 * Runs a {@link ZmqRelay} from flags, {@code KVINDEX_*} environment variables and a config file: prints where it
 * publishes and which engines it reads, a status line per interval, and stops on SIGTERM, SIGINT or
 * {@code --exit-after-ms}.
 */
public final class ZmqRelayMain
{
    /** Exit code of a clean stop, including one asked for by SIGTERM or SIGINT. */
    public static final int EXIT_OK = 0;
    /** Exit code when the relay failed to start or to stop cleanly. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of a command line that cannot be parsed. */
    public static final int EXIT_USAGE = 2;

    private static final String NAME = "zmq-relay";
    private static final long SHUTDOWN_HOOK_WAIT_MS = 10_000L;

    private final ZmqRelayOptions options;
    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final long startNs = System.nanoTime();
    private volatile int exitCode = EXIT_OK;
    private volatile ZmqRelay relay;

    private ZmqRelayMain(final ZmqRelayOptions options, final PrintStream out, final PrintStream err)
    {
        this.options = options;
        this.out = out;
        this.err = err;
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
        catch (final Options.UsageException ex)
        {
            err.println(NAME + ": " + ex.getMessage());
            err.println("Try '" + NAME + " --help' for the list of options.");
            return EXIT_USAGE;
        }
        if (options.help())
        {
            out.print(ZmqRelayOptions.TABLE.helpText());
            out.flush();
            return EXIT_OK;
        }
        return new ZmqRelayMain(options, out, err).runUntilStopped();
    }

    private int runUntilStopped()
    {
        final Thread hook = new Thread(this::onShutdownSignal, NAME + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            start();
            awaitStop();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final RuntimeException ex)
        {
            err.println(NAME + ": failed: " + ex);
            ex.printStackTrace(err);
            exitCode = EXIT_FAILURE;
        }
        finally
        {
            stop();
            removeShutdownHook(hook);
        }
        return exitCode;
    }

    private void start()
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

    private void awaitStop() throws InterruptedException
    {
        final long intervalNs = MILLISECONDS.toNanos(options.statusIntervalMs());
        final long exitAfterNs = MILLISECONDS.toNanos(options.exitAfterMs());
        final long startedNs = System.nanoTime();
        long nextStatusNs = startedNs + intervalNs;
        while (true)
        {
            final long nowNs = System.nanoTime();
            final long untilExitNs = exitAfterNs > 0 ? exitAfterNs - (nowNs - startedNs) : Long.MAX_VALUE;
            if (untilExitNs <= 0)
            {
                out.println(NAME + ": " + ZmqRelayOptions.EXIT_AFTER_MS + " " + options.exitAfterMs() +
                    " elapsed, stopping");
                return;
            }
            final long untilStatusNs = intervalNs > 0 ? Math.max(0, nextStatusNs - nowNs) : Long.MAX_VALUE;
            if (stopSignal.await(Math.min(untilExitNs, untilStatusNs), NANOSECONDS))
            {
                return;
            }
            if (intervalNs > 0 && System.nanoTime() - nextStatusNs >= 0)
            {
                printStatus();
                nextStatusNs = Math.max(nextStatusNs + intervalNs, System.nanoTime());
            }
        }
    }

    private void printStatus()
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

    private void stop()
    {
        try
        {
            CloseHelper.close(relay);
            out.println(NAME + " stopped");
        }
        catch (final RuntimeException ex)
        {
            err.println(NAME + ": failed to stop cleanly: " + ex);
            ex.printStackTrace(err);
            exitCode = EXIT_FAILURE;
        }
        finally
        {
            relay = null;
            out.flush();
            stopped.countDown();
        }
    }

    private void onShutdownSignal()
    {
        out.println(NAME + ": shutdown signal, stopping");
        stopSignal.countDown();
        try
        {
            if (!stopped.await(SHUTDOWN_HOOK_WAIT_MS, MILLISECONDS))
            {
                err.println(NAME + ": did not stop within " + SHUTDOWN_HOOK_WAIT_MS + " ms");
                exitCode = EXIT_FAILURE;
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            exitCode = EXIT_FAILURE;
        }
        out.flush();
        err.flush();
        // A JVM ended by a signal exits with 128 + signal number; a stop that closed everything reports 0 instead.
        Runtime.getRuntime().halt(exitCode);
    }

    private static void removeShutdownHook(final Thread hook)
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ignore)
        {
            // The JVM is already shutting down: the hook runs and ends the process.
        }
    }
}
