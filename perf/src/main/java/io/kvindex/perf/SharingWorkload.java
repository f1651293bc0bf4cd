package io.kvindex.perf;

import io.kvindex.index.BlockIndex;
import io.kvindex.index.OverlapScores;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A deterministic index workload with realistic prefix sharing, generated into primitive arrays so that a
 * benchmark loop only calls the index.
 * <p>
 * Requests are chats: one common first block (the chat template), a tree of system prompts (prompts of 4-32
 * blocks under it, variants of 4-32 blocks under each, popularity skewed), then conversations of 8-64 new
 * blocks per turn over several turns, each turn extending the previous one. A fixed number of conversations
 * are active at once and their turns interleave. The first turn goes to a random owner, later turns stay on
 * that owner with {@code stickyProbability} (a KV-aware router) and otherwise move to another. An owner stores
 * a request as vLLM reports it: the blocks it lacks, chunked, under its last held block of the prefix.
 * Engine hashes are a function of the path, shared by all owners or different per owner.
 * <p>
 * Produced: the Stored events that warm an index to about {@code targetBlocks} nodes, queries of
 * {@code queryBlocks} local hashes with known answers (continuations of stored turns, new conversations on a
 * system prompt, a few misses; each padded with new blocks), and chains of new blocks under stored turns,
 * with the Removed events that drop them again (leaf first), for the apply benchmarks.
 */
public final class SharingWorkload
{
    private static final long ENGINE_SALT = 0x6b76696e64657831L;
    private static final long WORKER_SALT = 0x776f726b65723132L;

    private final SharingWorkloadContext ctx;
    private final SplittableRandom random;
    private final PrefixModel model;
    private final StoredEventLog log = new StoredEventLog();
    private final long[] workerIds;
    private final int[] dpRanks;
    private final int[] path;
    private final int[] systemLeaves;
    private int[] turnEnds = new int[1024];
    private int turns;
    private int conversations;

    private final long[][] queries;
    private final int[][] queryPaths;
    private final int[] walkedBlocks;

    private final long[] chainWorkerIds;
    private final int[] chainDpRanks;
    private final long[] chainParents;
    private final long[][] chainEngineHashes;
    private final long[][] chainLocalHashes;
    private final long[][] chainRemovals;

    /**
     * Generate the workload a context describes.
     *
     * @param ctx the settings; concluded here.
     */
    public SharingWorkload(final SharingWorkloadContext ctx)
    {
        this.ctx = ctx.conclude();
        random = new SplittableRandom(ctx.seed());
        model = new PrefixModel(ctx.owners(), ctx.targetBlocks() + ctx.targetBlocks() / 8);
        workerIds = new long[ctx.owners()];
        dpRanks = new int[ctx.owners()];
        for (int o = 0; o < workerIds.length; o++)
        {
            workerIds[o] = mix(WORKER_SALT + o / ctx.dpRanksPerWorker());
            dpRanks[o] = o % ctx.dpRanksPerWorker();
        }
        path = new int[1 + 2 * ctx.systemPromptMaxBlocks() + ctx.maxTurns() * ctx.turnMaxBlocks()];
        systemLeaves = new int[ctx.systemPrompts() * ctx.systemPromptVariants()];

        buildSystemPrompts();
        generateConversations();

        queries = new long[ctx.queryCount()][ctx.queryBlocks()];
        queryPaths = new int[ctx.queryCount()][];
        walkedBlocks = new int[ctx.queryCount()];
        buildQueries();

        final int chains = ctx.applyChains();
        chainWorkerIds = new long[chains];
        chainDpRanks = new int[chains];
        chainParents = new long[chains];
        chainEngineHashes = new long[chains][ctx.applyChainBlocks()];
        chainLocalHashes = new long[chains][ctx.applyChainBlocks()];
        chainRemovals = new long[chains][ctx.applyChainBlocks()];
        buildApplyChains();
    }

    /**
     * Apply every Stored event of the warm-up, in order.
     *
     * @param index an empty index with room for {@link #capacityHint()} blocks.
     * @throws IllegalStateException when the index answers anything but OK.
     */
    public void populate(final BlockIndex index)
    {
        log.applyTo(index, workerIds, dpRanks);
    }

