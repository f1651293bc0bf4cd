package io.kvindex.mockengine;

/**
 * The mock engine's own block hash, chained like vLLM's: a block's engine hash is
 * {@code chain(parent engine hash, content hash of its tokens)}, the first block's parent being a per-rank seed
 * (vLLM's random {@code NONE_HASH}). Two engines, or two ranks, therefore report different hashes for the same
 * prefix. Values are uniform over 64 bits: half of them are 2^63 or above when read unsigned.
 */
final class EngineHashes
{
    static final long GOLDEN = 0x9E3779B97F4A7C15L;

    static final long TOKEN_MULTIPLIER = 0xC2B2AE3D27D4EB4FL;

    private EngineHashes()
    {
    }

    /**
     * The SplitMix64 finalizer.
     */
    static long mix64(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * A hash of a block's token ids alone (no seed, no parent), so it can be computed once per distinct content:
     * four multiply-add lanes over every fourth token, then mixed.
     */
    static long contentHash(final int[] tokens, final int offset, final int count)
    {
        long h0 = count;
        long h1 = GOLDEN;
        long h2 = TOKEN_MULTIPLIER;
        long h3 = ~GOLDEN;
        final int end = offset + count;
        int i = offset;
        for (; i + 3 < end; i += 4)
        {
            h0 = (h0 + (tokens[i] & 0xFFFF_FFFFL)) * TOKEN_MULTIPLIER;
            h1 = (h1 + (tokens[i + 1] & 0xFFFF_FFFFL)) * TOKEN_MULTIPLIER;
            h2 = (h2 + (tokens[i + 2] & 0xFFFF_FFFFL)) * TOKEN_MULTIPLIER;
            h3 = (h3 + (tokens[i + 3] & 0xFFFF_FFFFL)) * TOKEN_MULTIPLIER;
        }
        for (; i < end; i++)
        {
            h0 = (h0 + (tokens[i] & 0xFFFF_FFFFL)) * TOKEN_MULTIPLIER;
        }
        return finish(h0, h1, h2, h3);
    }

    static long finish(final long h0, final long h1, final long h2, final long h3)
    {
        return mix64(mix64(h0 ^ Long.rotateLeft(h1, 17)) ^ Long.rotateLeft(h2, 31) ^ Long.rotateLeft(h3, 47));
    }

    /**
     * The engine hash of a block under its parent (or under the rank's seed for the first block).
     */
    static long chain(final long parent, final long content)
    {
        return mix64(parent * GOLDEN + content);
    }

    /**
     * The seed of one rank's chain: distinct per rank, as separate engine processes have distinct seeds.
     */
    static long rankSeed(final long seed, final int dpRank)
    {
        return mix64(seed + (dpRank + 1) * GOLDEN);
    }
}
