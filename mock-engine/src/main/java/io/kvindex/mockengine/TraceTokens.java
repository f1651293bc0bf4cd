package io.kvindex.mockengine;

/**
 * How a Mooncake trace hash id stands for tokens ({@code shared/traces/README.md}): each hash id is a 512-token
 * piece of prompt, token {@code t} of id {@code h} being {@code mix64((h << 9) + t) >>> 49} (SplitMix64 finalizer,
 * a vocabulary of 2^15 ids). A prompt is its hash ids' pieces one after another, cut to {@code input_length}; the
 * engine splits that into blocks of its own block size, so one id makes {@code 512 / block_size} blocks of 16
 * tokens, or one block of 512. This is the same rule as perf's {@code MooncakeTrace.tokens}, so local hashes agree.
 */
public final class TraceTokens
{
    /** Tokens per hash id in Mooncake traces. */
    public static final int TOKENS_PER_HASH_ID = 512;

    private static final int SHIFT = 9;
    private static final int VOCABULARY_BITS = 15;

    private TraceTokens()
    {
    }

    /**
     * One token of a hash id's piece.
     *
     * @param hashId   the hash id, non-negative.
     * @param position position in the piece, in [0, 512).
     * @return the token id, in [0, 32768).
     */
    public static int token(final int hashId, final int position)
    {
        return (int)(EngineHashes.mix64(((long)hashId << SHIFT) + position) >>> (64 - VOCABULARY_BITS));
    }

    /**
     * Tokens of a hash id's piece.
     *
     * @param hashId    the hash id, non-negative.
     * @param from      first position in the piece.
     * @param count     number of tokens, {@code from + count <= 512}.
     * @param out       receives the tokens.
     * @param outOffset where the first token goes.
     */
    public static void tokens(final int hashId, final int from, final int count, final int[] out, final int outOffset)
    {
        final long base = (long)hashId << SHIFT;
        for (int i = 0; i < count; i++)
        {
            out[outOffset + i] = (int)(EngineHashes.mix64(base + from + i) >>> (64 - VOCABULARY_BITS));
        }
    }
}
