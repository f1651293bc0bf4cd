package io.kvindex.router;

/**
 * The router's view of its {@link WorkerSet}: one {@link WorkerState} per worker rank, kept while the rank is a
 * candidate or still has booked requests, and the array of current candidates, rebuilt (allocating) only when the
 * set changed. A rank that leaves the set drops out of the candidates at once; its approximate-mode blocks are
 * forgotten; its state goes when its last booking does.
 */
final class CandidateWorkers
{
    private static final WorkerState[] NO_STATES = new WorkerState[0];

    private final WorkerSet workerSet;
    private final ApproximateIndex approximate;
    private final OwnerMap<WorkerState> states = new OwnerMap<>();
    private Worker[] snapshot;
    private WorkerState[] candidates = NO_STATES;

    CandidateWorkers(final WorkerSet workerSet, final ApproximateIndex approximate)
    {
        this.workerSet = workerSet;
        this.approximate = approximate;
    }

    /**
     * Apply the worker set's latest change, if any.
     *
     * @return the current candidates, in the set's order.
     */
    WorkerState[] refresh()
    {
        final Worker[] current = workerSet.snapshot();
        if (current != snapshot)
        {
            rebuild(current);
        }
        return candidates;
    }

    /**
     * A known worker rank, candidate or not.
     *
     * @param workerId the worker id.
     * @param dpRank   the dp rank.
     * @return its state or null.
     */
    WorkerState state(final long workerId, final int dpRank)
    {
        return states.get(workerId, dpRank);
    }

    /**
     * A current candidate.
     *
     * @param workerId the worker id.
     * @param dpRank   the dp rank.
     * @return its state, or null when it is not a candidate.
     */
    WorkerState candidate(final long workerId, final int dpRank)
    {
        final WorkerState state = states.get(workerId, dpRank);
        return null != state && state.candidate ? state : null;
    }

    /**
     * Drop a rank's state if it left the set and holds nothing any more.
     *
     * @param state the rank.
     */
    void forgetIfGone(final WorkerState state)
    {
        if (!state.candidate && state.isIdle())
        {
            states.remove(state.workerId, state.dpRank);
        }
    }

    /**
     * Drop the states of every rank that left the set and holds nothing any more, e.g. after bookings expired.
     */
    void forgetIdleNonCandidates()
    {
        int slot = 0;
        while (slot < states.capacity())
        {
            final WorkerState state = states.valueAt(slot);
            if (null != state && !state.candidate && state.isIdle())
            {
                states.remove(state.workerId, state.dpRank);
            }
            else
            {
                slot++;
            }
        }
    }

    private void rebuild(final Worker[] current)
    {
        for (final WorkerState state : candidates)
        {
            state.candidate = false;
        }
        final WorkerState[] next = new WorkerState[current.length];
        for (int i = 0; i < current.length; i++)
        {
            final Worker worker = current[i];
            WorkerState state = states.get(worker.workerId(), worker.dpRank());
            if (null == state)
            {
                state = new WorkerState(worker);
                states.put(worker.workerId(), worker.dpRank(), state);
            }
            state.worker = worker;
            state.candidate = true;
            next[i] = state;
        }
        for (final WorkerState state : candidates)
        {
            if (!state.candidate)
            {
                if (null != approximate)
                {
                    approximate.removeWorker(state.workerId, state.dpRank);
                }
                forgetIfGone(state);
            }
        }
        candidates = next;
        snapshot = current;
    }
}
