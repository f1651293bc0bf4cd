package io.kvindex.tools;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.kvindex.index.OffHeapBlockIndex;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;

/**
 * Runs the indexer server: an embedded Aeron media driver and the block index, printing a status line per interval
 * until SIGTERM, SIGINT or {@code --exit-after-ms}. The event and query planes join it as their issues land.
 */
public final class IndexerServerMain
{
    /** Exit code of a clean stop, including one asked for by SIGTERM or SIGINT. */
    public static final int EXIT_OK = 0;
    /** Exit code when the server failed to start or to stop cleanly. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of a command line that cannot be parsed. */
    public static final int EXIT_USAGE = 2;

    private static final String NAME = "indexer-server";
    private static final long SHUTDOWN_HOOK_WAIT_MS = 10_000L;
    private static final int TERM_BUFFER_LENGTH = 1024 * 1024;
    private static final long DRIVER_MIN_PARK_NS = 1_000L;
    private static final long DRIVER_MAX_PARK_NS = 1_000_000L;

    private final Options options;
    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final long startNs = System.nanoTime();
    private volatile int exitCode = EXIT_OK;
    private MediaDriver driver;
    private OffHeapBlockIndex index;
    private Path dataDir;
    private boolean temporaryDataDir;

    private IndexerServerMain(final Options options, final PrintStream out, final PrintStream err)
    {
        this.options = options;
        this.out = out;
        this.err = err;
    }

    /**
     * Run the server with a command line and exit the JVM with its exit code.
     *
     * @param args the command line; {@code --help} lists the options.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Run the server with a command line until it is stopped, without exiting the JVM.
     *
     * @param args the command line.
     * @param out  receives the state lines and the help text.
     * @param err  receives errors.
     * @return {@link #EXIT_OK}, {@link #EXIT_FAILURE} or {@link #EXIT_USAGE}.
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        final Options options;
        try
        {
            options = Options.parse(args);
        }
        catch (final Options.UsageException ex)
        {
            err.println(NAME + ": " + ex.getMessage());
            err.println("Try '" + NAME + " --help' for the list of options.");
            return EXIT_USAGE;
        }
        if (options.help())
        {
            out.print(Options.helpText());
            out.flush();
            return EXIT_OK;
        }
        return new IndexerServerMain(options, out, err).runUntilStopped();
    }

    /**
     * Create the off-heap block index with the configured capacities.
     *
     * @param options the capacity settings.
     * @param dataDir directory for the index's files (unused until snapshots land).
     * @return the index.
     */
    static OffHeapBlockIndex newIndex(final Options options, final Path dataDir)
    {
        return new OffHeapBlockIndex(new OffHeapBlockIndex.Context()
            .maxBlocks(Math.toIntExact(options.maxBlocks()))
            .maxOwners(options.maxOwners()));
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
        catch (final IOException | RuntimeException ex)
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

    private void start() throws IOException
    {
        temporaryDataDir = null == options.dataDir();
        dataDir = temporaryDataDir ?
            Files.createTempDirectory("kvindex-data-") : Files.createDirectories(options.dataDir());
        final String aeronDir = null != options.aeronDir() ? options.aeronDir() : uniqueAeronDir();
        driver = MediaDriver.launch(driverContext(aeronDir));
        index = newIndex(options, dataDir);

        out.println(NAME + " started: aeron dir " + driver.aeronDirectoryName() +
            ", data dir " + dataDir + (temporaryDataDir ? " (temporary)" : "") +
            ", capacity " + options.maxBlocks() + " blocks, " + options.maxOwners() + " owners");
        out.println(indexState());
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
                out.println(NAME + ": " + Options.EXIT_AFTER_MS + " " + options.exitAfterMs() + " elapsed, stopping");
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
        final long upMs = NANOSECONDS.toMillis(System.nanoTime() - startNs);
        out.println("status: up " + (upMs / 1000) + "." + (upMs % 1000) / 100 + "s, " + indexState());
        out.flush();
    }

    private String indexState()
    {
        final OffHeapBlockIndex index = this.index;
        if (null == index)
        {
            return "index: not started";
        }
        return "index: owners " + index.ownerCount() + ", blocks " + index.liveBlocks() + ", memberships " +
            index.memberships() + ", used " + index.usedBytes() + " B, reserved " + index.reservedBytes() + " B";
    }

    private void stop()
    {
        try
        {
            CloseHelper.closeAll(index, driver);
            if (temporaryDataDir && null != dataDir)
            {
                IoUtil.delete(dataDir.toFile(), false);
            }
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
            index = null;
            driver = null;
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

    private static MediaDriver.Context driverContext(final String aeronDir)
    {
        // SHARED with a parking idle strategy: the driver must not spin on a 2-core pod (DESIGN.md, Queries).
        return new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(1, 1, DRIVER_MIN_PARK_NS, DRIVER_MAX_PARK_NS))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .publicationTermBufferLength(TERM_BUFFER_LENGTH)
            .ipcTermBufferLength(TERM_BUFFER_LENGTH);
    }

    private static String uniqueAeronDir()
    {
        final Path shm = Path.of("/dev/shm");
        final Path base = Files.isDirectory(shm) && Files.isWritable(shm) ?
            shm : Path.of(System.getProperty("java.io.tmpdir"));
        final String suffix = ProcessHandle.current().pid() + "-" +
            Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0xFFFFFF);
        return base.resolve("kvindex-aeron-" + suffix).toString();
    }
}