    /**
     * Check that an index holds exactly the warm workload: every owner's tree size and every query's scores.
     *
     * @param index a populated index.
     * @throws IllegalStateException on the first difference.
     */
    public void verify(final BlockIndex index)
    {
        for (int o = 0; o < workerIds.length; o++)
        {
            final long actual = index.treeSize(workerIds[o], dpRanks[o]);
            if (actual != model.treeSize(o))
            {
                throw new IllegalStateException("owner " + o + ": tree size " + actual + ", expected " +
                    model.treeSize(o));
            }
        }
        final OverlapScores scores = new OverlapScores(PrefixModel.MAX_OWNERS);
        for (int q = 0; q < queries.length; q++)
        {
            index.findMatches(queries[q], ctx.queryBlocks(), scores);
            int expectedEntries = 0;
            for (int o = 0; o < workerIds.length; o++)
            {
                final int expected = model.matched(queryPaths[q], queryPaths[q].length, o);
                final int actual = scores.matchedBlocks(workerIds[o], dpRanks[o]);
                if (expected != actual)
                {
                    throw new IllegalStateException("query " + q + ", owner " + o + ": matched " + actual +
                        ", expected " + expected + "; " + scores);
                }
                expectedEntries += expected > 0 ? 1 : 0;
            }
            if (scores.size() != expectedEntries)
            {
                throw new IllegalStateException("query " + q + ": " + scores.size() + " entries, expected " +
                    expectedEntries + "; " + scores);
            }
        }
    }

    /**
     * Capacity to give an index for this workload: the warm blocks, every apply chain at once, and 1/8 spare.
     *
     * @return blocks.
     */
    public long capacityHint()
    {
        final long warm = model.liveNodes();
        return warm + (long)ctx.applyChains() * ctx.applyChainBlocks() + warm / 8;
    }

    /**
     * The settings the workload was generated with.
     *
     * @return the concluded context.
     */
    public SharingWorkloadContext context()
    {
        return ctx;
    }

    /**
     * Number of owners.
     *
     * @return owners.
     */
    public int owners()
    {
        return workerIds.length;
    }

    /**
     * Worker id of an owner.
     *
     * @param owner owner index.
     * @return its worker id.
     */
    public long workerId(final int owner)
    {
        return workerIds[owner];
    }

    /**
     * Dp rank of an owner.
     *
     * @param owner owner index.
     * @return its dp rank.
     */
    public int dpRank(final int owner)
    {
        return dpRanks[owner];
    }

    /**
     * Distinct blocks (nodes) of the warm index.
     *
     * @return nodes held by at least one owner.
     */
    public long liveBlocks()
    {
        return model.liveNodes();
    }

    /**
     * (owner, block) pairs of the warm index.
     *
     * @return memberships.
     */
    public long memberships()
    {
        return model.memberships();
    }

    /**
     * Stored events of the warm-up.
     *
     * @return events.
     */
    public int storedEvents()
    {
        return log.events();
    }

    /**
     * Blocks carried by the Stored events of the warm-up (equals {@link #memberships()}).
     *
     * @return blocks.
     */
    public int storedBlocks()
    {
        return log.blocks();
    }

    /**
     * Queries, each {@link SharingWorkloadContext#queryBlocks()} local hashes; shared, do not modify.
     *
     * @return the queries.
     */
    public long[][] queries()
    {
        return queries;
    }

    /**
     * Per query, the blocks a walk visits: the most leading blocks any owner holds.
     *
     * @return walked blocks per query; shared, do not modify.
     */
    public int[] walkedBlocks()
    {
        return walkedBlocks;
    }

    /**
     * Mean of {@link #walkedBlocks()}.
     *
     * @return average walked blocks per query.
     */
    public double averageWalkedBlocks()
    {
        long total = 0;
        for (final int w : walkedBlocks)
        {
            total += w;
        }
        return (double)total / walkedBlocks.length;
    }

