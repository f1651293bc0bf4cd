package io.kvindex.router;

import java.util.Arrays;
import java.util.Locale;

/**
 * Caller-owned result of a routing call: the status, the chosen worker rank and its overlap, and every candidate's
 * terms of the cost function, from which {@link #explain(StringBuilder)} writes one line per worker:
 * {@code worker 3: 125.3 = 1.0 × 100.5 + 25.0 (cached blocks 15)} (logit = weight × prefill blocks + decode blocks).
 * Reused across calls; grows only when there are more candidates than it has held before.
 */
public final class RoutingDecision
{
    private RoutingStatus status = RoutingStatus.NO_WORKERS;
    private RouterMode mode = RouterMode.KV;
    private Worker worker;
    private int overlapBlocks;
    private double logit;
    private boolean booked;
    private boolean fellBack;
    private boolean queried;
    private boolean forced;
    private double overlapScoreWeight;
    private double temperature;
    private int blockSize = 1;
    private int isl;
    private int requestBlocks;
    private int candidates;
    private long[] workerIds = new long[16];
    private int[] dpRanks = new int[16];
    private int[] overlaps = new int[16];
    private long[] treeSizes = new long[16];
    private long[] prefillTokens = new long[16];
    private long[] decodeBlocks = new long[16];
    private double[] logits = new double[16];

    /**
     * Outcome of the call.
     *
     * @return the status; the worker fields are valid when {@link RoutingStatus#ROUTED}.
     */
    public RoutingStatus status()
    {
        return status;
    }

    /**
     * The chosen worker rank, with its URL.
     *
     * @return the worker, null unless routed.
     */
    public Worker worker()
    {
        return worker;
    }

    /**
     * The chosen worker id.
     *
     * @return worker id, unsigned in a long.
     */
    public long workerId()
    {
        return null == worker ? 0 : worker.workerId();
    }

    /**
     * The chosen dp rank.
     *
     * @return dp rank.
     */
    public int dpRank()
    {
        return null == worker ? 0 : worker.dpRank();
    }

    /**
     * Leading blocks of the prompt the chosen worker holds, as the index said.
     *
     * @return overlap blocks.
     */
    public int overlapBlocks()
    {
        return overlapBlocks;
    }

    /**
     * The chosen worker's logit (kv mode).
     *
     * @return the logit.
     */
    public double logit()
    {
        return logit;
    }

    /**
     * Whether the request was booked (a request id was given and it was routed).
     *
     * @return true when booked.
     */
    public boolean booked()
    {
        return booked;
    }

    /**
     * Whether the overlaps were wanted but the indexer did not give them in time, so the decision used load alone.
     *
     * @return true on a fallback.
     */
    public boolean fellBack()
    {
        return fellBack;
    }

    /**
     * Whether the index was asked for overlaps (kv mode with a weight above 0).
     *
     * @return true when queried.
     */
    public boolean queried()
    {
        return queried;
    }

    /**
     * Whether the caller forced the worker.
     *
     * @return true for custom routing.
     */
    public boolean forced()
    {
        return forced;
    }

    /**
     * The mode that decided.
     *
     * @return the mode.
     */
    public RouterMode mode()
    {
        return mode;
    }

    /**
     * Overlap score weight used.
     *
     * @return the weight.
     */
    public double overlapScoreWeight()
    {
        return overlapScoreWeight;
    }

    /**
     * Temperature used.
     *
     * @return the temperature.
     */
    public double temperature()
    {
        return temperature;
    }

    /**
     * Input sequence length in tokens.
     *
     * @return the prompt's tokens.
     */
    public int isl()
    {
        return isl;
    }

    /**
     * Full blocks of the prompt.
     *
     * @return blocks.
     */
    public int requestBlocks()
    {
        return requestBlocks;
    }

    /**
     * Number of candidates scored.
     *
     * @return candidates.
     */
    public int candidateCount()
    {
        return candidates;
    }

    /**
     * Worker id of candidate {@code i}.
     *
     * @param i candidate index.
     * @return worker id.
     */
    public long candidateWorkerId(final int i)
    {
        return workerIds[i];
    }

    /**
     * Dp rank of candidate {@code i}.
     *
     * @param i candidate index.
     * @return dp rank.
     */
    public int candidateDpRank(final int i)
    {
        return dpRanks[i];
    }

    /**
     * Cached leading blocks of candidate {@code i}.
     *
     * @param i candidate index.
     * @return overlap blocks.
     */
    public int candidateOverlapBlocks(final int i)
    {
        return overlaps[i];
    }

    /**
     * Tree size of candidate {@code i} as the index reported it (0 when it matched nothing).
     *
     * @param i candidate index.
     * @return blocks held.
     */
    public long candidateTreeSize(final int i)
    {
        return treeSizes[i];
    }

