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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;

/**
 * Runs a {@link MockEngine} from flags, {@code KVINDEX_*} environment variables and a config file, optionally
 * replaying a Mooncake trace into it, printing its endpoints and a status line per interval until SIGTERM, SIGINT or
 * {@code --exit-after-ms}.
 */
public final class MockEngineMain implements ToolRunner.Service
{
    /** Exit code of a clean stop, including one asked for by SIGTERM or SIGINT. */
    public static final int EXIT_OK = ToolRunner.EXIT_OK;
    /** Exit code when the engine failed to start or to stop cleanly. */
    public static final int EXIT_FAILURE = ToolRunner.EXIT_FAILURE;
    /** Exit code of a command line that cannot be parsed. */
    public static final int EXIT_USAGE = ToolRunner.EXIT_USAGE;

    private static final String NAME = "mock-engine";
    private static final long TRACE_POLL_MS = 20;

    private final MockEngineOptions options;
    private final PrintStream out;
    private final long startNs = System.nanoTime();
    private volatile MockEngine engine;
    private volatile TracePlayer player;

    private MockEngineMain(final MockEngineOptions options, final PrintStream out)
    {
        this.options = options;
        this.out = out;
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
                throw new UsageException("trace file not found: " + options.trace());
            }
            if (options.exitAfterTrace() && null == options.trace())
            {
                throw new UsageException(MockEngineOptions.EXIT_AFTER_TRACE + " needs " +
                    MockEngineOptions.TRACE);
            }
        }
        catch (final UsageException ex)
        {
            return ToolRunner.usageError(NAME, ex, err);
        }
        if (options.help())
        {
            return ToolRunner.printHelp(MockEngineOptions.helpText(), out);
        }
        return new ToolRunner(NAME, options.statusIntervalMs(), options.exitAfterMs(), out, err)
            .run(new MockEngineMain(options, out));
    }

    /**
     * {@inheritDoc}
     */
    public void start()
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

    /**
     * {@inheritDoc}
     */
    public String finished()
    {
        return options.exitAfterTrace() && traceFinished() ? "trace replayed" : null;
    }

    /**
     * {@inheritDoc}
     */
    public long finishPollMs()
    {
        return options.exitAfterTrace() ? TRACE_POLL_MS : 0;
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

    /**
     * {@inheritDoc}
     */
    public void printStatus()
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
            out.println("status: unavailable: " + ex);
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

    /**
     * {@inheritDoc}
     */
    public void stop()
    {
        try
        {
            CloseHelper.close(player);
            if (null != engine && options.statusIntervalMs() > 0)
            {
                printStatus();
            }
            CloseHelper.close(engine);
        }
        finally
        {
            engine = null;
            player = null;
        }
    }
}
