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

    private static final long TOKEN_MULTIPLIER = 0xC2B2AE3D27D4EB4FL;

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
     * A hash of a block's token ids alone (no seed, no parent), so it can be computed once per distinct content.
     */
    static long contentHash(final int[] tokens, final int offset, final int count)
    {
        long h = count * GOLDEN;
        for (int i = offset, end = offset + count; i < end; i++)
        {
            h = (h ^ (tokens[i] & 0xFFFF_FFFFL)) * TOKEN_MULTIPLIER;
            h ^= h >>> 29;
        }
        return mix64(h);
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
