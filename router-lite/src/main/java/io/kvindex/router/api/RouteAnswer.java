package io.kvindex.router.api;

import io.kvindex.router.RoutingDecision;
import io.kvindex.router.RoutingStatus;
import io.kvindex.router.Worker;

/**
 * An immutable routing outcome handed from the router thread to an in-process caller (the HTTP API).
 *
 * @param status        the outcome; {@link RoutingStatus#QUEUED} only for a queued request dropped by a free.
 * @param worker        the chosen worker (with its URL), or null when not routed.
 * @param overlapBlocks leading blocks of the prompt the worker holds.
 * @param booked        whether the request was booked.
 */
public record RouteAnswer(RoutingStatus status, Worker worker, int overlapBlocks, boolean booked)
{
    /**
     * Copy a decision.
     *
     * @param decision the router's decision.
     * @return the answer.
     */
    public static RouteAnswer of(final RoutingDecision decision)
    {
        final boolean routed = RoutingStatus.ROUTED == decision.status();
        return new RouteAnswer(decision.status(), routed ? decision.worker() : null,
            routed ? decision.overlapBlocks() : 0, routed && decision.booked());
    }

    /**
     * Whether a worker was chosen.
     *
     * @return true when routed.
     */
    public boolean routed()
    {
        return RoutingStatus.ROUTED == status;
    }
}
