package io.kvindex.client;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlockHasherTest
{
    private static final int BLOCK_SIZE = 4;
    private static final int[] TOKENS =
    {
        1, 151643, 0, -1,
        0x80000000, 0x7FFFFFFF, 0x01020304, 42,
        7, 8, 9, 10,
        11, 12,
    };

    private final BlockHasher hasher = new BlockHasher(BLOCK_SIZE);

    @Test
    void shouldHashTokensAsU32LittleEndianWithSeed1337()
    {
        for (int block = 0; block < 3; block++)
        {
            final int offset = block * BLOCK_SIZE;
            final byte[] bytes = new LittleEndianBytes().u32s(TOKENS, offset, BLOCK_SIZE).toArray();

            assertEquals(BlockHashing.xxh3Seeded(bytes), hasher.localHash(TOKENS, offset), "block " + block);
        }
    }

    @Test
    void shouldWriteTokenBytesLowByteFirst()
    {
        final byte[] bytes = new LittleEndianBytes().u32(0x01020304).toArray();
        assertArrayEquals(new byte[]{ 4, 3, 2, 1 }, bytes);
        assertEquals(BlockHashing.xxh3Seeded(bytes), new BlockHasher(1).localHash(new int[]{ 0x01020304 }, 0));
    }

    @Test
    void shouldHashOnlyFullBlocksAndIgnoreTrailingPartialBlock()
    {
        final long[] out = new long[8];
        Arrays.fill(out, 99L);

        final int count = hasher.localHashes(TOKENS, TOKENS.length, out);

        assertEquals(3, count);
        assertEquals(3, hasher.fullBlocks(TOKENS.length));
        for (int b = 0; b < count; b++)
        {
            assertEquals(hasher.localHash(TOKENS, b * BLOCK_SIZE), out[b]);
        }
        assertEquals(99L, out[3]);
        final long[] exact = new long[3];
        assertEquals(3, hasher.localHashes(Arrays.copyOf(TOKENS, 12), 12, exact));
        assertArrayEquals(Arrays.copyOf(out, 3), exact);
    }

    @Test
    void shouldHashNoBlocksForPromptShorterThanOneBlock()
    {
        final long[] out = { 99L };
        assertEquals(0, hasher.localHashes(TOKENS, BLOCK_SIZE - 1, out));
        assertEquals(0, hasher.localHashes(new int[0], 0, new long[0]));
        assertEquals(0, hasher.fullBlocks(BLOCK_SIZE - 1));
        assertEquals(99L, out[0]);
    }

    @Test
    void shouldHashLoraBlocksWithLoraSeed()
    {
        final long base = hasher.localHash(TOKENS, 0);
        final long seed = BlockHashing.loraSeed("sql-adapter");
        final byte[] bytes = new LittleEndianBytes().u32s(TOKENS, 0, BLOCK_SIZE).toArray();

        final long lora = hasher.seed(seed).localHash(TOKENS, 0);

        assertNotEquals(base, lora);
        assertEquals(BlockHashing.function(seed).hashBytes(bytes), lora);
        assertNotEquals(lora, hasher.seed(BlockHashing.loraSeed("other-adapter")).localHash(TOKENS, 0));
        assertEquals(base, hasher.seed(BlockHashing.loraSeed(null)).localHash(TOKENS, 0));
    }

    @Test
    void shouldAppendMultimodalHashesSortedAsUnsignedLittleEndian()
    {
        final long high = 0x8000000000000001L;
        final long max = -1L;
        final long mid = 0x7FFFFFFFFFFFFFFFL;
        final long low = 5L;
        final long[] mm = { high, low, max, mid };
        final long[] signedOrder = mm.clone();
        Arrays.sort(signedOrder);
        assertNotEquals(Arrays.toString(new long[]{ low, mid, high, max }), Arrays.toString(signedOrder));
        final byte[] expected = new LittleEndianBytes()
            .u32s(TOKENS, 0, BLOCK_SIZE).u64(low).u64(mid).u64(high).u64(max).toArray();
        final byte[] signedBytes = new LittleEndianBytes()
            .u32s(TOKENS, 0, BLOCK_SIZE).u64(signedOrder[0]).u64(signedOrder[1]).u64(signedOrder[2])
            .u64(signedOrder[3]).toArray();

        final long hash = hasher.localHash(TOKENS, 0, mm, mm.length);

        assertEquals(BlockHashing.xxh3Seeded(expected), hash);
        assertNotEquals(BlockHashing.xxh3Seeded(signedBytes), hash);
        assertArrayEquals(new long[]{ high, low, max, mid }, mm);
    }

    @Test
    void shouldHashMultimodalBlockWithLoraSeed()
    {
        final long seed = BlockHashing.loraSeed("vision-lora");
        final long[] mm = { 0xF000000000000000L, 3L };
        final byte[] expected = new LittleEndianBytes().u32s(TOKENS, 4, BLOCK_SIZE).u64(3L).u64(mm[0]).toArray();

        assertEquals(BlockHashing.function(seed).hashBytes(expected), hasher.seed(seed).localHash(TOKENS, 4, mm, 2));
    }

    @Test
    void shouldIgnoreOrderOfMultimodalHashesGiven()
    {
        final long[] a = { -7L, 0x8000000000000000L, 12L, 0x7000000000000000L, -7L };
        final long[] b = { 12L, -7L, 0x7000000000000000L, -7L, 0x8000000000000000L };
        final long[] c = { 0x8000000000000000L, -7L, -7L, 12L, 0x7000000000000000L };

        final long hash = hasher.localHash(TOKENS, 0, a, a.length);

        assertEquals(hash, hasher.localHash(TOKENS, 0, b, b.length));
        assertEquals(hash, hasher.localHash(TOKENS, 0, c, c.length));
        assertNotEquals(hash, hasher.localHash(TOKENS, 0, a, a.length - 1));
    }

    @Test
    void shouldUsePlainHashWithoutMultimodalHashes()
    {
        assertEquals(hasher.localHash(TOKENS, 8), hasher.localHash(TOKENS, 8, new long[]{ 1L }, 0));
        assertNotEquals(hasher.localHash(TOKENS, 8), hasher.localHash(TOKENS, 8, new long[]{ 0L }, 1));
    }

    @Test
    void shouldRejectMoreMultimodalHashesThanConfigured()
    {
        final BlockHasher small = new BlockHasher(BLOCK_SIZE, 2);
        small.localHash(TOKENS, 0, new long[]{ 1L, 2L }, 2);
        assertThrows(IllegalArgumentException.class, () -> small.localHash(TOKENS, 0, new long[]{ 1L, 2L, 3L }, 3));
        assertThrows(IllegalArgumentException.class, () -> new BlockHasher(0));
    }

    @Test
    void shouldChainSequenceHashesFromLocalHashes()
    {
        final long[] local = { 0x1111L, -1L, 0x8000000000000000L, 42L, 0L };
        final long[] expected = new long[local.length];
        expected[0] = local[0];
        for (int i = 1; i < local.length; i++)
        {
            expected[i] = BlockHashing.xxh3Seeded(new LittleEndianBytes().u64(expected[i - 1]).u64(local[i]).toArray());
        }
        final long[] out = new long[local.length];

        hasher.sequenceHashes(local, local.length, out);

        assertArrayEquals(expected, out);
        assertEquals(0x1111L, out[0]);
    }

    @Test
    void shouldChainSequenceHashesWithSeed1337WhateverTheLoraSeed()
    {
        final long[] local = { 3L, 4L, 5L };
        final long[] base = new long[3];
        final long[] lora = new long[3];
        hasher.sequenceHashes(local, 3, base);
        hasher.seed(BlockHashing.loraSeed("adapter")).sequenceHashes(local, 3, lora);
        assertArrayEquals(base, lora);
    }

    @Test
    void shouldComputeSequenceHashesInPlace()
    {
        final long[] local = new long[6];
        final int count = new BlockHasher(2).localHashes(TOKENS, 13, local);
        assertEquals(6, count);
        final long[] separate = new long[count];
        hasher.sequenceHashes(local, count, separate);

        hasher.sequenceHashes(local, count, local);

        assertArrayEquals(separate, local);
        hasher.sequenceHashes(local, 0, local);
        assertArrayEquals(separate, local);
    }

    @Test
    void shouldNotAllocatePerCallWithCallerArrays()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        final int[] tokens = new Random(7).ints(64 * BLOCK_SIZE + 3).toArray();
        final long[] out = new long[64];
        final long[] mm = { -1L, 2L, 0x8000000000000000L };
        final long threadId = Thread.currentThread().getId();
        long sink = 0;
        for (int i = 0; i < 200_000; i++)
        {
            sink += hashOnce(tokens, out, mm, i);
        }

        final long before = threads.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < 100_000; i++)
        {
            sink += hashOnce(tokens, out, mm, i);
        }
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertTrue(allocated < 4096, "allocated " + allocated + " bytes over 100k calls (sink " + sink + ")");
    }

    @Test
    void shouldNotAllocateWhenAlternatingBetweenBaseAndOneLoraSeed()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        final long lora = BlockHashing.loraSeed("adapter");
        final long threadId = Thread.currentThread().getId();
        final long expected = hasher.seed(lora).localHash(TOKENS, 0);
        long sink = 0;
        for (int i = 0; i < 100_000; i++)
        {
            sink += hasher.seed(BlockHashing.SEED).localHash(TOKENS, 0) + hasher.seed(lora).localHash(TOKENS, 0);
        }

        final long before = threads.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < 100_000; i++)
        {
            sink += hasher.seed(BlockHashing.SEED).localHash(TOKENS, 0) + hasher.seed(lora).localHash(TOKENS, 0);
        }
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertTrue(allocated < 4096, "allocated " + allocated + " bytes (sink " + sink + ")");
        assertEquals(expected, hasher.seed(lora).localHash(TOKENS, 0));
    }

    private long hashOnce(final int[] tokens, final long[] out, final long[] mm, final int i)
    {
        final int count = hasher.localHashes(tokens, tokens.length - (i & 15), out);
        hasher.sequenceHashes(out, count, out);
        return out[count - 1] + hasher.localHash(tokens, i & 63, mm, 3);
    }
}
