package io.kvindex.server;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A task handed to the index writer that its caller waits for. The wait for the writer to take the task is bounded;
 * a task not taken in time is abandoned (it will not run), while one already running is waited for to the end, so
 * its caller never sees it still writing after the wait returned.
 */
final class WriterTask implements Runnable
{
    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int ABANDONED = 2;

    private final Runnable task;
    private final AtomicInteger state = new AtomicInteger(QUEUED);
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile RuntimeException failure;

    WriterTask(final Runnable task)
    {
        this.task = task;
    }

    /**
     * Runs on the writer thread, unless the caller gave up first.
     */
    @Override
    public void run()
    {
        if (!state.compareAndSet(QUEUED, RUNNING))
        {
            return;
        }
        try
        {
            task.run();
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
        }
        finally
        {
            done.countDown();
        }
    }

    /**
     * Wait for the task to run.
     *
     * @param deadlineNs until when the writer may take to start it, in {@link System#nanoTime()} time.
     * @throws IllegalStateException when it was not started in time (it is then abandoned).
     */
    void await(final long deadlineNs)
    {
        try
        {
            final long waitNs = deadlineNs - System.nanoTime();
            if (!done.await(Math.max(0, waitNs), TimeUnit.NANOSECONDS))
            {
                if (state.compareAndSet(QUEUED, ABANDONED))
                {
                    throw new IllegalStateException("the index writer did not take the task in time");
                }
                done.await();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            if (state.compareAndSet(QUEUED, ABANDONED))
            {
                throw new IllegalStateException("interrupted while waiting for the index writer", ex);
            }
            awaitRunningTask();
        }
        final RuntimeException ex = failure;
        if (null != ex)
        {
            throw ex;
        }
    }

    private void awaitRunningTask()
    {
        while (done.getCount() > 0)
        {
            try
            {
                done.await();
            }
            catch (final InterruptedException ignore)
            {
                // The task writes into the caller's objects: return only once it ended; the interrupt is kept.
            }
        }
    }
}