    /**
     * Worker id of each apply chain's owner.
     *
     * @return per chain; shared, do not modify.
     */
    public long[] chainWorkerIds()
    {
        return chainWorkerIds;
    }

    /**
     * Dp rank of each apply chain's owner.
     *
     * @return per chain; shared, do not modify.
     */
    public int[] chainDpRanks()
    {
        return chainDpRanks;
    }

    /**
     * Owner's engine hash of each apply chain's parent, a block the warm index holds for that owner.
     *
     * @return per chain; shared, do not modify.
     */
    public long[] chainParents()
    {
        return chainParents;
    }

    /**
     * Engine hashes of each apply chain's new blocks, root first.
     *
     * @return per chain; shared, do not modify.
     */
    public long[][] chainEngineHashes()
    {
        return chainEngineHashes;
    }

    /**
     * Local hashes of each apply chain's new blocks, root first.
     *
     * @return per chain; shared, do not modify.
     */
    public long[][] chainLocalHashes()
    {
        return chainLocalHashes;
    }

    /**
     * The Removed event of each apply chain: its engine hashes, leaf first, as an engine evicts.
     *
     * @return per chain; shared, do not modify.
     */
    public long[][] chainRemovals()
    {
        return chainRemovals;
    }

    /**
     * One line describing the generated workload, for benchmark logs.
     *
     * @return the description.
     */
    public String describe()
    {
        int full = 0;
        int misses = 0;
        for (final int w : walkedBlocks)
        {
            full += w == ctx.queryBlocks() ? 1 : 0;
            misses += w == 0 ? 1 : 0;
        }
        return String.format(
            "SharingWorkload{owners=%d, engineHashes=%s, blocks=%,d, memberships=%,d (%.2f per block), " +
            "storedEvents=%,d (%.1f blocks each), conversations=%,d, turns=%,d, queries=%dx%d, " +
            "avgWalkedBlocks=%.2f, fullMatch=%.1f%%, miss=%.1f%%, applyChains=%dx%d, seed=%d}",
            owners(), ctx.perOwnerEngineHashes() ? "per-owner" : "shared", liveBlocks(), memberships(),
            (double)memberships() / liveBlocks(), storedEvents(), (double)storedBlocks() / storedEvents(),
            conversations, turns, queries.length, ctx.queryBlocks(), averageWalkedBlocks(),
            100.0 * full / queries.length, 100.0 * misses / queries.length, ctx.applyChains(),
            ctx.applyChainBlocks(), ctx.seed());
    }

    private void buildSystemPrompts()
    {
        final int first = model.addNode(PrefixModel.NO_PARENT, random.nextLong());
        int leaf = 0;
        for (int p = 0; p < ctx.systemPrompts(); p++)
        {
            final int prompt = extend(first, between(ctx.systemPromptMinBlocks(), ctx.systemPromptMaxBlocks()));
            for (int v = 0; v < ctx.systemPromptVariants(); v++)
            {
                systemLeaves[leaf++] =
                    extend(prompt, between(ctx.systemPromptMinBlocks(), ctx.systemPromptMaxBlocks()));
            }
        }
    }

    private void generateConversations()
    {
        final int active = ctx.activeConversations();
        final int[] ends = new int[active];
        final int[] owners = new int[active];
        final int[] turnsLeft = new int[active];
        final int ownerCount = workerIds.length;
        while (model.liveNodes() < ctx.targetBlocks())
        {
            final int slot = random.nextInt(active);
            if (0 == turnsLeft[slot])
            {
                ends[slot] = systemLeaf();
                owners[slot] = random.nextInt(ownerCount);
                turnsLeft[slot] = conversationTurns();
                conversations++;
            }
            else if (ownerCount > 1 && random.nextDouble() >= ctx.stickyProbability())
            {
                owners[slot] = (owners[slot] + 1 + random.nextInt(ownerCount - 1)) % ownerCount;
            }
            ends[slot] = extend(ends[slot], between(ctx.turnMinBlocks(), ctx.turnMaxBlocks()));
            turnsLeft[slot]--;
            storeRequest(owners[slot], ends[slot]);
            if (turns == turnEnds.length)
            {
                turnEnds = Arrays.copyOf(turnEnds, turns * 2);
            }
            turnEnds[turns++] = ends[slot];
        }
    }

