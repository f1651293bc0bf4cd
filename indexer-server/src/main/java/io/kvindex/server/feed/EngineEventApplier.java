package io.kvindex.server.feed;

import io.kvindex.client.BlockHasher;
import io.kvindex.index.BlockEventSink;
import io.kvindex.index.EventCounters;
import io.kvindex.index.EventStatus;
import io.kvindex.index.EventType;
import org.agrona.collections.LongHashSet;

import java.util.Arrays;

/**
 * Applies decoded engine batches of one feed to a {@link io.kvindex.index.BlockIndex} (or another
 * {@link BlockEventSink}), for the owner {@code (workerId, dpRank)} where the batch's rank, when it has one, overrides
 * the registered rank. Computes local hashes from token ids (LoRA seed and multimodal hashes included), filters what
 * {@code spec/engine-events.md} says to ignore, and counts every outcome; {@link #applyHashed} takes one event whose
 * sender computed the local hashes (the Aeron feed). Runs on the index's single writer thread; allocates nothing in
 * steady state.
 */
public final class EngineEventApplier
{
    /** An event handed to the index (its {@link EventStatus} is counted in {@link #indexCounters()}). */
    public static final int APPLIED = 0;

    /** An event the decoder marked bad; not applied. */
    public static final int UNDECODED = 1;

    /** An event about an offload medium (CPU, DISK, ...): only device memory is indexed. */
    public static final int IGNORED_MEDIUM = 2;

    /** An event of a KV-cache group or spec kind other than the main attention. */
    public static final int IGNORED_GROUP = 3;

    /** A Stored event whose block hashes (parent included) repeat: dropped whole. */
    public static final int DUPLICATE_HASH = 4;

    /** A Stored event whose {@code block_size} is not the feed's: nothing applied. */
    public static final int CUT_BLOCK_SIZE = 5;

    /** A Stored event with too few token ids: the blocks before the first short one applied. */
    public static final int CUT_SHORT_TOKENS = 6;

    /** Number of distinct outcomes. */
    public static final int COUNT = 7;

    private static final String[] NAMES =
    {
        "applied", "undecoded", "ignored_medium", "ignored_group", "duplicate_hash", "cut_block_size",
        "cut_short_tokens"
    };
    private static final int SMALL_EVENT_BLOCKS = 16;

    private final BlockEventSink index;
    private final BlockHasher hasher;
    private final int blockSize;
    private final EventCounters indexCounters = new EventCounters();
    private final long[] outcomes = new long[COUNT];
    private final LongHashSet seen = new LongHashSet();
    private final long[] mmScratch;
    private long[] engineHashes = new long[64];
    private long[] localHashes = new long[64];

    /**
     * An applier for one feed.
     *
     * @param index       the index to write, or another sink of applied events (a relay's publisher).
     * @param blockSize   the feed's registered tokens per block.
     * @param maxMmHashes most multimodal hashes per block, as the decoder's limit.
     */
    public EngineEventApplier(final BlockEventSink index, final int blockSize, final int maxMmHashes)
    {
        this.index = index;
        this.blockSize = blockSize;
        this.hasher = new BlockHasher(blockSize, maxMmHashes);
        this.mmScratch = new long[maxMmHashes];
    }

    /**
     * Apply every decodable event of a batch in order.
     *
     * @param batch            a batch the decoder returned OK for.
     * @param workerId         the feed's worker id.
     * @param registeredDpRank the dp rank the feed was registered with.
     * @return number of events handed to the index.
     */
    public int apply(final DecodedBatch batch, final long workerId, final int registeredDpRank)
    {
        final int dpRank = batch.hasDpRank() ? batch.dpRank() : registeredDpRank;
        int applied = 0;
        for (int e = 0, n = batch.eventCount(); e < n; e++)
        {
            final int outcome = applyEvent(batch, e, workerId, dpRank);
            outcomes[outcome]++;
            applied += APPLIED == outcome || CUT_SHORT_TOKENS == outcome ? 1 : 0;
        }
        return applied;
    }

    /**
     * Apply one event whose sender computed the local hashes (an Aeron event), with the duplicate-hash check and the
     * counting of engine batches.
     *
     * @param type         {@link EventType#STORED}, {@link EventType#REMOVED} or {@link EventType#CLEARED}.
     * @param workerId     the owner's worker id.
     * @param dpRank       the owner's dp rank.
     * @param hasParent    whether a Stored continues under {@code parentHash}.
     * @param parentHash   the parent's engine hash.
     * @param engineHashes the engine hashes of the blocks.
     * @param localHashes  the local hashes of a Stored's blocks.
     * @param count        number of blocks.
     * @return the outcome.
     */
    public int applyHashed(
        final int type,
        final long workerId,
        final int dpRank,
        final boolean hasParent,
        final long parentHash,
        final long[] engineHashes,
        final long[] localHashes,
        final int count)
    {
        final int outcome;
        if (EventType.CLEARED == type)
        {
            indexCounters.record(EventType.CLEARED, index.clear(workerId));
            outcome = APPLIED;
        }
        else if (EventType.REMOVED == type)
        {
            indexCounters.record(EventType.REMOVED, index.remove(workerId, dpRank, engineHashes, count));
            outcome = APPLIED;
        }
        else if (EventType.STORED != type)
        {
            outcome = UNDECODED;
        }
        else if (hasDuplicate(engineHashes, hasParent, parentHash, count))
        {
            outcome = DUPLICATE_HASH;
        }
        else
        {
            if (count > 0)
            {
                indexCounters.record(EventType.STORED,
                    index.store(workerId, dpRank, hasParent, parentHash, engineHashes, localHashes, count));
            }
            outcome = APPLIED;
        }
        outcomes[outcome]++;
        return outcome;
    }

