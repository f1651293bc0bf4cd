package io.kvindex.router.api;

import io.kvindex.router.Worker;
import io.kvindex.router.codecs.RouterStatus;

/**
 * Caller-owned answer of {@link RouterClient#bestWorker}: the status and, when OK, the chosen worker rank, the
 * blocks of the prompt it already holds and whether the request was booked there.
 */
public final class RouteResult
{
    private RouterStatus status = RouterStatus.NOT_CONNECTED;
    private long workerId;
    private int dpRank;
    private int overlapBlocks;
    private boolean booked;

    /**
     * Outcome of the call.
     *
     * @return the status.
     */
    public RouterStatus status()
    {
        return status;
    }

    /**
     * Chosen worker, valid when {@link #status()} is OK.
     *
     * @return the worker id (unsigned).
     */
    public long workerId()
    {
        return workerId;
    }

    /**
     * Chosen dp rank, valid when {@link #status()} is OK.
     *
     * @return the dp rank.
     */
    public int dpRank()
    {
        return dpRank;
    }

    /**
     * Leading blocks of the prompt the chosen worker holds, as the router saw them.
     *
     * @return the overlap in blocks.
     */
    public int overlapBlocks()
    {
        return overlapBlocks;
    }

    /**
     * Whether the request was booked on the worker (a request id was given).
     *
     * @return true when booked.
     */
    public boolean booked()
    {
        return booked;
    }

    /**
     * Fill the holder.
     *
     * @param status        the status.
     * @param workerId      the worker id.
     * @param dpRank        the dp rank.
     * @param overlapBlocks the overlap in blocks.
     * @param booked        whether booked.
     * @return this.
     */
    public RouteResult set(
        final RouterStatus status, final long workerId, final int dpRank, final int overlapBlocks, final boolean booked)
    {
        this.status = status;
        this.workerId = workerId;
        this.dpRank = dpRank;
        this.overlapBlocks = overlapBlocks;
        this.booked = booked;
        return this;
    }

    /**
     * Set only the status (an error or a timeout); the rest is cleared.
     *
     * @param status the status.
     * @return this.
     */
    public RouteResult status(final RouterStatus status)
    {
        return set(status, 0, 0, 0, false);
    }

    @Override
    public String toString()
    {
        return "RouteResult{" + status + (RouterStatus.OK == status ? ", worker " +
            Worker.of(workerId, dpRank).label() + ", overlap " + overlapBlocks + ", booked " + booked : "") + '}';
    }
}
