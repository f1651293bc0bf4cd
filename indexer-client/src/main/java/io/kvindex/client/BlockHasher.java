package io.kvindex.client;

import net.openhft.hashing.LongHashFunction;

import java.util.Arrays;

/**
 * Computes local and sequence block hashes for one block size without allocating per call; the caller supplies
 * the output arrays. One instance per thread: it owns scratch buffers. Only full blocks are hashed.
 */
public final class BlockHasher
{
    private final int blockSize;
    private final long[] pair = new long[2];
    private final long[] mmScratch;
    private final byte[] mmBytes;
    private LongHashFunction function;
    private long seed;
    private LongHashFunction loraFunction;
    private long loraSeed;

    /**
     * A hasher for blocks of {@code blockSize} tokens, multimodal blocks of up to {@code maxMmHashes} hashes.
     *
     * @param blockSize   tokens per block, at least 1.
     * @param maxMmHashes most multimodal hashes a single block may carry.
     */
    public BlockHasher(final int blockSize, final int maxMmHashes)
    {
        if (blockSize < 1)
        {
            throw new IllegalArgumentException("blockSize must be >= 1: " + blockSize);
        }
        this.blockSize = blockSize;
        this.mmScratch = new long[Math.max(0, maxMmHashes)];
        this.mmBytes = new byte[blockSize * Integer.BYTES + Math.max(0, maxMmHashes) * Long.BYTES];
        this.seed = BlockHashing.SEED;
        this.function = BlockHashing.function(seed);
    }

    /**
     * A hasher for blocks of {@code blockSize} tokens, up to 16 multimodal hashes per block.
     *
     * @param blockSize tokens per block.
     */
    public BlockHasher(final int blockSize)
    {
        this(blockSize, 16);
    }

    /**
     * Tokens per block.
     *
     * @return block size.
     */
    public int blockSize()
    {
        return blockSize;
    }

    /**
     * Select the seed for the following calls (1337, or a LoRA seed from {@link BlockHashing#loraSeed}). The last
     * LoRA seed's function is kept, so alternating between it and 1337 does not allocate.
     *
     * @param seed the seed.
     * @return this.
     */
    public BlockHasher seed(final long seed)
    {
        if (seed != this.seed)
        {
            this.seed = seed;
            if (BlockHashing.SEED == seed)
            {
                function = BlockHashing.function(seed);
            }
            else
            {
                if (null == loraFunction || seed != loraSeed)
                {
                    loraSeed = seed;
                    loraFunction = BlockHashing.function(seed);
                }
                function = loraFunction;
            }
        }
        return this;
    }

    /**
     * Number of full blocks in a prompt of {@code tokenCount} tokens.
     *
     * @param tokenCount prompt length.
     * @return full blocks.
     */
    public int fullBlocks(final int tokenCount)
    {
        return tokenCount / blockSize;
    }

    /**
     * Local hash of one block of token ids.
     *
     * @param tokens token ids.
     * @param offset index of the block's first token.
     * @return the local hash.
     */
    public long localHash(final int[] tokens, final int offset)
    {
        return function.hashInts(tokens, offset, blockSize);
    }

    /**
     * Local hashes of every full block of a prompt.
     *
     * @param tokens     token ids.
     * @param tokenCount number of valid tokens.
     * @param out        receives one hash per full block; must hold {@link #fullBlocks(int)} entries.
     * @return number of hashes written.
     */
    public int localHashes(final int[] tokens, final int tokenCount, final long[] out)
    {
        final int blocks = tokenCount / blockSize;
        for (int b = 0; b < blocks; b++)
        {
            out[b] = function.hashInts(tokens, b * blockSize, blockSize);
        }
        return blocks;
    }

    /**
     * Local hash of a block that carries multimodal hashes: the token bytes followed by the multimodal hashes
     * sorted ascending (as unsigned), each u64 little-endian.
     *
     * @param tokens   token ids.
     * @param offset   index of the block's first token.
     * @param mmHashes the block's multimodal hashes (not modified).
     * @param mmCount  how many of them; 0 gives the plain local hash.
     * @return the local hash.
     */
    public long localHash(final int[] tokens, final int offset, final long[] mmHashes, final int mmCount)
    {
        if (mmCount == 0)
        {
            return localHash(tokens, offset);
        }
        if (mmCount > mmScratch.length)
        {
            throw new IllegalArgumentException("block carries " + mmCount + " multimodal hashes, max " +
                mmScratch.length);
        }
        System.arraycopy(mmHashes, 0, mmScratch, 0, mmCount);
        sortUnsigned(mmScratch, mmCount);
        int pos = 0;
        for (int i = 0; i < blockSize; i++)
        {
            final int t = tokens[offset + i];
            mmBytes[pos++] = (byte)t;
            mmBytes[pos++] = (byte)(t >>> 8);
            mmBytes[pos++] = (byte)(t >>> 16);
            mmBytes[pos++] = (byte)(t >>> 24);
        }
        for (int i = 0; i < mmCount; i++)
        {
            long v = mmScratch[i];
            for (int b = 0; b < Long.BYTES; b++)
            {
                mmBytes[pos++] = (byte)v;
                v >>>= 8;
            }
        }
        return function.hashBytes(mmBytes, 0, pos);
    }

    /**
     * Sequence hashes from local hashes: {@code seq[0] = local[0]}, then each chains the previous.
     *
     * @param localHashes local hashes.
     * @param count       number of blocks.
     * @param out         receives the sequence hashes (may be {@code localHashes} itself).
     */
    public void sequenceHashes(final long[] localHashes, final int count, final long[] out)
    {
        if (count == 0)
        {
            return;
        }
        long previous = localHashes[0];
        out[0] = previous;
        for (int i = 1; i < count; i++)
        {
            previous = BlockHashing.sequenceHash(previous, localHashes[i], pair);
            out[i] = previous;
        }
    }

    private static void sortUnsigned(final long[] values, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            values[i] ^= Long.MIN_VALUE;
        }
        Arrays.sort(values, 0, count);
        for (int i = 0; i < count; i++)
        {
            values[i] ^= Long.MIN_VALUE;
        }
    }
}
