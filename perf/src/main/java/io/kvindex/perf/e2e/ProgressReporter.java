package io.kvindex.perf.e2e;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Prints a progress line every interval while a phase runs, from a daemon thread that sleeps in between; reads only
 * the counters a {@link PhaseResult} publishes for it.
 */
final class ProgressReporter implements AutoCloseable
{
    private final long intervalMs;
    private final PrintStream out;
    private final Thread thread;
    private volatile PhaseResult current;
    private volatile long phaseStartNs;
    private volatile long phaseNs;
    private volatile IngestLoad ingest;

    ProgressReporter(final long intervalMs, final PrintStream out)
    {
        this.intervalMs = intervalMs;
        this.out = out;
        thread = new Thread(this::run, "kvindex-e2e-progress");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Report on a phase from now on.
     *
     * @param result     the phase's result, or null between phases.
     * @param durationNs how long its queries are due for.
     */
    void phase(final PhaseResult result, final long durationNs)
    {
        phaseNs = durationNs;
        phaseStartNs = System.nanoTime();
        current = result;
    }

    /**
     * Report ingest too, or no longer when null.
     *
     * @param ingest the running ingest or null.
     */
    void ingest(final IngestLoad ingest)
    {
        this.ingest = ingest;
    }

    @Override
    public void close()
    {
        thread.interrupt();
    }

    private void run()
    {
        try
        {
            while (!Thread.currentThread().isInterrupted())
            {
                Thread.sleep(intervalMs);
                final PhaseResult result = current;
                if (null != result)
                {
                    out.println(line(result));
                }
            }
        }
        catch (final InterruptedException ignore)
        {
            // closed
        }
    }

    private String line(final PhaseResult result)
    {
        final long sent = result.sentSoFar();
        final long answered = result.answeredSoFar();
        final IngestLoad ingest = this.ingest;
        return String.format(Locale.ROOT, "perf e2e: %s %.0f/%.0f s, sent %,d, answered %,d, not answered yet %,d%s",
            result.name(), (System.nanoTime() - phaseStartNs) / 1e9, phaseNs / 1e9, sent, answered,
            Math.max(0, sent - answered), null == ingest ? "" : String.format(Locale.ROOT,
            ", ingest events applied %,d (%,d failed)", ingest.applied(), ingest.failed()));
    }
}
