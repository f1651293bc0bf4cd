package io.kvindex.mockengine;

/**
 * What the engine did with one request when it admitted it: which rank took it, how much of its prompt was a cache
 * hit, what it stored and evicted, and its simulated timing. Filled by {@link EngineSimulation#admit}; reusable.
 */
public final class Admission
{
    private long requestId;
    private int dpRank;
    private int promptTokens;
    private int promptBlocks;
    private int cachedBlocks;
    private int storedBlocks;
    private int evictedBlocks;
    private int blockSize;
    private int outputTokens;
    private long prefillNs;
    private long decodeNsPerToken;
    private double timeScale;
    private long admittedNs;
    private long releaseNs;

    void set(
        final long requestId,
        final int dpRank,
        final int promptTokens,
        final int promptBlocks,
        final int cachedBlocks,
        final int storedBlocks,
        final int evictedBlocks,
        final int blockSize,
        final int outputTokens)
    {
        this.requestId = requestId;
        this.dpRank = dpRank;
        this.promptTokens = promptTokens;
        this.promptBlocks = promptBlocks;
        this.cachedBlocks = cachedBlocks;
        this.storedBlocks = storedBlocks;
        this.evictedBlocks = evictedBlocks;
        this.blockSize = blockSize;
        this.outputTokens = outputTokens;
    }

    void timing(
        final long prefillNs,
        final long decodeNsPerToken,
        final double timeScale,
        final long admittedNs,
        final long releaseNs)
    {
        this.prefillNs = prefillNs;
        this.decodeNsPerToken = decodeNsPerToken;
        this.timeScale = timeScale;
        this.admittedNs = admittedNs;
        this.releaseNs = releaseNs;
    }

    /**
     * The engine's id of the request, counting from 1.
     *
     * @return request id.
     */
    public long requestId()
    {
        return requestId;
    }

    /**
     * The data-parallel rank that served the request.
     *
     * @return dp rank.
     */
    public int dpRank()
    {
        return dpRank;
    }

    /**
     * Tokens in the prompt.
     *
     * @return prompt tokens.
     */
    public int promptTokens()
    {
        return promptTokens;
    }

    /**
     * Full blocks of the prompt the cache dealt with (a prompt longer than the capacity is cut to it).
     *
     * @return prompt blocks.
     */
    public int promptBlocks()
    {
        return promptBlocks;
    }

    /**
     * Leading prompt blocks that were already cached.
     *
     * @return cached blocks.
     */
    public int cachedBlocks()
    {
        return cachedBlocks;
    }

    /**
     * Prompt tokens that were cache hits: {@code cachedBlocks() * blockSize}.
     *
     * @return cached tokens.
     */
    public int cachedTokens()
    {
        return cachedBlocks * blockSize;
    }

    /**
     * Blocks the request stored (one Stored event).
     *
     * @return stored blocks.
     */
    public int storedBlocks()
    {
        return storedBlocks;
    }

    /**
     * Blocks evicted to make room for it.
     *
     * @return evicted blocks.
     */
    public int evictedBlocks()
    {
        return evictedBlocks;
    }

    /**
     * Tokens it generates.
     *
     * @return output tokens.
     */
    public int outputTokens()
    {
        return outputTokens;
    }

    /**
     * Simulated prefill time, unscaled: uncached prompt tokens (at least 1) times the prefill time per token.
     *
     * @return prefill ns.
     */
    public long prefillNs()
    {
        return prefillNs;
    }

    /**
     * Simulated time per generated token after the first, unscaled.
     *
     * @return decode ns per token.
     */
    public long decodeNsPerToken()
    {
        return decodeNsPerToken;
    }

    /**
     * Real time from admission to the first token: the prefill time scaled by the time scale.
     *
     * @return ns, 0 when the time scale is 0.
     */
    public long firstTokenDelayNs()
    {
        return (long)(prefillNs * timeScale);
    }

    /**
     * Real time between two generated tokens: the decode time scaled by the time scale.
     *
     * @return ns, 0 when the time scale is 0.
     */
    public long interTokenDelayNs()
    {
        return (long)(decodeNsPerToken * timeScale);
    }

    /**
     * When it was admitted, on the engine's clock ({@link System#nanoTime()} for a running engine).
     *
     * @return admission time in ns.
     */
    public long admittedNs()
    {
        return admittedNs;
    }

    /**
     * When it releases its blocks, on the engine's clock: after its first token and the rest at the decode rate.
     *
     * @return release time in ns.
     */
    public long releaseNs()
    {
        return releaseNs;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "Admission{request " + requestId + ", rank " + dpRank + ", prompt " + promptTokens + " tokens / " +
            promptBlocks + " blocks, cached " + cachedBlocks + ", stored " + storedBlocks + ", evicted " +
            evictedBlocks + ", output " + outputTokens + ", prefill " + prefillNs + " ns}";
    }
}
