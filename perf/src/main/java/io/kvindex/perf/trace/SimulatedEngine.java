package io.kvindex.perf.trace;

import org.agrona.collections.Long2LongHashMap;

/**
 * One worker's prefix cache as a vLLM-style engine keeps it: a fixed capacity in blocks, prefix reuse, and LRU
 * eviction of blocks no running request references. A request stores the blocks it lacks as one Stored event under
 * its last held block, after evicting (one Removed event, leaf first) what it needs room for.
 * <p>
 * Engine hashes chain like vLLM's: {@code h[0] = mix(seed, local[0])}, {@code h[i] = mix(h[i - 1], local[i])}, with
 * a per-engine seed (vLLM's random {@code NONE_HASH}), so two engines report different hashes for the same prefix.
 * The LRU order keeps every cached block older than its parent (a request's chain is refreshed leaf first), so the
 * least recently used block is always a leaf and eviction never strands a cached child. There is no timing model:
 * a request is served at once and references only its own blocks while it is being admitted.
 */
public final class SimulatedEngine
{
    private static final int NONE = -1;

    private final long workerId;
    private final long seed;
    private final int capacity;
    private final Long2LongHashMap slotByHash;
    private final long[] slotHash;
    private final int[] lruPrev;
    private final int[] lruNext;
    private final int[] freeSlots;
    private int freeCount;
    private int lruHead = NONE;
    private int lruTail = NONE;
    private long[] engineHashes = new long[256];
    private int[] chainSlots = new int[256];
    private long[] evicted = new long[256];
    private long storedBlocks;
    private long evictedBlocks;

    /**
     * An empty cache.
     *
     * @param workerId the worker id in the events it emits.
     * @param capacity blocks it holds at most, at least 1.
     * @param seed     the seed of its engine hash chain.
     */
    public SimulatedEngine(final long workerId, final int capacity, final long seed)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        this.workerId = workerId;
        this.capacity = capacity;
        this.seed = seed;
        slotByHash = new Long2LongHashMap(Math.max(16, capacity * 2), 0.65f, NONE);
        slotHash = new long[capacity];
        lruPrev = new int[capacity];
        lruNext = new int[capacity];
        freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeSlots[i] = capacity - 1 - i;
        }
        freeCount = capacity;
    }

    /**
     * The worker id.
     *
     * @return worker id.
     */
    public long workerId()
    {
        return workerId;
    }

    /**
     * Blocks it holds at most.
     *
     * @return capacity.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Blocks cached now.
     *
     * @return cached blocks.
     */
    public int cachedBlocks()
    {
        return capacity - freeCount;
    }

    /**
     * Blocks stored since creation.
     *
     * @return stored blocks.
     */
    public long storedBlocks()
    {
        return storedBlocks;
    }

    /**
     * Blocks evicted since creation.
     *
     * @return evicted blocks.
     */
    public long evictedBlocks()
    {
        return evictedBlocks;
    }

    /**
     * The engine hash of a prefix's last block, as this engine computes it.
     *
     * @param localHashes the prefix's local hashes.
     * @param count       blocks in the prefix, at least 1.
     * @return the engine hash of block {@code count - 1}.
     */
    public long engineHash(final long[] localHashes, final int count)
    {
        long hash = seed;
        for (int i = 0; i < count; i++)
        {
            hash = Hashes.combine(hash, localHashes[i]);
        }
        return hash;
    }

    /**
     * How many leading blocks of a prompt are cached.
     *
     * @param localHashes the prompt's local hashes.
     * @param count       number of blocks.
     * @return cached leading blocks.
     */
    public int matchedBlocks(final long[] localHashes, final int count)
    {
        long hash = seed;
        for (int i = 0; i < count; i++)
        {
            hash = Hashes.combine(hash, localHashes[i]);
            if (!slotByHash.containsKey(hash))
            {
                return i;
            }
        }
        return count;
    }

    /**
     * Admit a request: reuse its cached prefix, evict what the rest needs room for, store the rest. A prompt longer
     * than the capacity is cut to it.
     *
     * @param localHashes the prompt's local hashes.
     * @param count       number of blocks.
     * @param listener    receives the Removed event (if any) then the Stored event (if any).
     * @return blocks that were already cached (the prefix hit).
     */
    public int admit(final long[] localHashes, final int count, final EngineEventListener listener)
    {
        final int blocks = Math.min(count, capacity);
        ensureScratch(blocks);
        long hash = seed;
        int matched = 0;
        boolean matching = true;
        for (int i = 0; i < blocks; i++)
        {
            hash = Hashes.combine(hash, localHashes[i]);
            engineHashes[i] = hash;
            if (matching)
            {
                final int slot = (int)slotByHash.get(hash);
                if (NONE == slot)
                {
                    matching = false;
                }
                else
                {
                    chainSlots[i] = slot;
                    unlink(slot);
                    matched++;
                }
            }
        }

        final int missing = blocks - matched;
        int evictedCount = 0;
        while (freeCount < missing)
        {
            final int victim = lruHead;
            unlink(victim);
            slotByHash.remove(slotHash[victim]);
            freeSlots[freeCount++] = victim;
            evicted[evictedCount++] = slotHash[victim];
        }
        if (evictedCount > 0)
        {
            evictedBlocks += evictedCount;
            listener.onRemoved(workerId, evicted, evictedCount);
        }

        for (int i = matched; i < blocks; i++)
        {
            final int slot = freeSlots[--freeCount];
            slotHash[slot] = engineHashes[i];
            slotByHash.put(engineHashes[i], slot);
            chainSlots[i] = slot;
        }
        if (missing > 0)
        {
            storedBlocks += missing;
            listener.onStored(workerId, matched > 0, matched > 0 ? engineHashes[matched - 1] : 0, engineHashes,
                localHashes, matched, missing);
        }

        for (int i = blocks - 1; i >= 0; i--)
        {
            appendToTail(chainSlots[i]);
        }
        return matched;
    }

    private void ensureScratch(final int blocks)
    {
        if (engineHashes.length < blocks)
        {
            final int length = Math.max(blocks, engineHashes.length * 2);
            engineHashes = new long[length];
            chainSlots = new int[length];
            evicted = new long[length];
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
    }
}
