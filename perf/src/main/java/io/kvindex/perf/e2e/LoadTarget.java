package io.kvindex.perf.e2e;

/**
 * Where {@link FixedRateLoad} sends queries: the indexer client or the bare echo client. Called from the load thread
 * only; answers are recorded into the {@link PhaseResult} given last, during {@link #poll()}.
 */
interface LoadTarget extends AutoCloseable
{
    /**
     * Record answers from now on into a phase's result.
     *
     * @param result the phase's result.
     */
    void recordInto(PhaseResult result);

    /**
     * Send a query now, if possible.
     *
     * @param query      index of the query in the workload.
     * @param intendedNs when it was due; its latency counts from here.
     * @return false when it cannot be sent now (no free slot, back pressure): try again after a poll.
     */
    boolean send(int query, long intendedNs);

    /**
     * Read answers and do the transport's housekeeping.
     *
     * @return work done, 0 when idle.
     */
    int poll();

    /**
     * Queries sent and not answered yet.
     *
     * @return in-flight count.
     */
    int inFlight();

    /**
     * Release the transport's resources.
     */
    @Override
    void close();
}
