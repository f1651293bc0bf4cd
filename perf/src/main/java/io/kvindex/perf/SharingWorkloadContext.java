package io.kvindex.perf;

/**
 * Settings of a {@link SharingWorkload}, with defaults for the standard benchmark workload: 16 owners, about
 * 1M blocks, shared engine hashes, 8192 queries of 64 blocks, 4096 apply chains of 16 blocks.
 */
public final class SharingWorkloadContext
{
    private int owners = 16;
    private int dpRanksPerWorker = 1;
    private int targetBlocks = 1_000_000;
    private long seed = 0x5eedL;
    private boolean perOwnerEngineHashes;
    private int systemPrompts = 8;
    private int systemPromptVariants = 8;
    private int systemPromptMinBlocks = 4;
    private int systemPromptMaxBlocks = 32;
    private int turnMinBlocks = 8;
    private int turnMaxBlocks = 64;
    private int maxTurns = 8;
    private double continueProbability = 0.6;
    private int activeConversations = 256;
    private double stickyProbability = 0.8;
    private int maxEventBlocks = 128;
    private int queryCount = 8192;
    private int queryBlocks = 64;
    private double missQueryFraction = 0.05;
    private double newConversationQueryFraction = 0.10;
    private int applyChains = 4096;
    private int applyChainBlocks = 16;

    SharingWorkloadContext conclude()
    {
        require(owners >= 1 && owners <= PrefixModel.MAX_OWNERS, "owners in 1..64");
        require(dpRanksPerWorker >= 1 && owners % dpRanksPerWorker == 0, "dpRanksPerWorker divides owners");
        require(targetBlocks >= 1, "targetBlocks >= 1");
        require(systemPrompts >= 1 && systemPromptVariants >= 1, "systemPrompts, systemPromptVariants >= 1");
        require(systemPromptMinBlocks >= 1 && systemPromptMinBlocks <= systemPromptMaxBlocks, "system prompt blocks");
        require(turnMinBlocks >= 1 && turnMinBlocks <= turnMaxBlocks, "turn blocks");
        require(maxTurns >= 1 && activeConversations >= 1 && maxEventBlocks >= 1, "maxTurns, active, maxEventBlocks");
        require(continueProbability >= 0 && continueProbability < 1, "continueProbability in [0, 1)");
        require(stickyProbability >= 0 && stickyProbability <= 1, "stickyProbability in [0, 1]");
        require(queryCount >= 1 && queryBlocks >= 1, "queryCount, queryBlocks >= 1");
        require(missQueryFraction >= 0 && newConversationQueryFraction >= 0 &&
            missQueryFraction + newConversationQueryFraction <= 1, "query fractions");
        require(applyChains >= 1 && applyChainBlocks >= 1, "applyChains, applyChainBlocks >= 1");
        return this;
    }

    private static void require(final boolean condition, final String what)
    {
        if (!condition)
        {
            throw new IllegalArgumentException("invalid SharingWorkload setting: " + what);
        }
    }

    /**
     * @param owners cache owners {@code (worker, dp rank)}, 1 to 64.
     * @return this.
     */
    public SharingWorkloadContext owners(final int owners)
    {
        this.owners = owners;
        return this;
    }

    /**
     * @return cache owners.
     */
    public int owners()
    {
        return owners;
    }

    /**
     * @param dpRanksPerWorker dp ranks per worker id; owners are workers times this.
     * @return this.
     */
    public SharingWorkloadContext dpRanksPerWorker(final int dpRanksPerWorker)
    {
        this.dpRanksPerWorker = dpRanksPerWorker;
        return this;
    }

    /**
     * @return dp ranks per worker id.
     */
    public int dpRanksPerWorker()
    {
        return dpRanksPerWorker;
    }

    /**
     * @param targetBlocks distinct blocks (nodes) to warm the index to; overshoot is at most one request.
     * @return this.
     */
    public SharingWorkloadContext targetBlocks(final int targetBlocks)
    {
        this.targetBlocks = targetBlocks;
        return this;
    }

    /**
     * @return distinct blocks to warm the index to.
     */
    public int targetBlocks()
    {
        return targetBlocks;
    }

    /**
     * @param seed seed of every random draw; equal settings and seed give an equal workload.
     * @return this.
     */
    public SharingWorkloadContext seed(final long seed)
    {
        this.seed = seed;
        return this;
    }

    /**
     * @return the seed.
     */
    public long seed()
    {
        return seed;
    }

    /**
     * @param perOwnerEngineHashes true: each owner reports its own engine hashes for the same prefix; false:
     *                             every owner reports the same engine hash for the same prefix.
     * @return this.
     */
    public SharingWorkloadContext perOwnerEngineHashes(final boolean perOwnerEngineHashes)
    {
        this.perOwnerEngineHashes = perOwnerEngineHashes;
        return this;
    }

    /**
     * @return whether engine hashes differ per owner.
     */
    public boolean perOwnerEngineHashes()
    {
        return perOwnerEngineHashes;
    }

    /**
     * @param prompts  system prompts under the common first block.
     * @param variants variants under each system prompt; a conversation starts on a variant.
     * @return this.
     */
    public SharingWorkloadContext systemPrompts(final int prompts, final int variants)
    {
        this.systemPrompts = prompts;
        this.systemPromptVariants = variants;
        return this;
    }

