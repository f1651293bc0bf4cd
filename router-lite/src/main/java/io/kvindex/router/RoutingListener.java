package io.kvindex.router;

/**
 * Told when a request that waited in the queue is routed and booked, on the router's thread, from inside the call
 * that freed the capacity ({@code free}, {@code markPrefillComplete}, {@code doWork}). The listener may call the
 * router (e.g. to free a request whose client went away); requests it frees are released by the loop in progress.
 */
@FunctionalInterface
public interface RoutingListener
{
    /**
     * A waiting request was routed and booked.
     *
     * @param requestId the request id given when it was queued.
     * @param decision  the decision; owned by the router and valid only during the call.
     */
    void onRouted(String requestId, RoutingDecision decision);
}
