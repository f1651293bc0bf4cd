package io.kvindex.perf.trace;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The progress line of a long perf run: a daemon thread prints the current phase to stderr every few seconds, with
 * the trace requests recorded so far, or the passes done and how far the current pass is.
 */
final class ReplayProgress
{
    static final long INTERVAL_MS = 5_000;

    private final String tool;
    private final AtomicInteger recorded = new AtomicInteger();
    private final long startNanos = System.nanoTime();
    private volatile String phase = "loading trace";
    private volatile ReplayStream stream;
    private volatile StreamReplayer current;
    private volatile int passes;
    private Thread thread;

    ReplayProgress(final String tool)
    {
        this.tool = tool;
    }

    AtomicInteger recorded()
    {
        return recorded;
    }

    void phase(final String phase)
    {
        this.phase = phase;
    }

    void stream(final ReplayStream stream)
    {
        this.stream = stream;
    }

    void replayer(final StreamReplayer replayer)
    {
        this.current = replayer;
        this.passes = 0;
    }

    void passDone()
    {
        passes++;
    }

    void start()
    {
        thread = new Thread(this::report, "progress");
        thread.setDaemon(true);
        thread.start();
    }

    void stop()
    {
        if (null != thread)
        {
            thread.interrupt();
        }
    }

    private void report()
    {
        try
        {
            while (!Thread.currentThread().isInterrupted())
            {
                Thread.sleep(INTERVAL_MS);
                System.err.println(line());
            }
        }
        catch (final InterruptedException ignore)
        {
            // stop reporting
        }
    }

    String line()
    {
        final double elapsed = (System.nanoTime() - startNanos) / 1e9;
        final ReplayStream replayed = stream;
        if (null == replayed)
        {
            return String.format(Locale.ROOT, "perf %s: %s, %,d trace requests done, %.0f s", tool, phase,
                recorded.get(), elapsed);
        }
        final StreamReplayer replayer = current;
        final int done = null == replayer ? 0 : replayer.progress();
        return String.format(Locale.ROOT, "perf %s: %s, %d passes done, current pass %.0f%%, %.0f s", tool, phase,
            passes, 100.0 * done / Math.max(1, replayed.ops()), elapsed);
    }
}
