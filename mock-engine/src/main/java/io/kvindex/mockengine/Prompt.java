package io.kvindex.mockengine;

import java.util.Arrays;

/**
 * A request's prompt: either token ids, or the hash ids of a Mooncake trace line expanded by {@link TraceTokens}
 * and cut to the line's {@code input_length}. Wraps the caller's arrays without copying; reusable (the simulation
 * path sets one prompt per request and allocates nothing).
 */
public final class Prompt
{
    private static final int[] EMPTY = new int[0];

    private int[] tokens = EMPTY;
    private int[] hashIds = EMPTY;
    private int hashIdCount;
    private int tokenCount;
    private boolean trace;

    /**
     * A prompt of token ids, copied.
     *
     * @param tokens the token ids.
     * @return a new prompt.
     */
    public static Prompt ofTokens(final int... tokens)
    {
        return new Prompt().tokens(Arrays.copyOf(tokens, tokens.length), tokens.length);
    }

    /**
     * A prompt of trace hash ids, copied.
     *
     * @param inputLength the line's {@code input_length}: the prompt is cut to it.
     * @param hashIds     the line's {@code hash_ids}.
     * @return a new prompt.
     */
    public static Prompt ofTrace(final int inputLength, final int... hashIds)
    {
        return new Prompt().trace(Arrays.copyOf(hashIds, hashIds.length), hashIds.length, inputLength);
    }

    /**
     * Make this a prompt of token ids (the array is used, not copied).
     *
     * @param tokens the token ids.
     * @param count  how many of them.
     * @return this.
     */
    public Prompt tokens(final int[] tokens, final int count)
    {
        if (count < 0 || count > tokens.length)
        {
            throw new IllegalArgumentException("count " + count + " out of [0, " + tokens.length + "]");
        }
        this.tokens = tokens;
        this.tokenCount = count;
        this.hashIds = EMPTY;
        this.hashIdCount = 0;
        this.trace = false;
        return this;
    }

    /**
     * Make this a prompt of trace hash ids (the array is used, not copied): {@code min(inputLength, 512 * count)}
     * tokens.
     *
     * @param hashIds     the hash ids, each non-negative.
     * @param count       how many of them.
     * @param inputLength the line's {@code input_length}.
     * @return this.
     */
    public Prompt trace(final int[] hashIds, final int count, final int inputLength)
    {
        if (count < 0 || count > hashIds.length || inputLength < 0)
        {
            throw new IllegalArgumentException("bad trace prompt: count " + count + ", input length " + inputLength);
        }
        this.hashIds = hashIds;
        this.hashIdCount = count;
        this.tokenCount = (int)Math.min(inputLength, (long)count * TraceTokens.TOKENS_PER_HASH_ID);
        this.tokens = EMPTY;
        this.trace = true;
        return this;
    }

    /**
     * Number of tokens.
     *
     * @return tokens in the prompt.
     */
    public int tokenCount()
    {
        return tokenCount;
    }

    /**
     * Whether the prompt is made of trace hash ids.
     *
     * @return true for a trace prompt.
     */
    public boolean isTrace()
    {
        return trace;
    }

    /**
     * Number of trace hash ids (0 for a prompt of tokens).
     *
     * @return hash ids.
     */
    public int hashIdCount()
    {
        return hashIdCount;
    }

    /**
     * One trace hash id.
     *
     * @param index its position.
     * @return the hash id.
     */
    public int hashId(final int index)
    {
        return hashIds[index];
    }

    /**
     * Copy a run of the prompt's tokens.
     *
     * @param from      first token position.
     * @param count     number of tokens, {@code from + count <= tokenCount()}.
     * @param out       receives them.
     * @param outOffset where the first goes.
     */
    public void copyTokens(final int from, final int count, final int[] out, final int outOffset)
    {
        if (!trace)
        {
            System.arraycopy(tokens, from, out, outOffset, count);
            return;
        }
        int done = 0;
        while (done < count)
        {
            final int position = from + done;
            final int piece = position / TraceTokens.TOKENS_PER_HASH_ID;
            final int inPiece = position - piece * TraceTokens.TOKENS_PER_HASH_ID;
            final int run = Math.min(count - done, TraceTokens.TOKENS_PER_HASH_ID - inPiece);
            TraceTokens.tokens(hashIds[piece], inPiece, run, out, outOffset + done);
            done += run;
        }
    }

    /**
     * All the prompt's tokens in a new array.
     *
     * @return the token ids.
     */
    public int[] toTokens()
    {
        final int[] out = new int[tokenCount];
        copyTokens(0, tokenCount, out, 0);
        return out;
    }

    int[] tokenArray()
    {
        return tokens;
    }
}
