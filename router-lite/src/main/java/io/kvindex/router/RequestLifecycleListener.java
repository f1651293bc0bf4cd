package io.kvindex.router;

/**
 * Told of a router's own request lifecycle, on the router's thread: a booking, its prefill completing, its free.
 * Replica sync publishes these to the other replicas; {@link Router#forEachBooking} replays the current bookings
 * through the same interface for a snapshot. Implementations must not call back into the router.
 */
public interface RequestLifecycleListener
{
    /**
     * A request was booked on a worker rank.
     *
     * @param requestId      the request id.
     * @param workerId       the worker id.
     * @param dpRank         the dp rank.
     * @param sequenceHashes the blocks it holds there (valid during the call only).
     * @param count          number of hashes, 0 when active blocks are not tracked.
     * @param isl            input sequence length in tokens, 0 when replayed from a snapshot.
     * @param prefillTokens  tokens still to prefill, 0 once prefill completed.
     */
    void onBooked(
        String requestId, long workerId, int dpRank, long[] sequenceHashes, int count, int isl, long prefillTokens);

    /**
     * The request's first token came out.
     *
     * @param requestId the request id.
     */
    void onPrefillComplete(String requestId);

    /**
     * The request was freed by its caller.
     *
     * @param requestId the request id.
     */
    void onFreed(String requestId);
}
