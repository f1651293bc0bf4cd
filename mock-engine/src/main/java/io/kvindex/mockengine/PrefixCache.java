package io.kvindex.mockengine;

import org.agrona.collections.Long2LongHashMap;

import java.util.function.LongConsumer;

/**
 * One rank's prefix cache of KV blocks, as vLLM's block pool keeps it: a fixed capacity of slots, blocks found by
 * their engine hash, a reference count per block (a running request references every block of its prompt), and LRU
 * eviction of unreferenced blocks only.
 * <p>
 * A request releases its blocks last block first, and a touched prefix is always touched whole, so every cached
 * block sits in the LRU list before its parent: the least recently used block is a leaf and eviction never leaves a
 * cached block whose parent is gone. Slot arrays and an open-addressing map; nothing allocated after construction.
 * Single-threaded.
 */
final class PrefixCache
{
    /** {@link #admit} result: not enough free or evictable blocks now; nothing was changed. */
    static final int NO_ROOM = -1;

    private static final int NONE = -1;

    private final int capacity;
    private final Long2LongHashMap slotByHash;
    private final long[] slotHash;
    private final int[] refCount;
    private final int[] lruPrev;
    private final int[] lruNext;
    private final int[] freeSlots;
    private final long[] evicted;
    private int freeCount;
    private int lruCount;
    private int lruHead = NONE;
    private int lruTail = NONE;
    private int evictedCount;
    private int referencedBlocks;

    PrefixCache(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        this.capacity = capacity;
        slotByHash = new Long2LongHashMap(Math.max(16, capacity * 2), 0.65f, NONE);
        slotHash = new long[capacity];
        refCount = new int[capacity];
        lruPrev = new int[capacity];
        lruNext = new int[capacity];
        freeSlots = new int[capacity];
        evicted = new long[capacity];
        resetSlots();
    }

    int capacity()
    {
        return capacity;
    }

    int cachedBlocks()
    {
        return capacity - freeCount;
    }

    int referencedBlocks()
    {
        return referencedBlocks;
    }

    /**
     * Leading blocks of a chain that are cached, without touching anything.
     */
    int matchedBlocks(final long[] engineHashes, final int blocks)
    {
        for (int i = 0; i < blocks; i++)
        {
            if (!slotByHash.containsKey(engineHashes[i]))
            {
                return i;
            }
        }
        return blocks;
    }

    boolean contains(final long engineHash)
    {
        return slotByHash.containsKey(engineHash);
    }

    /**
     * Admit a chain of blocks: reference its cached prefix, evict (LRU, leaf first) what the rest needs room for,
     * and store the rest, referenced. The evicted hashes are in {@link #evicted()} until the next call.
     *
     * @param engineHashes the chain's engine hashes.
     * @param blocks       its length, at most the capacity.
     * @param heldSlots    receives the slot of every block, for {@link #release}.
     * @return the number of leading blocks that were cached, or {@link #NO_ROOM}.
     */
    int admit(final long[] engineHashes, final int blocks, final int[] heldSlots)
    {
        evictedCount = 0;
        int matched = 0;
        int evictableMatched = 0;
        while (matched < blocks)
        {
            final int slot = (int)slotByHash.get(engineHashes[matched]);
            if (NONE == slot)
            {
                break;
            }
            heldSlots[matched++] = slot;
            evictableMatched += 0 == refCount[slot] ? 1 : 0;
        }
        final int missing = blocks - matched;
        if (freeCount + lruCount - evictableMatched < missing)
        {
            return NO_ROOM;
        }
        for (int i = 0; i < matched; i++)
        {
            reference(heldSlots[i]);
        }
        while (freeCount < missing)
        {
            final int victim = lruHead;
            unlink(victim);
            slotByHash.remove(slotHash[victim]);
            freeSlots[freeCount++] = victim;
            evicted[evictedCount++] = slotHash[victim];
        }
        for (int i = matched; i < blocks; i++)
        {
            final int slot = freeSlots[--freeCount];
            slotHash[slot] = engineHashes[i];
            slotByHash.put(engineHashes[i], slot);
            refCount[slot] = 1;
            referencedBlocks++;
            heldSlots[i] = slot;
        }
        return matched;
    }

    long[] evicted()
    {
        return evicted;
    }

    int evictedCount()
    {
        return evictedCount;
    }

    /**
     * Drop a finished request's references, last block first: blocks nobody references join the LRU list.
     */
    void release(final int[] heldSlots, final int count)
    {
        for (int i = count - 1; i >= 0; i--)
        {
            final int slot = heldSlots[i];
            if (0 == --refCount[slot])
            {
                referencedBlocks--;
                appendToTail(slot);
            }
        }
    }

    /**
     * Drop every block, as vLLM's prefix cache reset does; refused while a request references blocks.
     *
     * @return true when the cache was cleared.
     */
    boolean clear()
    {
        if (referencedBlocks > 0)
        {
            return false;
        }
        slotByHash.clear();
        resetSlots();
        return true;
    }

    /**
     * Every cached block's engine hash, in no particular order.
     */
    void forEachCached(final LongConsumer consumer)
    {
        final Long2LongHashMap.KeyIterator keys = slotByHash.keySet().iterator();
        while (keys.hasNext())
        {
            consumer.accept(keys.nextValue());
        }
    }

    private void resetSlots()
    {
        for (int i = 0; i < capacity; i++)
        {
            freeSlots[i] = capacity - 1 - i;
            refCount[i] = 0;
        }
        freeCount = capacity;
        lruCount = 0;
        lruHead = NONE;
        lruTail = NONE;
        referencedBlocks = 0;
        evictedCount = 0;
    }

    private void reference(final int slot)
    {
        if (0 == refCount[slot]++)
        {
            unlink(slot);
            referencedBlocks++;
        }
    }

    private void unlink(final int slot)
    {
        final int prev = lruPrev[slot];
        final int next = lruNext[slot];
        if (NONE == prev)
        {
            lruHead = next;
        }
        else
        {
            lruNext[prev] = next;
        }
        if (NONE == next)
        {
            lruTail = prev;
        }
        else
        {
            lruPrev[next] = prev;
        }
        lruCount--;
    }

    private void appendToTail(final int slot)
    {
        lruPrev[slot] = lruTail;
        lruNext[slot] = NONE;
        if (NONE == lruTail)
        {
            lruHead = slot;
        }
        else
        {
            lruNext[lruTail] = slot;
        }
        lruTail = slot;
        lruCount++;
    }
}
