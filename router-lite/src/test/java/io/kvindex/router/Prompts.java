package io.kvindex.router;

import io.kvindex.client.BlockHasher;
import io.kvindex.index.BlockIndex;

/**
 * Prompts for router tests: a prompt is a family's blocks, so prompts of one family share their leading blocks, and
 * {@link #withSuffix} starts another family after a shared prefix.
 */
final class Prompts
{
    static final int BLOCK_SIZE = 4;

    private Prompts()
    {
    }

    /**
     * Tokens of {@code blocks} full blocks of a family, plus {@code extraTokens} of a partial block.
     */
    static int[] prompt(final int family, final int blocks, final int extraTokens)
    {
        final int[] tokens = new int[blocks * BLOCK_SIZE + extraTokens];
        for (int i = 0; i < tokens.length; i++)
        {
            tokens[i] = family * 1_000_000 + i;
        }
        return tokens;
    }

    static int[] prompt(final int family, final int blocks)
    {
        return prompt(family, blocks, 0);
    }

    /**
     * The first {@code shared} blocks of {@code family}, then {@code total - shared} blocks of {@code suffixFamily}.
     */
    static int[] withSuffix(final int family, final int shared, final int suffixFamily, final int total)
    {
        final int[] tokens = prompt(family, total);
        for (int i = shared * BLOCK_SIZE; i < tokens.length; i++)
        {
            tokens[i] = suffixFamily * 1_000_000 + i;
        }
        return tokens;
    }

    static long[] localHashes(final int[] tokens)
    {
        final BlockHasher hasher = new BlockHasher(BLOCK_SIZE);
        final long[] hashes = new long[hasher.fullBlocks(tokens.length)];
        hasher.localHashes(tokens, tokens.length, hashes);
        return hashes;
    }

    static long[] sequenceHashes(final int[] tokens)
    {
        final long[] hashes = localHashes(tokens);
        new BlockHasher(BLOCK_SIZE).sequenceHashes(hashes, hashes.length, hashes);
        return hashes;
    }

    /**
     * Store the first {@code blocks} blocks of a prompt for an owner, as engine KV events would (engine hashes are the
     * sequence hashes plus the worker id, so that two owners report different engine hashes).
     */
    static void store(
        final BlockIndex index, final long workerId, final int dpRank, final int[] tokens, final int blocks)
    {
        final long[] local = localHashes(tokens);
        final long[] engine = sequenceHashes(tokens);
        for (int i = 0; i < engine.length; i++)
        {
            engine[i] += workerId;
        }
        index.store(workerId, dpRank, false, 0, engine, local, blocks);
    }
}
