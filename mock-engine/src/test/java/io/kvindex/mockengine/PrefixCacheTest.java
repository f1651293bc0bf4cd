package io.kvindex.mockengine;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrefixCacheTest
{
    private final PrefixCache cache = new PrefixCache(4);
    private final int[] held = new int[4];

    @Test
    void shouldReuseCachedPrefixAndStoreTheRest()
    {
        assertEquals(0, cache.admit(new long[]{ 1, 2 }, 2, held));
        cache.release(held, 2);
        assertEquals(2, cache.admit(new long[]{ 1, 2, 3 }, 3, held));
        assertEquals(0, cache.evictedCount());
        assertEquals(3, cache.cachedBlocks());
        assertEquals(3, cache.referencedBlocks());
        cache.release(held, 3);
        assertEquals(0, cache.referencedBlocks());
        assertEquals(2, cache.matchedBlocks(new long[]{ 1, 2, 9 }, 3));
    }

    @Test
    void shouldEvictLeastRecentlyUsedLeafFirst()
    {
        admitAndRelease(1, 2);
        admitAndRelease(5, 6);
        assertEquals(4, cache.cachedBlocks());

        assertEquals(0, cache.admit(new long[]{ 9 }, 1, held));
        assertArrayEquals(new long[]{ 2 }, evicted(), "the oldest chain's leaf goes first");
        cache.release(held, 1);

        assertEquals(0, cache.admit(new long[]{ 7, 8 }, 2, held));
        assertArrayEquals(new long[]{ 1, 6 }, evicted(), "then its parent, then the next chain's leaf");
        cache.release(held, 2);
        assertTrue(cache.contains(5) && cache.contains(9) && cache.contains(7) && cache.contains(8));
    }

    @Test
    void shouldRefreshATouchedPrefixSoItIsEvictedLast()
    {
        admitAndRelease(1, 2);
        admitAndRelease(5, 6);
        admitAndRelease(1);
        assertEquals(0, cache.admit(new long[]{ 7, 8, 9 }, 3, held));
        assertArrayEquals(new long[]{ 2, 6, 5 }, evicted(), "1 was touched last; 2 is older than 1");
        assertTrue(cache.contains(1));
    }

    @Test
    void shouldNeverEvictReferencedBlocksAndChangeNothingWithoutRoom()
    {
        assertEquals(0, cache.admit(new long[]{ 1, 2, 3 }, 3, held));
        final int[] other = new int[4];
        assertEquals(PrefixCache.NO_ROOM, cache.admit(new long[]{ 5, 6 }, 2, other));
        assertEquals(3, cache.cachedBlocks());
        assertEquals(3, cache.referencedBlocks());
        assertEquals(0, cache.admit(new long[]{ 5 }, 1, other));
        cache.release(other, 1);

        assertEquals(1, cache.admit(new long[]{ 1, 7 }, 2, other), "shares block 1 with the running request");
        assertArrayEquals(new long[]{ 5 }, evicted());
        cache.release(held, 3);
        assertTrue(cache.contains(1), "still referenced by the second request");
        assertEquals(2, cache.referencedBlocks());
        cache.release(other, 2);
        assertEquals(0, cache.referencedBlocks());
    }

    @Test
    void shouldCountMatchedUnreferencedBlocksOutOfTheEvictableRoom()
    {
        admitAndRelease(1, 2, 3, 4);
        assertEquals(PrefixCache.NO_ROOM, cache.admit(new long[]{ 1, 2, 3, 4, 5 }, 5, new int[5]));
        assertEquals(4, cache.cachedBlocks());
        assertEquals(0, cache.referencedBlocks());
    }

    @Test
    void shouldRefuseClearWhileReferencedAndClearOtherwise()
    {
        assertEquals(0, cache.admit(new long[]{ 1, 2 }, 2, held));
        assertFalse(cache.clear());
        assertEquals(2, cache.cachedBlocks());
        cache.release(held, 2);
        assertTrue(cache.clear());
        assertEquals(0, cache.cachedBlocks());
        assertFalse(cache.contains(1));
        admitAndRelease(3, 4, 5, 6);
        assertEquals(4, cache.cachedBlocks());
    }

    private void admitAndRelease(final long... hashes)
    {
        final int matched = cache.admit(hashes, hashes.length, held);
        assertTrue(matched >= 0);
        cache.release(held, hashes.length);
    }

    private long[] evicted()
    {
        return Arrays.copyOf(cache.evicted(), cache.evictedCount());
    }
}