    private void storeRequest(final int owner, final int endNode)
    {
        final int depth = model.path(endNode, path);
        int first = 0;
        while (first < depth && model.holds(path[first], owner))
        {
            first++;
        }
        for (int start = first; start < depth; start += ctx.maxEventBlocks())
        {
            final int end = Math.min(depth, start + ctx.maxEventBlocks());
            final boolean hasParent = start > 0;
            log.begin(owner, hasParent, hasParent ? engineHash(owner, path[start - 1]) : 0L);
            for (int i = start; i < end; i++)
            {
                log.addBlock(engineHash(owner, path[i]), model.localHash(path[i]));
                model.hold(path[i], owner);
            }
        }
    }

    private void buildQueries()
    {
        final int blocks = ctx.queryBlocks();
        for (int q = 0; q < queries.length; q++)
        {
            final double draw = random.nextDouble();
            final int node;
            if (draw < ctx.missQueryFraction())
            {
                node = PrefixModel.NO_PARENT;
            }
            else if (draw < ctx.missQueryFraction() + ctx.newConversationQueryFraction())
            {
                node = systemLeaf();
            }
            else
            {
                node = turnEnds[random.nextInt(turns)];
            }
            final int known = PrefixModel.NO_PARENT == node ? 0 : Math.min(blocks, model.path(node, path));
            final long[] query = queries[q];
            for (int i = 0; i < blocks; i++)
            {
                query[i] = i < known ? model.localHash(path[i]) : random.nextLong();
            }
            queryPaths[q] = Arrays.copyOf(path, known);
            walkedBlocks[q] = model.walked(queryPaths[q], known);
        }
    }

    private void buildApplyChains()
    {
        final int blocks = ctx.applyChainBlocks();
        final long firstId = model.size();
        for (int c = 0; c < chainParents.length; c++)
        {
            final int parent = turnEnds[random.nextInt(turns)];
            final int owner = model.randomHolder(parent, random.nextInt(Integer.MAX_VALUE));
            chainWorkerIds[c] = workerIds[owner];
            chainDpRanks[c] = dpRanks[owner];
            chainParents[c] = engineHash(owner, parent);
            for (int i = 0; i < blocks; i++)
            {
                final long engineHash = engineHash(owner, firstId + (long)c * blocks + i);
                chainEngineHashes[c][i] = engineHash;
                chainLocalHashes[c][i] = random.nextLong();
                chainRemovals[c][blocks - 1 - i] = engineHash;
            }
        }
    }

    private int extend(final int parent, final int blocks)
    {
        int node = parent;
        for (int i = 0; i < blocks; i++)
        {
            node = model.addNode(node, random.nextLong());
        }
        return node;
    }

    private int systemLeaf()
    {
        final int prompt = skewed(ctx.systemPrompts());
        return systemLeaves[prompt * ctx.systemPromptVariants() + skewed(ctx.systemPromptVariants())];
    }

    private int conversationTurns()
    {
        int count = 1;
        while (count < ctx.maxTurns() && random.nextDouble() < ctx.continueProbability())
        {
            count++;
        }
        return count;
    }

    private int between(final int min, final int max)
    {
        return min + random.nextInt(max - min + 1);
    }

    /**
     * An index in [0, n) skewed towards 0 (the square of a uniform draw): with n = 8, index 0 takes about 35%.
     */
    private int skewed(final int n)
    {
        final double u = random.nextDouble();
        return (int)(n * u * u);
    }

    private long engineHash(final int owner, final long id)
    {
        final long key = ctx.perOwnerEngineHashes() ? id | ((owner + 1L) << 40) : id;
        return mix(ENGINE_SALT ^ key);
    }

    /**
     * SplitMix64's finalizer: a bijection, so distinct keys give distinct hashes.
     */
    private static long mix(final long key)
    {
        long z = key;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
