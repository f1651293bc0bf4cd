package io.kvindex.client;

import net.openhft.hashing.LongHashFunction;

import java.nio.charset.StandardCharsets;

/**
 * Dynamo-compatible block hashing ({@code spec/dynamo-compat.md} section 1): XXH3-64 over token ids written as
 * u32 little-endian, seeded with 1337 or 1337 + XXH3-64(LoRA name). Stateless and thread safe; for hashing
 * without allocation per call, use a {@link BlockHasher} per thread.
 */
public final class BlockHashing
{
    /** The seed of every local and sequence hash without LoRA. */
    public static final long SEED = 1337L;

    private static final LongHashFunction DEFAULT = LongHashFunction.xx3(SEED);
    private static final LongHashFunction UNSEEDED = LongHashFunction.xx3(0L);

    private BlockHashing()
    {
    }

    /**
     * The hash seed for a LoRA adapter: 1337 + XXH3-64(utf8(name)) with 64-bit wrap, or 1337 for no name.
     *
     * @param loraName the adapter name, or null.
     * @return the seed to hash that adapter's blocks with.
     */
    public static long loraSeed(final String loraName)
    {
        if (null == loraName || loraName.isEmpty())
        {
            return SEED;
        }
        final byte[] utf8 = loraName.getBytes(StandardCharsets.UTF_8);
        return SEED + UNSEEDED.hashBytes(utf8);
    }

    /**
     * XXH3-64 with seed 1337 of raw bytes, for golden-vector checks.
     *
     * @param bytes the input.
     * @return the unsigned hash in a long.
     */
    public static long xxh3Seeded(final byte[] bytes)
    {
        return DEFAULT.hashBytes(bytes);
    }

    /**
     * The XXH3-64 function for a seed, for callers that hash many blocks with it.
     *
     * @param seed the seed.
     * @return the hash function; the default seed's instance is shared.
     */
    public static LongHashFunction function(final long seed)
    {
        return seed == SEED ? DEFAULT : LongHashFunction.xx3(seed);
    }

    /**
     * Sequence hash step: XXH3-64 seed 1337 over LE64(previous) followed by LE64(local).
     *
     * @param previous the previous block's sequence hash.
     * @param local    this block's local hash.
     * @param scratch  a caller-owned array of at least two longs.
     * @return this block's sequence hash.
     */
    public static long sequenceHash(final long previous, final long local, final long[] scratch)
    {
        scratch[0] = previous;
        scratch[1] = local;
        return DEFAULT.hashLongs(scratch, 0, 2);
    }
}
