package io.kvindex.mockengine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * How a Mooncake trace hash id stands for tokens ({@code shared/traces/README.md}): each hash id is a 512-token
 * piece of prompt, the same id always giving the same tokens. A prompt is its hash ids' pieces one after another,
 * cut to {@code input_length}; the engine splits that into blocks of its own block size, so one id makes
 * {@code 512 / block_size} blocks of 16 tokens, or one block of 512.
 * <p>
 * Token {@code t} of id {@code h}: with {@code k = mix64(h)} (the SplitMix64 finalizer) and
 * {@code x = k + t * 0x9E3779B97F4A7C15}, it is {@code 256 + ((x ^ (x >>> 32)) * 0xD6E8FEB86659FD93 >>> 49)}: a
 * vocabulary of 2^15 ids from 256 up, so every token is a msgpack uint16 (3 bytes) and a piece is encoded straight
 * into a payload without branches. Cheap on purpose: generating token ids is most of the cost of the events.
 */
public final class TraceTokens
{
    /** Tokens per hash id in Mooncake traces. */
    public static final int TOKENS_PER_HASH_ID = 512;

    /** The smallest token id a trace piece holds. */
    public static final int FIRST_TOKEN = 256;

    private static final int VOCABULARY_BITS = 15;
    private static final long MULTIPLIER = 0xD6E8FEB86659FD93L;
    private static final int UINT16_TAG = 0xcd << 24;
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private TraceTokens()
    {
    }

    /**
     * One token of a hash id's piece.
     *
     * @param hashId   the hash id, non-negative.
     * @param position position in the piece, in [0, 512).
     * @return the token id, in [256, 33024).
     */
    public static int token(final int hashId, final int position)
    {
        return token(EngineHashes.mix64(hashId), position);
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
        final long key = EngineHashes.mix64(hashId);
        for (int i = 0; i < count; i++)
        {
            out[outOffset + i] = token(key, from + i);
        }
    }

    /**
     * Write tokens of a hash id's piece as msgpack uint16s, as {@link MsgPackWriter#tokens} would: one big-endian
     * int store per token ({@code 0xcd}, the token, and a byte the next store overwrites).
     */
    static void encode(final int hashId, final int from, final int count, final MsgPackWriter writer)
    {
        final byte[] buffer = writer.reserve(3 * count, 1);
        int p = writer.position() - 3 * count;
        long x = EngineHashes.mix64(hashId) + from * EngineHashes.GOLDEN;
        for (int i = 0; i < count; i++)
        {
            INT_BE.set(buffer, p, UINT16_TAG | (tokenAt(x) << 8));
            p += 3;
            x += EngineHashes.GOLDEN;
        }
    }

    /**
     * The content hash of a run of a hash id's piece, without materialising its tokens: equal to
     * {@link EngineHashes#contentHash} of {@link #tokens}. Also writes the run as msgpack uint16s to {@code encoded}
     * (3 bytes a token, plus one byte of slack), which a {@code BlockStored} event can then copy.
     */
    static long hashAndEncode(final int hashId, final int from, final int count, final byte[] encoded)
    {
        long x = EngineHashes.mix64(hashId) + from * EngineHashes.GOLDEN;
        long h0 = count;
        long h1 = EngineHashes.GOLDEN;
        long h2 = EngineHashes.TOKEN_MULTIPLIER;
        long h3 = ~EngineHashes.GOLDEN;
        int i = 0;
        for (; i + 3 < count; i += 4)
        {
            final int t0 = tokenAt(x);
            final int t1 = tokenAt(x + EngineHashes.GOLDEN);
            final int t2 = tokenAt(x + 2 * EngineHashes.GOLDEN);
            final int t3 = tokenAt(x + 3 * EngineHashes.GOLDEN);
            x += 4 * EngineHashes.GOLDEN;
            h0 = (h0 + t0) * EngineHashes.TOKEN_MULTIPLIER;
            h1 = (h1 + t1) * EngineHashes.TOKEN_MULTIPLIER;
            h2 = (h2 + t2) * EngineHashes.TOKEN_MULTIPLIER;
            h3 = (h3 + t3) * EngineHashes.TOKEN_MULTIPLIER;
            final int p = 3 * i;
            INT_BE.set(encoded, p, UINT16_TAG | (t0 << 8));
            INT_BE.set(encoded, p + 3, UINT16_TAG | (t1 << 8));
            INT_BE.set(encoded, p + 6, UINT16_TAG | (t2 << 8));
            INT_BE.set(encoded, p + 9, UINT16_TAG | (t3 << 8));
        }
        for (; i < count; i++)
        {
            final int t = tokenAt(x);
            x += EngineHashes.GOLDEN;
            h0 = (h0 + t) * EngineHashes.TOKEN_MULTIPLIER;
            INT_BE.set(encoded, 3 * i, UINT16_TAG | (t << 8));
        }
        return EngineHashes.finish(h0, h1, h2, h3);
    }

    private static int token(final long key, final int position)
    {
        return tokenAt(key + position * EngineHashes.GOLDEN);
    }

    private static int tokenAt(final long x)
    {
        return FIRST_TOKEN + (int)(((x ^ (x >>> 32)) * MULTIPLIER) >>> (64 - VOCABULARY_BITS));
    }
}
