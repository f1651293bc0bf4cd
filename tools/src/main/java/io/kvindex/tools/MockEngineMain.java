package io.kvindex.tools;

import io.kvindex.mockengine.EngineSimulation;
import io.kvindex.mockengine.MockEngine;
import io.kvindex.mockengine.MockEngineContext;
import io.kvindex.mockengine.TracePlayer;
import org.agrona.CloseHelper;

import java.io.PrintStream;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;

/**
 * Runs a {@link MockEngine} from flags, {@code KVINDEX_*} environment variables and a config file, optionally
 * replaying a Mooncake trace into it, printing its endpoints and a status line per interval until SIGTERM, SIGINT or
 * {@code --exit-after-ms}.
 */
public final class MockEngineMain
{
    /** Exit code of a clean stop, including one asked for by SIGTERM or SIGINT. */
    public static final int EXIT_OK = 0;
    /** Exit code when the engine failed to start or to stop cleanly. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of a command line that cannot be parsed. */
    public static final int EXIT_USAGE = 2;

    private static final String NAME = "mock-engine";
    private static final long SHUTDOWN_HOOK_WAIT_MS = 10_000L;
    private static final long TRACE_POLL_NS = MILLISECONDS.toNanos(20);

    private final MockEngineOptions options;
    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final long startNs = System.nanoTime();
    private volatile int exitCode = EXIT_OK;
    private volatile MockEngine engine;
    private volatile TracePlayer player;

    private MockEngineMain(final MockEngineOptions options, final PrintStream out, final PrintStream err)
    {
        this.options = options;
        this.out = out;
        this.err = err;
    }

    /**
     * Run the engine with a command line and exit the JVM with its exit code.
     *
     * @param args the command line; {@code --help} lists the options.
     */
    public static void main(final String[] args)
    {
        System.exit(run(System.getenv(), args, System.out, System.err));
    }

    /**
     * Run the engine with an environment and a command line until it is stopped, without exiting the JVM.
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
        final MockEngineOptions options;
        try
        {
            options = MockEngineOptions.parse(env, args);
            if (null != options.trace() && !Files.isRegularFile(options.trace()))
            {
                throw new Options.UsageException("trace file not found: " + options.trace());
            }
            if (options.exitAfterTrace() && null == options.trace())
            {
                throw new Options.UsageException(MockEngineOptions.EXIT_AFTER_TRACE + " needs " +
                    MockEngineOptions.TRACE);
            }
        }
        catch (final Options.UsageException ex)
        {
            err.println(NAME + ": " + ex.getMessage());
            err.println("Try '" + NAME + " --help' for the list of options.");
            return EXIT_USAGE;
        }
        if (options.help())
        {
            out.print(MockEngineOptions.helpText());
            out.flush();
            return EXIT_OK;
        }
        return new MockEngineMain(options, out, err).runUntilStopped();
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
            err.println(NAME + ": failed: " + ex.getMessage());
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
        final MockEngine engine = MockEngine.launch(options.context());
        this.engine = engine;
        final MockEngineContext ctx = engine.context();
        out.println(NAME + " started: worker " + ctx.workerId() + ", " + ctx.dpRanks() + " dp rank(s), block size " +
            ctx.blockSize() + ", capacity " + ctx.capacityBlocks() + " blocks per rank, events " +
            ctx.eventFormat().name().toLowerCase(Locale.ROOT) + " / " +
            ctx.hashFormat().name().toLowerCase(Locale.ROOT) + ", seed " + ctx.seed() + ", time scale " +
            ctx.timeScale());
        for (int rank = 0; rank < ctx.dpRanks(); rank++)
        {
            out.println("rank " + rank + ": events " + engine.pubEndpoint(rank) + ", replay " +
                (null == engine.replayEndpoint(rank) ? "none" : engine.replayEndpoint(rank)));
        }
        out.println(engine.httpPort() < 0 ? "http: none" : "http: http://" + ctx.httpHost() + ":" +
            engine.httpPort() + "/v1/completions");
        if (null != options.trace())
        {
            player = new TracePlayer(engine, options.trace(), options.traceRate(), TracePlayer.DEFAULT_MAX_PENDING)
                .start();
            out.println("trace: replaying " + options.trace() + " at rate " + options.traceRate());
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
                out.println(NAME + ": " + MockEngineOptions.EXIT_AFTER_MS + " " + options.exitAfterMs() +
                    " elapsed, stopping");
                return;
            }
            if (options.exitAfterTrace() && traceFinished())
            {
                out.println(NAME + ": trace replayed, stopping");
                return;
            }
            final long untilStatusNs = intervalNs > 0 ? Math.max(0, nextStatusNs - nowNs) : Long.MAX_VALUE;
            final long waitNs = Math.min(Math.min(untilExitNs, untilStatusNs),
                options.exitAfterTrace() ? TRACE_POLL_NS : Long.MAX_VALUE);
            if (stopSignal.await(waitNs, NANOSECONDS))
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

    private boolean traceFinished()
    {
        final TracePlayer player = this.player;
        if (null == player || !player.isDone() || player.admitted() + player.failed() < player.submitted())
        {
            return false;
        }
        try
        {
            return 0 == engine.query(EngineSimulation::runningRequests).get(5, SECONDS);
        }
        catch (final ExecutionException | TimeoutException | InterruptedException ex)
        {
            return false;
        }
    }

    private void printStatus()
    {
        final MockEngine engine = this.engine;
        if (null == engine)
        {
            return;
        }
        final long upMs = NANOSECONDS.toMillis(System.nanoTime() - startNs);
        final String state;
        try
        {
            state = engine.query(MockEngineMain::describe).get(5, SECONDS);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            err.println(NAME + ": no status: " + ex);
            return;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return;
        }
        final TracePlayer player = this.player;
        out.println("status: up " + (upMs / 1000) + "." + (upMs % 1000) / 100 + "s, " + state +
            (null == player ? "" : ", trace submitted " + player.submitted() + ", admitted " + player.admitted() +
            ", malformed lines " + player.malformedLines() + (player.isDone() ? " (done)" : "")));
        out.flush();
    }

    private static String describe(final EngineSimulation simulation)
    {
        final StringBuilder state = new StringBuilder("requests ").append(simulation.requests())
            .append(", running ").append(simulation.runningRequests()).append(", batches ")
            .append(simulation.batches()).append(", stored blocks ").append(simulation.storedBlocks())
            .append(", evicted ").append(simulation.evictedBlocks()).append(", hit blocks ")
            .append(simulation.hitBlocks()).append(", cached per rank [");
        for (int rank = 0; rank < simulation.dpRanks(); rank++)
        {
            state.append(0 == rank ? "" : " ").append(simulation.cachedBlocks(rank));
        }
        return state.append(']').toString();
    }

    private void stop()
    {
        try
        {
            CloseHelper.close(player);
            if (null != engine && options.statusIntervalMs() > 0)
            {
                printStatus();
            }
            CloseHelper.close(engine);
            out.println(NAME + " stopped");
        }
        catch (final RuntimeException ex)
        {
            err.println(NAME + ": failed to stop cleanly: " + ex);
            exitCode = EXIT_FAILURE;
        }
        finally
        {
            engine = null;
            player = null;
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
