package io.kvindex.mockengine;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Replays a Mooncake trace file into a running {@link MockEngine} on its own thread: each line is submitted at its
 * {@code timestamp} divided by the rate (rate 2 replays twice as fast; rate 0 ignores timestamps and submits as fast
 * as requests are admitted), with a bound on requests waiting for admission. Malformed lines are counted and
 * skipped.
 */
public final class TracePlayer implements AutoCloseable
{
    /** Default most requests submitted and not yet admitted. */
    public static final int DEFAULT_MAX_PENDING = 1024;

    private final MockEngine engine;
    private final Path file;
    private final double rate;
    private final Semaphore pending;
    private final Thread thread;
    private final AtomicLong admitted = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile long submitted;
    private volatile long malformedLines;
    private volatile boolean done;
    private volatile String error;

    /**
     * A player, not started.
     *
     * @param engine     the engine to submit to.
     * @param file       the JSONL trace.
     * @param rate       speed factor on the trace's timestamps, or 0 for no waiting.
     * @param maxPending most requests submitted and not yet admitted.
     */
    public TracePlayer(final MockEngine engine, final Path file, final double rate, final int maxPending)
    {
        if (rate < 0 || !Double.isFinite(rate) || maxPending < 1)
        {
            throw new IllegalArgumentException("rate must be >= 0 and max pending >= 1: " + rate + ", " + maxPending);
        }
        this.engine = engine;
        this.file = file;
        this.rate = rate;
        this.pending = new Semaphore(maxPending);
        this.thread = new Thread(this::run, "mock-engine-trace");
        thread.setDaemon(true);
    }

    /**
     * Start replaying.
     *
     * @return this.
     */
    public TracePlayer start()
    {
        thread.start();
        return this;
    }

    private void run()
    {
        final long startNs = System.nanoTime();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            String line;
            while (null != (line = reader.readLine()) && !Thread.currentThread().isInterrupted())
            {
                if (!line.isBlank())
                {
                    play(line, startNs);
                }
            }
        }
        catch (final IOException ex)
        {
            error = ex.toString();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            done = true;
        }
    }

    private void play(final String line, final long startNs) throws InterruptedException
    {
        final TraceRequest request;
        try
        {
            request = TraceRequest.parse(line);
        }
        catch (final IllegalArgumentException ex)
        {
            malformedLines++;
            return;
        }
        if (rate > 0)
        {
            final long dueNs = startNs + (long)(TimeUnit.MILLISECONDS.toNanos(request.timestampMs()) / rate);
            long remaining;
            while ((remaining = dueNs - System.nanoTime()) > 0)
            {
                LockSupport.parkNanos(remaining);
                if (Thread.interrupted())
                {
                    throw new InterruptedException();
                }
            }
        }
        pending.acquire();
        submitted++;
        engine.submit(request.prompt(), request.outputLength(), -1).whenComplete((admission, failure) ->
        {
            pending.release();
            (null == failure ? admitted : failed).incrementAndGet();
        });
    }

    /**
     * Requests submitted so far.
     *
     * @return the count.
     */
    public long submitted()
    {
        return submitted;
    }

    /**
     * Requests admitted so far.
     *
     * @return the count.
     */
    public long admitted()
    {
        return admitted.get();
    }

    /**
     * Requests the engine refused (closed or overloaded).
     *
     * @return the count.
     */
    public long failed()
    {
        return failed.get();
    }

    /**
     * Lines skipped as malformed.
     *
     * @return the count.
     */
    public long malformedLines()
    {
        return malformedLines;
    }

    /**
     * Whether the whole file was read (or reading failed).
     *
     * @return true when done.
     */
    public boolean isDone()
    {
        return done;
    }

    /**
     * Why reading the file failed.
     *
     * @return the error, or null.
     */
    public String error()
    {
        return error;
    }

    /**
     * Stop replaying and wait for the thread.
     */
    @Override
    public void close()
    {
        thread.interrupt();
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
