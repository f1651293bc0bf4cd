package io.kvindex.mockengine;

/**
 * One data-parallel rank: its own prefix cache, hash seed and batch under construction. Admits a prompt by hashing
 * its full blocks, letting the cache match, evict and store, and encoding the resulting {@code BlockRemoved} and
 * {@code BlockStored} events into its open batch. Single-threaded; allocates nothing once warm.
 */
final class RankEngine
{
    static final long NO_BATCH = Long.MIN_VALUE;

    private final int dpRank;
    private final long seed;
    private final PrefixCache cache;
    private final BlockContent content;
    private final EventBatchEncoder encoder;
    private final boolean removedPerBlock;
    private final long[] engineHashes;
    private final int[] heldSlots;
    private long batchOpenedNs = NO_BATCH;
    private int lastEvicted;

    RankEngine(
        final int dpRank,
        final long seed,
        final int capacity,
        final BlockContent content,
        final EventFormat eventFormat,
        final HashFormat hashFormat,
        final boolean removedPerBlock)
    {
        this.dpRank = dpRank;
        this.seed = EngineHashes.rankSeed(seed, dpRank);
        this.cache = new PrefixCache(capacity);
        this.content = content;
        this.encoder = new EventBatchEncoder(eventFormat, hashFormat);
        this.removedPerBlock = removedPerBlock;
        this.engineHashes = new long[capacity];
        this.heldSlots = new int[capacity];
    }

    int dpRank()
    {
        return dpRank;
    }

    PrefixCache cache()
    {
        return cache;
    }

    EventBatchEncoder encoder()
    {
        return encoder;
    }

    int[] heldSlots()
    {
        return heldSlots;
    }

    int lastEvicted()
    {
        return lastEvicted;
    }

    long batchOpenedNs()
    {
        return batchOpenedNs;
    }

    void batchClosed()
    {
        batchOpenedNs = NO_BATCH;
    }

    /**
     * Blocks of a prompt this rank deals with: its full blocks, cut to the capacity.
     */
    int blocks(final Prompt prompt)
    {
        return Math.min(content.fullBlocks(prompt), cache.capacity());
    }

    /**
     * Compute the engine hashes of a prompt's first blocks into the scratch array.
     */
    void hash(final Prompt prompt, final int blocks)
    {
        long hash = seed;
        for (int i = 0; i < blocks; i++)
        {
            hash = EngineHashes.chain(hash, content.contentHash(prompt, i));
            engineHashes[i] = hash;
        }
    }

    /**
     * Leading blocks of a prompt cached on this rank, without touching the cache.
     */
    int cachedPrefixBlocks(final Prompt prompt)
    {
        final int blocks = blocks(prompt);
        hash(prompt, blocks);
        return cache.matchedBlocks(engineHashes, blocks);
    }

    /**
     * Admit a prompt whose blocks were hashed by {@link #hash}: the cache references, evicts and stores, and the
     * events go into the open batch. The held slots are in {@link #heldSlots()}.
     *
     * @return leading blocks that were cached, or {@link PrefixCache#NO_ROOM}.
     */
    int admit(final Prompt prompt, final int blocks, final long nowNs)
    {
        final int matched = cache.admit(engineHashes, blocks, heldSlots);
        if (PrefixCache.NO_ROOM == matched)
        {
            return matched;
        }
        lastEvicted = cache.evictedCount();
        if (lastEvicted > 0)
        {
            encodeRemoved(cache.evicted(), lastEvicted);
        }
        final int stored = blocks - matched;
        if (stored > 0)
        {
            final boolean hasParent = matched > 0;
            encoder.beginStored(hasParent, hasParent ? engineHashes[matched - 1] : 0L, engineHashes, matched, stored,
                stored * content.blockSize());
            content.writeTokens(prompt, matched, stored, encoder.writer());
            encoder.endStored(content.blockSize());
        }
        if (encoder.eventCount() > 0 && NO_BATCH == batchOpenedNs)
        {
            batchOpenedNs = nowNs;
        }
        return matched;
    }

    /**
     * Clear the cache (refused while blocks are referenced), adding an {@code AllBlocksCleared} event.
     */
    boolean clear(final long nowNs)
    {
        if (!cache.clear())
        {
            return false;
        }
        encoder.cleared();
        if (NO_BATCH == batchOpenedNs)
        {
            batchOpenedNs = nowNs;
        }
        return true;
    }

    private void encodeRemoved(final long[] evicted, final int count)
    {
        if (removedPerBlock)
        {
            for (int i = 0; i < count; i++)
            {
                encoder.removed(evicted, i, 1);
            }
        }
        else
        {
            encoder.removed(evicted, 0, count);
        }
    }
}
