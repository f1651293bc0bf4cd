package io.kvindex.mockengine;

import java.util.Arrays;

/**
 * The blocks of prompts for one block size: how many full blocks a prompt has, the content hash of each (memoized
 * per trace hash id piece when the block size divides 512, so a trace block is hashed once however often it
 * recurs), and writing a run of blocks' token ids into an event. Single-threaded.
 */
final class BlockContent
{
    private static final int MAX_MEMO_ENTRIES = 1 << 24;

    private final int blockSize;
    private final int piecesPerHashId;
    private final int[] scratch;
    private long[] memo = new long[0];
    private long[] memoKnown = new long[0];

    BlockContent(final int blockSize)
    {
        this.blockSize = blockSize;
        this.piecesPerHashId = TraceTokens.TOKENS_PER_HASH_ID % blockSize == 0 ?
            TraceTokens.TOKENS_PER_HASH_ID / blockSize : 0;
        this.scratch = new int[blockSize];
    }

    int blockSize()
    {
        return blockSize;
    }

    /**
     * Full blocks of a prompt; a partial tail is never cached.
     */
    int fullBlocks(final Prompt prompt)
    {
        return prompt.tokenCount() / blockSize;
    }

    /**
     * The content hash of one full block.
     */
    long contentHash(final Prompt prompt, final int block)
    {
        final int start = block * blockSize;
        if (!prompt.isTrace())
        {
            return EngineHashes.contentHash(prompt.tokenArray(), start, blockSize);
        }
        if (0 == piecesPerHashId)
        {
            prompt.copyTokens(start, blockSize, scratch, 0);
            return EngineHashes.contentHash(scratch, 0, blockSize);
        }
        final int hashIdIndex = block / piecesPerHashId;
        final int piece = block - hashIdIndex * piecesPerHashId;
        final long key = (long)prompt.hashId(hashIdIndex) * piecesPerHashId + piece;
        if (key >= MAX_MEMO_ENTRIES)
        {
            prompt.copyTokens(start, blockSize, scratch, 0);
            return EngineHashes.contentHash(scratch, 0, blockSize);
        }
        return memoized(prompt, (int)key, start);
    }

    private long memoized(final Prompt prompt, final int key, final int start)
    {
        final int word = key >>> 6;
        if (word >= memoKnown.length)
        {
            final int words = Math.max(word + 1, memoKnown.length * 2);
            memoKnown = Arrays.copyOf(memoKnown, words);
            memo = Arrays.copyOf(memo, words << 6);
        }
        final long bit = 1L << key;
        if (0 == (memoKnown[word] & bit))
        {
            prompt.copyTokens(start, blockSize, scratch, 0);
            memo[key] = EngineHashes.contentHash(scratch, 0, blockSize);
            memoKnown[word] |= bit;
        }
        return memo[key];
    }

    /**
     * Write the token ids of a run of full blocks.
     */
    void writeTokens(final Prompt prompt, final int firstBlock, final int blocks, final MsgPackWriter writer)
    {
        if (!prompt.isTrace())
        {
            writer.tokens(prompt.tokenArray(), firstBlock * blockSize, blocks * blockSize);
            return;
        }
        for (int b = firstBlock, end = firstBlock + blocks; b < end; b++)
        {
            prompt.copyTokens(b * blockSize, blockSize, scratch, 0);
            writer.tokens(scratch, 0, blockSize);
        }
    }
}
