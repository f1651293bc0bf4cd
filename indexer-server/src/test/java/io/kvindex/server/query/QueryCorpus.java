package io.kvindex.server.query;

import io.kvindex.client.BlockHasher;
import io.kvindex.client.BlockHashing;
import io.kvindex.client.OverlapResult;
import io.kvindex.index.BlockIndex;
import io.kvindex.index.OverlapScores;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Prompts of token ids with shared prefixes, stored in pieces by random owners into several indexes at once (the
 * same events for each), with some removes and clears; and the check that a client's answer equals an index's.
 */
final class QueryCorpus
{
    static final int BLOCK_SIZE = 4;
    static final String LORA = "adapter-7";

    private final SplittableRandom random;
    private final int[][] prompts;
    private final boolean[] lora;
    private final BlockHasher hasher = new BlockHasher(BLOCK_SIZE);
    private final long[] engineHashes = new long[256];
    private final long[] localHashes = new long[256];
    private final OverlapScores expected = new OverlapScores(256);
    private long nextEngineHash = 1;

    QueryCorpus(final long seed, final int promptCount, final int maxBlocks)
    {
        random = new SplittableRandom(seed);
        prompts = new int[promptCount][];
        lora = new boolean[promptCount];
        for (int p = 0; p < promptCount; p++)
        {
            final int blocks = 1 + random.nextInt(maxBlocks);
            final int[] tokens = new int[blocks * BLOCK_SIZE + random.nextInt(BLOCK_SIZE)];
            final int shared =
                p > 0 && random.nextBoolean() ? random.nextInt(prompts[p - 1].length / BLOCK_SIZE + 1) : 0;
            for (int i = 0; i < tokens.length; i++)
            {
                tokens[i] = i < shared * BLOCK_SIZE && i < prompts[p - 1].length ? prompts[p - 1][i] : random.nextInt();
            }
            prompts[p] = tokens;
            lora[p] = random.nextInt(8) == 0;
        }
    }

    int promptCount()
    {
        return prompts.length;
    }

    int[] prompt(final int p)
    {
        return prompts[p];
    }

    String loraName(final int p)
    {
        return lora[p] ? LORA : null;
    }

    /**
     * Local hashes of a prompt with its LoRA seed, into {@code out}.
     */
    int localHashes(final int p, final long[] out)
    {
        hasher.seed(BlockHashing.loraSeed(loraName(p)));
        return hasher.localHashes(prompts[p], prompts[p].length, out);
    }

    /**
     * Store random prefixes of prompts for random owners into every index, then remove and clear some.
     */
    void populate(final int events, final int workers, final BlockIndex... indexes)
    {
        for (int e = 0; e < events; e++)
        {
            final long workerId = 1000 + random.nextInt(workers);
            final int dpRank = random.nextInt(2);
            final int p = random.nextInt(prompts.length);
            final int blocks = localHashes(p, localHashes);
            final int count = 1 + random.nextInt(blocks);
            for (int i = 0; i < count; i++)
            {
                engineHashes[i] = nextEngineHash++;
            }
            for (final BlockIndex index : indexes)
            {
                index.store(workerId, dpRank, false, 0, engineHashes, localHashes, count);
            }
            if (random.nextInt(10) == 0)
            {
                final long[] removed = {engineHashes[random.nextInt(count)]};
                for (final BlockIndex index : indexes)
                {
                    index.remove(workerId, dpRank, removed, 1);
                }
            }
            if (random.nextInt(200) == 0)
            {
                for (final BlockIndex index : indexes)
                {
                    index.clear(workerId);
                }
            }
        }
    }

    /**
     * Fail unless a client's result holds exactly the reference's answer for these hashes.
     */
    void assertSameAnswer(final BlockIndex reference, final long[] hashes, final int count, final OverlapResult actual)
    {
        reference.findMatches(hashes, count, expected);
        if (expected.size() != actual.size())
        {
            fail("owners differ: expected " + expected + " but was " + actual);
        }
        for (int i = 0; i < actual.size(); i++)
        {
            final int blocks = expected.matchedBlocks(actual.workerId(i), actual.dpRank(i));
            assertEquals(blocks, actual.matchedBlocks(i), () -> "expected " + expected + " but was " + actual);
            assertEquals(reference.treeSize(actual.workerId(i), actual.dpRank(i)), actual.treeSize(i));
        }
    }
}
