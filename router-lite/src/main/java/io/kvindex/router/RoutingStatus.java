package io.kvindex.router;

/**
 * Outcome of a routing call.
 */
public enum RoutingStatus
{
    /** A worker was chosen (and booked when a request id was given). */
    ROUTED,
    /** Every candidate is over the queue threshold: the request waits and its decision comes to the listener. */
    QUEUED,
    /** There is no candidate worker. */
    NO_WORKERS,
    /** The forced worker is not a candidate. */
    UNKNOWN_WORKER,
    /** The request id is already booked or waiting; nothing was changed. */
    DUPLICATE_REQUEST
}