    /**
     * Prefill tokens candidate {@code i} would have with this request.
     *
     * @param i candidate index.
     * @return potential prefill tokens.
     */
    public long candidatePrefillTokens(final int i)
    {
        return prefillTokens[i];
    }

    /**
     * Prefill term of candidate {@code i}: its potential prefill tokens over the block size.
     *
     * @param i candidate index.
     * @return prefill blocks.
     */
    public double candidatePrefillBlocks(final int i)
    {
        return (double)prefillTokens[i] / blockSize;
    }

    /**
     * Decode term of candidate {@code i}: active blocks plus the blocks this request adds.
     *
     * @param i candidate index.
     * @return decode blocks.
     */
    public long candidateDecodeBlocks(final int i)
    {
        return decodeBlocks[i];
    }

    /**
     * Logit of candidate {@code i}; lower is better.
     *
     * @param i candidate index.
     * @return the logit.
     */
    public double candidateLogit(final int i)
    {
        return logits[i];
    }

    /**
     * Append the breakdown: a header, one line per candidate, and the choice.
     *
     * @param sb where to append.
     * @return {@code sb}.
     */
    public StringBuilder explain(final StringBuilder sb)
    {
        sb.append("mode ").append(mode.flagName()).append(", weight ").append(format(overlapScoreWeight))
            .append(", temperature ").append(format(temperature)).append(", isl ").append(isl).append(" tokens, ")
            .append(requestBlocks).append(" blocks").append(fellBack ? ", indexer unavailable: load only" : "")
            .append('\n');
        for (int i = 0; i < candidates; i++)
        {
            sb.append("worker ").append(Worker.label(workerIds[i], dpRanks[i])).append(": ")
                .append(format(logits[i])).append(" = ").append(format(overlapScoreWeight)).append(" × ")
                .append(format(candidatePrefillBlocks(i))).append(" + ").append(format((double)decodeBlocks[i]))
                .append(" (cached blocks ").append(overlaps[i]).append(")\n");
        }
        sb.append(status);
        if (null != worker)
        {
            sb.append(": worker ").append(worker.label()).append(forced ? " (forced)" : "");
        }
        return sb;
    }

    /**
     * The breakdown as a string.
     *
     * @return what {@link #explain(StringBuilder)} writes.
     */
    public String explanation()
    {
        return explain(new StringBuilder(128 + 64 * candidates)).toString();
    }

    @Override
    public String toString()
    {
        return "RoutingDecision{" + status + (null == worker ? "" : " worker " + worker.label()) + ", overlap " +
            overlapBlocks + ", logit " + format(logit) + (booked ? ", booked" : "") + (fellBack ? ", fell back" : "") +
            '}';
    }

    void begin(
        final RouterMode mode,
        final double overlapScoreWeight,
        final double temperature,
        final int blockSize,
        final int isl,
        final int requestBlocks)
    {
        this.status = RoutingStatus.NO_WORKERS;
        this.mode = mode;
        this.worker = null;
        this.overlapBlocks = 0;
        this.logit = 0;
        this.booked = false;
        this.fellBack = false;
        this.queried = false;
        this.forced = false;
        this.overlapScoreWeight = overlapScoreWeight;
        this.temperature = temperature;
        this.blockSize = blockSize;
        this.isl = isl;
        this.requestBlocks = requestBlocks;
        this.candidates = 0;
    }

    void overlaps(final boolean queried, final boolean fellBack)
    {
        this.queried = queried;
        this.fellBack = fellBack;
    }

    void candidate(final WorkerState state)
    {
        if (candidates == workerIds.length)
        {
            final int capacity = candidates * 2;
            workerIds = Arrays.copyOf(workerIds, capacity);
            dpRanks = Arrays.copyOf(dpRanks, capacity);
            overlaps = Arrays.copyOf(overlaps, capacity);
            treeSizes = Arrays.copyOf(treeSizes, capacity);
            prefillTokens = Arrays.copyOf(prefillTokens, capacity);
            decodeBlocks = Arrays.copyOf(decodeBlocks, capacity);
            logits = Arrays.copyOf(logits, capacity);
        }
        final int i = candidates++;
        workerIds[i] = state.workerId;
        dpRanks[i] = state.dpRank;
        overlaps[i] = state.overlapBlocks;
        treeSizes[i] = state.treeSize;
        prefillTokens[i] = state.potentialPrefillTokens;
        decodeBlocks[i] = state.potentialDecodeBlocks;
        logits[i] = state.logit;
    }

    void chosen(final RoutingStatus status, final WorkerState state, final boolean forced)
    {
        this.status = status;
        this.forced = forced;
        if (null != state)
        {
            this.worker = state.worker;
            this.overlapBlocks = state.overlapBlocks;
            this.logit = state.logit;
        }
    }

    void status(final RoutingStatus status)
    {
        this.status = status;
    }

    void booked(final boolean booked)
    {
        this.booked = booked;
    }

    private static String format(final double value)
    {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
