package io.kvindex.router;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The candidate workers of a router, changeable at runtime from any thread. Writers copy the array (changes are
 * rare); the router reads the current array with one volatile read per request, so a removed worker gets no more
 * traffic from the next request on. Order is insertion order; replacing a worker keeps its place.
 */
public final class WorkerSet
{
    private static final Worker[] EMPTY = new Worker[0];

    private volatile Worker[] workers = EMPTY;
    private volatile long version;

    /**
     * Add a worker rank, or replace the one with the same {@code (workerId, dpRank)}.
     *
     * @param worker the worker.
     * @return this.
     */
    public synchronized WorkerSet add(final Worker worker)
    {
        final Worker[] current = workers;
        final int i = indexOf(current, worker.workerId(), worker.dpRank());
        final Worker[] next;
        if (i >= 0)
        {
            next = current.clone();
            next[i] = worker;
        }
        else
        {
            next = new Worker[current.length + 1];
            System.arraycopy(current, 0, next, 0, current.length);
            next[current.length] = worker;
        }
        publish(next);
        return this;
    }

    /**
     * Remove every dp rank of a worker.
     *
     * @param workerId the worker id.
     * @return how many ranks were removed.
     */
    public synchronized int remove(final long workerId)
    {
        final List<Worker> kept = new ArrayList<>();
        for (final Worker worker : workers)
        {
            if (worker.workerId() != workerId)
            {
                kept.add(worker);
            }
        }
        final int removed = workers.length - kept.size();
        if (removed > 0)
        {
            publish(kept.toArray(EMPTY));
        }
        return removed;
    }

    /**
     * Remove one dp rank of a worker.
     *
     * @param workerId the worker id.
     * @param dpRank   the dp rank.
     * @return true when it was a candidate.
     */
    public synchronized boolean remove(final long workerId, final int dpRank)
    {
        final Worker[] current = workers;
        final int i = indexOf(current, workerId, dpRank);
        if (i < 0)
        {
            return false;
        }
        final Worker[] next = new Worker[current.length - 1];
        System.arraycopy(current, 0, next, 0, i);
        System.arraycopy(current, i + 1, next, i, current.length - i - 1);
        publish(next);
        return true;
    }

    /**
     * Replace the whole set, e.g. after a worker file was reloaded.
     *
     * @param replacement the new candidates; a rank given twice keeps the last.
     * @return this.
     */
    public synchronized WorkerSet replaceAll(final Collection<Worker> replacement)
    {
        final List<Worker> next = new ArrayList<>();
        for (final Worker worker : replacement)
        {
            final int i = indexOf(next, worker.workerId(), worker.dpRank());
            if (i >= 0)
            {
                next.set(i, worker);
            }
            else
            {
                next.add(worker);
            }
        }
        publish(next.toArray(EMPTY));
        return this;
    }

    /**
     * The worker rank {@code (workerId, dpRank)}.
     *
     * @param workerId the worker id.
     * @param dpRank   the dp rank.
     * @return the worker or null when it is not a candidate.
     */
    public Worker find(final long workerId, final int dpRank)
    {
        final Worker[] current = workers;
        final int i = indexOf(current, workerId, dpRank);
        return i < 0 ? null : current[i];
    }

    /**
     * The candidates now.
     *
     * @return a copy of the current list.
     */
    public List<Worker> workers()
    {
        return List.of(workers);
    }

    /**
     * Number of candidates now.
     *
     * @return candidate count.
     */
    public int size()
    {
        return workers.length;
    }

    /**
     * Incremented on every change; the router compares it to rebuild its candidate list.
     *
     * @return the version.
     */
    public long version()
    {
        return version;
    }

    Worker[] snapshot()
    {
        return workers;
    }

    private void publish(final Worker[] next)
    {
        workers = next;
        version = version + 1;
    }

    private static int indexOf(final Worker[] workers, final long workerId, final int dpRank)
    {
        for (int i = 0; i < workers.length; i++)
        {
            if (workers[i].is(workerId, dpRank))
            {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(final List<Worker> workers, final long workerId, final int dpRank)
    {
        for (int i = 0; i < workers.size(); i++)
        {
            if (workers.get(i).is(workerId, dpRank))
            {
                return i;
            }
        }
        return -1;
    }
}