    /**
     * @return system prompts.
     */
    public int systemPrompts()
    {
        return systemPrompts;
    }

    /**
     * @return variants per system prompt.
     */
    public int systemPromptVariants()
    {
        return systemPromptVariants;
    }

    /**
     * @param min fewest blocks of a system prompt, and of a variant.
     * @param max most blocks of a system prompt, and of a variant.
     * @return this.
     */
    public SharingWorkloadContext systemPromptBlocks(final int min, final int max)
    {
        this.systemPromptMinBlocks = min;
        this.systemPromptMaxBlocks = max;
        return this;
    }

    /**
     * @return fewest blocks of a system prompt level.
     */
    public int systemPromptMinBlocks()
    {
        return systemPromptMinBlocks;
    }

    /**
     * @return most blocks of a system prompt level.
     */
    public int systemPromptMaxBlocks()
    {
        return systemPromptMaxBlocks;
    }

    /**
     * @param min fewest new blocks a turn adds (the previous answer and the new message).
     * @param max most new blocks a turn adds.
     * @return this.
     */
    public SharingWorkloadContext turnBlocks(final int min, final int max)
    {
        this.turnMinBlocks = min;
        this.turnMaxBlocks = max;
        return this;
    }

    /**
     * @return fewest new blocks per turn.
     */
    public int turnMinBlocks()
    {
        return turnMinBlocks;
    }

    /**
     * @return most new blocks per turn.
     */
    public int turnMaxBlocks()
    {
        return turnMaxBlocks;
    }

    /**
     * @param maxTurns            most turns of a conversation.
     * @param continueProbability chance that a conversation has one more turn (geometric, capped).
     * @return this.
     */
    public SharingWorkloadContext turns(final int maxTurns, final double continueProbability)
    {
        this.maxTurns = maxTurns;
        this.continueProbability = continueProbability;
        return this;
    }

    /**
     * @return most turns of a conversation.
     */
    public int maxTurns()
    {
        return maxTurns;
    }

    /**
     * @return chance of one more turn.
     */
    public double continueProbability()
    {
        return continueProbability;
    }

    /**
     * @param activeConversations conversations in progress at once, whose turns interleave.
     * @return this.
     */
    public SharingWorkloadContext activeConversations(final int activeConversations)
    {
        this.activeConversations = activeConversations;
        return this;
    }

    /**
     * @return conversations in progress at once.
     */
    public int activeConversations()
    {
        return activeConversations;
    }

    /**
     * @param stickyProbability chance that a later turn goes to the owner of the previous turn.
     * @return this.
     */
    public SharingWorkloadContext stickyProbability(final double stickyProbability)
    {
        this.stickyProbability = stickyProbability;
        return this;
    }

    /**
     * @return chance that a turn stays on its owner.
     */
    public double stickyProbability()
    {
        return stickyProbability;
    }

    /**
     * @param maxEventBlocks most blocks per Stored event (chunked prefill splits longer runs).
     * @return this.
     */
    public SharingWorkloadContext maxEventBlocks(final int maxEventBlocks)
    {
        this.maxEventBlocks = maxEventBlocks;
        return this;
    }

    /**
     * @return most blocks per Stored event.
     */
    public int maxEventBlocks()
    {
        return maxEventBlocks;
    }

    /**
     * @param queryCount  number of precomputed queries (a power of two lets a benchmark cycle with a mask).
     * @param queryBlocks local hashes per query.
     * @return this.
     */
    public SharingWorkloadContext queries(final int queryCount, final int queryBlocks)
    {
        this.queryCount = queryCount;
        this.queryBlocks = queryBlocks;
        return this;
    }

    /**
     * @return number of queries.
     */
    public int queryCount()
    {
        return queryCount;
    }

    /**
     * @return local hashes per query.
     */
    public int queryBlocks()
    {
        return queryBlocks;
    }

    /**
     * @param missFraction            share of queries whose first block nobody holds.
     * @param newConversationFraction share of queries that start a conversation on a system prompt; the
     *                                rest continue a stored turn.
     * @return this.
     */
    public SharingWorkloadContext queryMix(final double missFraction, final double newConversationFraction)
    {
        this.missQueryFraction = missFraction;
        this.newConversationQueryFraction = newConversationFraction;
        return this;
    }

    /**
     * @return share of missing queries.
     */
    public double missQueryFraction()
    {
        return missQueryFraction;
    }

    /**
     * @return share of new-conversation queries.
     */
    public double newConversationQueryFraction()
    {
        return newConversationQueryFraction;
    }

    /**
     * @param chains chains of new blocks to store and remove in the apply benchmarks.
     * @param blocks blocks per chain.
     * @return this.
     */
    public SharingWorkloadContext applyChains(final int chains, final int blocks)
    {
        this.applyChains = chains;
        this.applyChainBlocks = blocks;
        return this;
    }

    /**
     * @return apply chains.
     */
    public int applyChains()
    {
        return applyChains;
    }

    /**
     * @return blocks per apply chain.
     */
    public int applyChainBlocks()
    {
        return applyChainBlocks;
    }
}
