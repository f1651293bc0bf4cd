package io.kvindex.mockengine;

import java.util.Arrays;

/**
 * The blocks of prompts for one block size: how many full blocks a prompt has, the content hash of each, and
 * writing a run of blocks' token ids into an event. Single-threaded.
 * <p>
 * Trace prompts, when the block size divides 512, get two shortcuts: content hashes are memoized per hash id piece
 * (a piece is hashed once however often it recurs), and a piece hashed for the first time is encoded in the same
 * pass into a small direct-mapped staging area, from which the {@code BlockStored} event that almost always follows
 * copies it. Either way the tokens are the ones {@link TraceTokens} defines.
 */
final class BlockContent
{
    private static final int MAX_MEMO_ENTRIES = 1 << 24;
    private static final int STAGING_BYTES = 1 << 20;

    private final int blockSize;
    private final int piecesPerHashId;
    private final int[] scratch;
    private final int stagingMask;
    private final long[] stagedKeys;
    private final byte[][] staged;
    private long[] memo = new long[0];
    private long[] memoKnown = new long[0];

    BlockContent(final int blockSize)
    {
        this.blockSize = blockSize;
        this.piecesPerHashId = TraceTokens.TOKENS_PER_HASH_ID % blockSize == 0 ?
            TraceTokens.TOKENS_PER_HASH_ID / blockSize : 0;
        this.scratch = new int[blockSize];
        final int slots = 0 == piecesPerHashId ? 0 :
            Integer.highestOneBit(Math.max(256, STAGING_BYTES / (3 * blockSize)));
        stagingMask = slots - 1;
        stagedKeys = new long[slots];
        Arrays.fill(stagedKeys, -1L);
        staged = new byte[slots][];
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
        final long key = memoKey(prompt, block);
        if (key < 0)
        {
            prompt.copyTokens(start, blockSize, scratch, 0);
            return EngineHashes.contentHash(scratch, 0, blockSize);
        }
        return memoized(prompt, (int)key, block);
    }

    /**
     * The memo key of a trace block, {@code hash id * pieces + piece}, or -1 when it has none.
     */
    private long memoKey(final Prompt prompt, final int block)
    {
        if (0 == piecesPerHashId)
        {
            return -1;
        }
        final int hashIdIndex = block / piecesPerHashId;
        final long key = (long)prompt.hashId(hashIdIndex) * piecesPerHashId + (block - hashIdIndex * piecesPerHashId);
        return key < MAX_MEMO_ENTRIES ? key : -1;
    }

    private long memoized(final Prompt prompt, final int key, final int block)
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
            final int slot = key & stagingMask;
            if (null == staged[slot])
            {
                staged[slot] = new byte[3 * blockSize + 1];
            }
            final int hashIdIndex = block / piecesPerHashId;
            memo[key] = TraceTokens.hashAndEncode(prompt.hashId(hashIdIndex),
                (block - hashIdIndex * piecesPerHashId) * blockSize, blockSize, staged[slot]);
            stagedKeys[slot] = key;
            memoKnown[word] |= bit;
        }
        return memo[key];
    }

    /**
     * Write the token ids of a run of full blocks.
     */
    void writeTokens(final Prompt prompt, final int firstBlock, final int blocks, final MsgPackWriter writer)
    {
        final int from = firstBlock * blockSize;
        final int count = blocks * blockSize;
        if (!prompt.isTrace())
        {
            writer.tokens(prompt.tokenArray(), from, count);
            return;
        }
        if (piecesPerHashId > 0)
        {
            for (int b = firstBlock, end = firstBlock + blocks; b < end; b++)
            {
                writeTraceBlock(prompt, b, writer);
            }
            return;
        }
        int done = 0;
        while (done < count)
        {
            final int position = from + done;
            final int piece = position / TraceTokens.TOKENS_PER_HASH_ID;
            final int inPiece = position - piece * TraceTokens.TOKENS_PER_HASH_ID;
            final int run = Math.min(count - done, TraceTokens.TOKENS_PER_HASH_ID - inPiece);
            TraceTokens.encode(prompt.hashId(piece), inPiece, run, writer);
            done += run;
        }
    }

    private void writeTraceBlock(final Prompt prompt, final int block, final MsgPackWriter writer)
    {
        final long key = memoKey(prompt, block);
        final int slot = (int)key & stagingMask;
        if (key >= 0 && stagedKeys[slot] == key)
        {
            final int length = 3 * blockSize;
            final byte[] buffer = writer.reserve(length, 0);
            System.arraycopy(staged[slot], 0, buffer, writer.position() - length, length);
            return;
        }
        final int hashIdIndex = block / piecesPerHashId;
        TraceTokens.encode(prompt.hashId(hashIdIndex), (block - hashIdIndex * piecesPerHashId) * blockSize,
            blockSize, writer);
    }
}
