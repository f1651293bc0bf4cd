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

    /** Length of a multimodal {@code extra_keys} string in engine events: 64 hex digits. */
    public static final int EXTRA_KEY_LENGTH = 64;

    private static final int HEX_DIGITS_PER_LONG = 16;
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
     * The LoRA seed from the name's UTF-8 bytes, without allocating: as {@link #loraSeed(String)}.
     *
     * @param utf8   buffer holding the name.
     * @param offset index of the first byte.
     * @param length number of bytes; 0 gives 1337.
     * @return the seed to hash that adapter's blocks with.
     */
    public static long loraSeed(final byte[] utf8, final int offset, final int length)
    {
        return length == 0 ? SEED : SEED + UNSEEDED.hashBytes(utf8, offset, length);
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

    /**
     * Whether an engine {@code extra_keys} entry has the shape of a multimodal hash: exactly 64 hex digits.
     *
     * @param extraKey the entry, may be null.
     * @return true when {@link #multimodalHashFromExtraKey(String)} accepts it.
     */
    public static boolean isMultimodalExtraKey(final String extraKey)
    {
        if (null == extraKey || extraKey.length() != EXTRA_KEY_LENGTH)
        {
            return false;
        }
        for (int i = 0; i < EXTRA_KEY_LENGTH; i++)
        {
            if (hexValue(extraKey.charAt(i)) < 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The multimodal hash carried by an engine {@code extra_keys} entry: its first 16 hex digits as an unsigned u64.
     *
     * @param extraKey 64 hex digits, either case.
     * @return the hash, unsigned in a long.
     * @throws IllegalArgumentException when the entry is null, not 64 characters long or not all hex digits.
     */
    public static long multimodalHashFromExtraKey(final String extraKey)
    {
        if (!isMultimodalExtraKey(extraKey))
        {
            throw new IllegalArgumentException(
                "multimodal extra key must be " + EXTRA_KEY_LENGTH + " hex digits: " + describe(extraKey));
        }
        long value = 0;
        for (int i = 0; i < HEX_DIGITS_PER_LONG; i++)
        {
            value = (value << 4) | hexValue(extraKey.charAt(i));
        }
        return value;
    }

    private static int hexValue(final char c)
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f')
        {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F')
        {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static String describe(final String value)
    {
        if (null == value)
        {
            return "null";
        }
        final int maxShown = 80;
        final String shown = value.length() > maxShown ? value.substring(0, maxShown) + "..." : value;
        return "\"" + shown + "\" (length " + value.length() + ")";
    }
}
