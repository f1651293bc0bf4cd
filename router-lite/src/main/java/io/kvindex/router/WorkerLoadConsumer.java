package io.kvindex.router;

/**
 * Receives the active load of each candidate worker rank, e.g. for the {@code worker_active_*} gauges.
 */
@FunctionalInterface
public interface WorkerLoadConsumer
{
    /**
     * One candidate's load.
     *
     * @param workerId            the worker id.
     * @param dpRank              the dp rank.
     * @param activeBlocks        distinct blocks held by booked requests, this router's and its replicas'.
     * @param activePrefillTokens tokens of booked requests whose prefill has not completed.
     */
    void accept(long workerId, int dpRank, long activeBlocks, long activePrefillTokens);
}
