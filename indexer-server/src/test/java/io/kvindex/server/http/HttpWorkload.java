package io.kvindex.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvindex.client.BlockHasher;
import io.kvindex.client.BlockHashing;
import io.kvindex.index.BlockIndex;
import io.kvindex.index.OverlapScores;
import io.kvindex.index.ReferenceBlockIndex;

import java.util.Iterator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prompts with shared prefixes stored by owners whose worker ids include values above 2^63 (printed unsigned),
 * some chains continuing under a parent, some blocks removed, one chain under a LoRA adapter: applied to an index
 * and to the reference model alike, with the JSON answer the reference gives for a query.
 */
final class HttpWorkload
{
    static final int BLOCK_SIZE = 4;
    static final String LORA = "adapter-x";
    static final long[] WORKERS = { 7, 100, -1L, Long.MIN_VALUE, 1L << 40 };

    final int[][] prompts;
    final ReferenceBlockIndex reference = new ReferenceBlockIndex();
    final BlockHasher hasher = new BlockHasher(BLOCK_SIZE);
    final int[] loraPrompt;

    private final long[] localHashes = new long[64];
    private final long[] engineHashes = new long[64];
    private long nextEngineHash = 1;

    HttpWorkload(final long seed, final int count)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        prompts = new int[count][];
        for (int p = 0; p < count; p++)
        {
            final int[] tokens = new int[(4 + random.nextInt(12)) * BLOCK_SIZE + random.nextInt(BLOCK_SIZE)];
            final int shared = p > 0 ? Math.min(tokens.length, random.nextInt(prompts[p - 1].length + 1)) : 0;
            for (int i = 0; i < tokens.length; i++)
            {
                tokens[i] = i < shared ? prompts[p - 1][i] : random.nextInt() & 0x7FFF_FFFF;
            }
            prompts[p] = tokens;
        }
        loraPrompt = prompts[0].clone();
    }

    /**
     * Store every prompt (a few with a parent), remove some blocks, store the LoRA chain: into both indexes.
     */
    void apply(final BlockIndex index)
    {
        for (int p = 0; p < prompts.length; p++)
        {
            final long worker = WORKERS[p % WORKERS.length];
            final int dpRank = p % 2;
            final int count = hasher.seed(BlockHashing.SEED).localHashes(prompts[p], prompts[p].length, localHashes);
            final int split = p % 4 == 3 ? count / 2 : 0;
            store(index, worker, dpRank, false, 0, 0, split > 0 ? split : count - p % 3);
            if (split > 0)
            {
                final long parent = engineHashes[split - 1];
                store(index, worker, dpRank, true, parent, split, count - split);
                branch(index, worker, dpRank, parent);
            }
            if (p % 5 == 4)
            {
                final long[] removed = { engineHashes[Math.max(0, count / 2 - 1)] };
                assertEquals(index.remove(worker, dpRank, removed, 1), reference.remove(worker, dpRank, removed, 1));
            }
        }
        final int count = hasher.seed(BlockHashing.loraSeed(LORA)).localHashes(loraPrompt, loraPrompt.length,
            localHashes);
        store(index, 555, 3, false, 0, 0, count);
        hasher.seed(BlockHashing.SEED);
    }

    /**
     * Two blocks under a parent beside the chain already there: the owner's tree branches.
     */
    private void branch(final BlockIndex index, final long worker, final int dpRank, final long parent)
    {
        final long[] engine = { nextEngineHash++, nextEngineHash++ };
        final long[] local = { engine[0] * 0x9E37_79B9_7F4A_7C15L, engine[1] * 0x9E37_79B9_7F4A_7C15L };
        assertEquals(reference.store(worker, dpRank, true, parent, engine, local, 2),
            index.store(worker, dpRank, true, parent, engine, local, 2));
    }

    private void store(
        final BlockIndex index,
        final long worker,
        final int dpRank,
        final boolean hasParent,
        final long parent,
        final int from,
        final int count)
    {
        final long[] engine = new long[count];
        final long[] local = new long[count];
        for (int i = 0; i < count; i++)
        {
            engineHashes[from + i] = nextEngineHash++;
            engine[i] = engineHashes[from + i];
            local[i] = localHashes[from + i];
        }
        final int status = index.store(worker, dpRank, hasParent, parent, engine, local, count);
        assertEquals(reference.store(worker, dpRank, hasParent, parent, engine, local, count), status);
    }

    /**
     * Local hashes of a prompt, with the given LoRA adapter (or none).
     */
    long[] localHashes(final int[] prompt, final String lora)
    {
        final long[] hashes = new long[prompt.length / BLOCK_SIZE];
        hasher.seed(BlockHashing.loraSeed(lora)).localHashes(prompt, prompt.length, hashes);
        hasher.seed(BlockHashing.SEED);
        return hashes;
    }

    /**
     * What an index answers for local hashes, as {@code {"scores": ..., "tree_sizes": ...}} maps with string keys:
     * scores in tokens.
     */
    static Map<String, Map<String, Map<String, Long>>> expected(final BlockIndex index, final long[] hashes)
    {
        final OverlapScores scores = new OverlapScores(256);
        index.findMatches(hashes, hashes.length, scores);
        final Map<String, Map<String, Long>> tokens = new TreeMap<>();
        final Map<String, Map<String, Long>> trees = new TreeMap<>();
        for (int i = 0; i < scores.size(); i++)
        {
            final String worker = Long.toUnsignedString(scores.workerId(i));
            final String dpRank = Integer.toString(scores.dpRank(i));
            tokens.computeIfAbsent(worker, w -> new TreeMap<>())
                .put(dpRank, (long)scores.matchedBlocks(i) * BLOCK_SIZE);
            trees.computeIfAbsent(worker, w -> new TreeMap<>()).put(dpRank,
                index.treeSize(scores.workerId(i), scores.dpRank(i)));
        }
        return Map.of("scores", tokens, "tree_sizes", trees);
    }

    /**
     * The same maps from a JSON answer, checking its shape: string keys, integer values, empty frequencies.
     */
    static Map<String, Map<String, Map<String, Long>>> actual(final JsonNode answer)
    {
        assertTrue(answer.path("frequencies").isArray(), answer.toString());
        assertEquals(0, answer.path("frequencies").size(), answer.toString());
        assertEquals(3, answer.size(), answer.toString());
        return Map.of("scores", owners(answer.path("scores")), "tree_sizes", owners(answer.path("tree_sizes")));
    }

    private static Map<String, Map<String, Long>> owners(final JsonNode node)
    {
        assertTrue(node.isObject(), node.toString());
        final Map<String, Map<String, Long>> owners = new TreeMap<>();
        for (final Iterator<Map.Entry<String, JsonNode>> workers = node.fields(); workers.hasNext(); )
        {
            final Map.Entry<String, JsonNode> worker = workers.next();
            final Map<String, Long> ranks = new TreeMap<>();
            for (final Iterator<Map.Entry<String, JsonNode>> it = worker.getValue().fields(); it.hasNext(); )
            {
                final Map.Entry<String, JsonNode> rank = it.next();
                assertTrue(rank.getValue().isIntegralNumber(), rank.toString());
                ranks.put(rank.getKey(), rank.getValue().longValue());
            }
            owners.put(worker.getKey(), ranks);
        }
        return owners;
    }
}
