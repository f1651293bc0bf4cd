package io.kvindex.router;

/**
 * Per-request settings that override the router's: {@code overlap_score_weight}, {@code router_temperature}, a
 * forced worker (the caller picked it; the router still books it), the queue priority and the LoRA adapter the
 * prompt's tokens are hashed for. Caller-owned and reusable: {@link #reset()} between requests.
 */
public final class RouteOverrides
{
    private double overlapScoreWeight = Double.NaN;
    private double temperature = Double.NaN;
    private boolean hasForcedWorker;
    private long forcedWorkerId;
    private int forcedDpRank;
    private double priority;
    private String loraName;

    /**
     * Clear every override.
     *
     * @return this.
     */
    public RouteOverrides reset()
    {
        overlapScoreWeight = Double.NaN;
        temperature = Double.NaN;
        hasForcedWorker = false;
        forcedWorkerId = 0;
        forcedDpRank = 0;
        priority = 0;
        loraName = null;
        return this;
    }

    /**
     * Overlap score weight for this request ({@code overlap_score_weight}).
     *
     * @param weight at least 0; NaN for the router's.
     * @return this.
     */
    public RouteOverrides overlapScoreWeight(final double weight)
    {
        if (weight < 0 || Double.isInfinite(weight))
        {
            throw new IllegalArgumentException("overlap score weight must be finite and >= 0: " + weight);
        }
        this.overlapScoreWeight = weight;
        return this;
    }

    /**
     * Overlap score weight for this request.
     *
     * @return the weight, NaN when not overridden.
     */
    public double overlapScoreWeight()
    {
        return overlapScoreWeight;
    }

    /**
     * Temperature for this request ({@code router_temperature}).
     *
     * @param temperature at least 0; NaN for the router's.
     * @return this.
     */
    public RouteOverrides temperature(final double temperature)
    {
        if (temperature < 0 || Double.isInfinite(temperature))
        {
            throw new IllegalArgumentException("temperature must be finite and >= 0: " + temperature);
        }
        this.temperature = temperature;
        return this;
    }

    /**
     * Temperature for this request.
     *
     * @return the temperature, NaN when not overridden.
     */
    public double temperature()
    {
        return temperature;
    }

    /**
     * Send the request to this worker rank (custom routing); it must be a candidate.
     *
     * @param workerId the worker id.
     * @param dpRank   the dp rank.
     * @return this.
     */
    public RouteOverrides forceWorker(final long workerId, final int dpRank)
    {
        this.hasForcedWorker = true;
        this.forcedWorkerId = workerId;
        this.forcedDpRank = dpRank;
        return this;
    }

    /**
     * Whether a worker is forced.
     *
     * @return true after {@link #forceWorker}.
     */
    public boolean hasForcedWorker()
    {
        return hasForcedWorker;
    }

    /**
     * The forced worker id.
     *
     * @return the worker id.
     */
    public long forcedWorkerId()
    {
        return forcedWorkerId;
    }

    /**
     * The forced dp rank.
     *
     * @return the dp rank.
     */
    public int forcedDpRank()
    {
        return forcedDpRank;
    }

    /**
     * Queue priority: higher goes first (under fcfs, seconds of head start).
     *
     * @param priority the priority, finite.
     * @return this.
     */
    public RouteOverrides priority(final double priority)
    {
        if (!Double.isFinite(priority))
        {
            throw new IllegalArgumentException("priority must be finite: " + priority);
        }
        this.priority = priority;
        return this;
    }

    /**
     * Queue priority.
     *
     * @return the priority, 0 by default.
     */
    public double priority()
    {
        return priority;
    }

    /**
     * LoRA adapter whose seed hashes the prompt's tokens.
     *
     * @param loraName the adapter name, null or empty for none.
     * @return this.
     */
    public RouteOverrides loraName(final String loraName)
    {
        this.loraName = loraName;
        return this;
    }

    /**
     * LoRA adapter name.
     *
     * @return the name or null.
     */
    public String loraName()
    {
        return loraName;
    }
}