    /**
     * Forget one owner of the feed and its blocks (the worker's state is rebuilt from later events).
     *
     * @param workerId the worker.
     * @param dpRank   the dp rank.
     * @return an {@link io.kvindex.index.EventStatus}.
     */
    public int removeOwner(final long workerId, final int dpRank)
    {
        return index.removeWorker(workerId, dpRank);
    }

    /**
     * Events that ended with an outcome.
     *
     * @param outcome one of the outcome constants.
     * @return the count.
     */
    public long outcomeCount(final int outcome)
    {
        return outcomes[outcome];
    }

    /**
     * Statuses the index returned, by event type.
     *
     * @return the counters.
     */
    public EventCounters indexCounters()
    {
        return indexCounters;
    }

    /**
     * The metric label of an outcome.
     *
     * @param outcome one of the outcome constants.
     * @return its label.
     */
    public static String outcomeName(final int outcome)
    {
        return outcome >= 0 && outcome < COUNT ? NAMES[outcome] : "unknown";
    }

    private int applyEvent(final DecodedBatch batch, final int e, final long workerId, final int dpRank)
    {
        if (DecodeStatus.OK != batch.status(e))
        {
            return UNDECODED;
        }
        final int kind = batch.kind(e);
        if (EventType.CLEARED == kind)
        {
            indexCounters.record(EventType.CLEARED, index.clear(workerId));
            return APPLIED;
        }
        if (DecodedBatch.MEDIUM_DEVICE != batch.medium(e))
        {
            return IGNORED_MEDIUM;
        }
        final int spec = batch.specKind(e);
        if (DecodedBatch.SPEC_OTHER == spec || (DecodedBatch.SPEC_ABSENT == spec && 0 != batch.groupIdx(e)))
        {
            return IGNORED_GROUP;
        }
        final int count = batch.blockCount(e);
        ensureCapacity(count);
        batch.copyEngineHashes(e, engineHashes);
        if (EventType.REMOVED == kind)
        {
            indexCounters.record(EventType.REMOVED, index.remove(workerId, dpRank, engineHashes, count));
            return APPLIED;
        }
        return applyStored(batch, e, workerId, dpRank, count);
    }

    private int applyStored(
        final DecodedBatch batch, final int e, final long workerId, final int dpRank, final int count)
    {
        if (hasDuplicate(engineHashes, batch.hasParent(e), batch.parentHash(e), count))
        {
            return DUPLICATE_HASH;
        }
        final int statedSize = batch.blockSize(e);
        if (0 != statedSize && blockSize != statedSize)
        {
            return CUT_BLOCK_SIZE;
        }
        final int usable = Math.min(count, batch.tokenCount(e) / blockSize);
        hasher.seed(batch.loraSeed(e));
        final int[] tokens = batch.tokens();
        final int tokenOffset = batch.tokenOffset(e);
        for (int b = 0; b < usable; b++)
        {
            final int mmCount = batch.mmHashCount(e, b);
            if (0 == mmCount)
            {
                localHashes[b] = hasher.localHash(tokens, tokenOffset + b * blockSize);
            }
            else
            {
                System.arraycopy(batch.mmHashes(), batch.mmHashOffset(e, b), mmScratch, 0, mmCount);
                localHashes[b] = hasher.localHash(tokens, tokenOffset + b * blockSize, mmScratch, mmCount);
            }
        }
        if (usable > 0)
        {
            final int status = index.store(
                workerId, dpRank, batch.hasParent(e), batch.parentHash(e), engineHashes, localHashes, usable);
            indexCounters.record(EventType.STORED, status);
        }
        return usable < count ? CUT_SHORT_TOKENS : APPLIED;
    }

    private boolean hasDuplicate(
        final long[] engineHashes, final boolean hasParent, final long parentHash, final int count)
    {
        if (count <= SMALL_EVENT_BLOCKS)
        {
            for (int i = 0; i < count; i++)
            {
                final long hash = engineHashes[i];
                if (hasParent && hash == parentHash)
                {
                    return true;
                }
                for (int j = i + 1; j < count; j++)
                {
                    if (hash == engineHashes[j])
                    {
                        return true;
                    }
                }
            }
            return false;
        }
        seen.clear();
        if (hasParent)
        {
            seen.add(parentHash);
        }
        for (int i = 0; i < count; i++)
        {
            if (!seen.add(engineHashes[i]))
            {
                return true;
            }
        }
        return false;
    }

    private void ensureCapacity(final int count)
    {
        if (count > engineHashes.length)
        {
            final int capacity = Math.max(count, engineHashes.length * 2);
            engineHashes = Arrays.copyOf(engineHashes, capacity);
            localHashes = Arrays.copyOf(localHashes, capacity);
        }
    }
}
