package io.kvindex.tools;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;

/**
 * The life of a long-running tool, the same for every launcher: start the service, print a status line per
 * interval, stop on SIGTERM or SIGINT (exit code 0 when everything closed), after {@code --exit-after-ms}, or when the
 * service says it is finished; a failure to start or to stop is printed and gives exit code 1, a bad command line 2.
 * <pre>
 *   run(): start ──► wait (status lines) ──► stop ──► exit code
 *                      ▲ signal / exit-after-ms / finished
 * </pre>
 */
final class ToolRunner
{
    /** Exit code of a clean stop, including one asked for by SIGTERM or SIGINT. */
    static final int EXIT_OK = 0;
    /** Exit code when the tool failed to start or to stop cleanly. */
    static final int EXIT_FAILURE = 1;
    /** Exit code of a command line that cannot be parsed. */
    static final int EXIT_USAGE = 2;

    private static final long SHUTDOWN_HOOK_WAIT_MS = 10_000L;

    /**
     * What a launcher runs.
     */
    interface Service
    {
        /**
         * Start, printing where everything is. Called once, on the launcher's thread.
         */
        void start();

        /**
         * Print a status line (or several); called per status interval after a successful start.
         */
        void printStatus();

        /**
         * Stop and free everything; called once, also after a failed start.
         */
        void stop();

        /**
         * Why the service has finished by itself, checked every {@link #finishPollMs()}.
         *
         * @return what to print before stopping, or null to keep running.
         */
        default String finished()
        {
            return null;
        }

        /**
         * How often {@link #finished()} is asked.
         *
         * @return milliseconds, or 0 for never.
         */
        default long finishPollMs()
        {
            return 0;
        }
    }

    private final String name;
    private final long statusIntervalMs;
    private final long exitAfterMs;
    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile int exitCode = EXIT_OK;

    /**
     * A runner.
     *
     * @param name             the tool's name, prefixed to its messages.
     * @param statusIntervalMs milliseconds between status lines; 0 for none.
     * @param exitAfterMs      stop by itself after this many milliseconds; 0 to run until a signal.
     * @param out              receives the state lines.
     * @param err              receives errors.
     */
    ToolRunner(
        final String name,
        final long statusIntervalMs,
        final long exitAfterMs,
        final PrintStream out,
        final PrintStream err)
    {
        this.name = name;
        this.statusIntervalMs = statusIntervalMs;
        this.exitAfterMs = exitAfterMs;
        this.out = out;
        this.err = err;
    }

    /**
     * Report a bad command line.
     *
     * @param name the tool's name.
     * @param ex   what is wrong.
     * @param err  receives the message.
     * @return {@link #EXIT_USAGE}.
     */
    static int usageError(final String name, final UsageException ex, final PrintStream err)
    {
        err.println(name + ": " + ex.getMessage());
        err.println("Try '" + name + " --help' for the list of options.");
        return EXIT_USAGE;
    }

    /**
     * Print a help text.
     *
     * @param text the text.
     * @param out  receives it.
     * @return {@link #EXIT_OK}.
     */
    static int printHelp(final String text, final PrintStream out)
    {
        out.print(text);
        out.flush();
        return EXIT_OK;
    }

    /**
     * Run a service until it is stopped.
     *
     * @param service the service.
     * @return {@link #EXIT_OK} or {@link #EXIT_FAILURE}.
     */
    int run(final Service service)
    {
        final Thread hook = new Thread(this::onShutdownSignal, name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            service.start();
            out.flush();
            awaitStop(service);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final RuntimeException ex)
        {
            err.println(name + ": failed: " + (null == ex.getMessage() ? ex.toString() : ex.getMessage()));
            ex.printStackTrace(err);
            exitCode = EXIT_FAILURE;
        }
        finally
        {
            stop(service);
            removeShutdownHook(hook);
        }
        return exitCode;
    }

    private void awaitStop(final Service service) throws InterruptedException
    {
        final long intervalNs = MILLISECONDS.toNanos(statusIntervalMs);
        final long exitAfterNs = MILLISECONDS.toNanos(exitAfterMs);
        final long pollNs = service.finishPollMs() > 0 ? MILLISECONDS.toNanos(service.finishPollMs()) : Long.MAX_VALUE;
        final long startedNs = System.nanoTime();
        long nextStatusNs = startedNs + intervalNs;
        while (true)
        {
            final long nowNs = System.nanoTime();
            final long untilExitNs = exitAfterNs > 0 ? exitAfterNs - (nowNs - startedNs) : Long.MAX_VALUE;
            if (untilExitNs <= 0)
            {
                out.println(name + ": --exit-after-ms " + exitAfterMs + " elapsed, stopping");
                return;
            }
            final String finished = pollNs != Long.MAX_VALUE ? service.finished() : null;
            if (null != finished)
            {
                out.println(name + ": " + finished + ", stopping");
                return;
            }
            final long untilStatusNs = intervalNs > 0 ? Math.max(0, nextStatusNs - nowNs) : Long.MAX_VALUE;
            if (stopSignal.await(Math.min(Math.min(untilExitNs, untilStatusNs), pollNs), NANOSECONDS))
            {
                return;
            }
            if (intervalNs > 0 && System.nanoTime() - nextStatusNs >= 0)
            {
                service.printStatus();
                out.flush();
                nextStatusNs = Math.max(nextStatusNs + intervalNs, System.nanoTime());
            }
        }
    }

    private void stop(final Service service)
    {
        try
        {
            service.stop();
            out.println(name + " stopped");
        }
        catch (final RuntimeException ex)
        {
            err.println(name + ": failed to stop cleanly: " + ex);
            ex.printStackTrace(err);
            exitCode = EXIT_FAILURE;
        }
        finally
        {
            out.flush();
            stopped.countDown();
        }
    }

    private void onShutdownSignal()
    {
        out.println(name + ": shutdown signal, stopping");
        stopSignal.countDown();
        try
        {
            if (!stopped.await(SHUTDOWN_HOOK_WAIT_MS, MILLISECONDS))
            {
                err.println(name + ": did not stop within " + SHUTDOWN_HOOK_WAIT_MS + " ms");
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
