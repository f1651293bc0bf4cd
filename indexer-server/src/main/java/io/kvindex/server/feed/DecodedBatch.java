package io.kvindex.server.feed;

import io.kvindex.client.BlockHashing;

import java.util.Arrays;

/**
 * One engine KV-event batch as {@link KvEventBatchDecoder} decodes it, reused from batch to batch. Events are rows
 * of parallel arrays; their block hashes, token ids and multimodal hashes live in shared pools addressed by offset.
 * Arrays grow only when a bigger batch than any before arrives, so steady state allocates nothing.
 */
public final class DecodedBatch
{
    /** Medium of device memory (GPU, or nil in the event). */
    public static final int MEDIUM_DEVICE = 0;

    /** Medium of an offload tier (CPU, DISK, ...). */
    public static final int MEDIUM_OFFLOAD = 1;

    /** The event carries no {@code kv_cache_spec_kind}. */
    public static final int SPEC_ABSENT = 0;

    /** A main-attention spec kind: {@code full_attention}, {@code mla_attention}, {@code sink_full_attention}. */
    public static final int SPEC_MAIN = 1;

    /** Any other spec kind (sliding window, mamba, ...). */
    public static final int SPEC_OTHER = 2;

    /** Kind of an event whose tag is missing or unknown. */
    public static final int KIND_UNKNOWN = -1;

    private static final int INITIAL_EVENTS = 16;
    private static final int INITIAL_POOL = 256;

    double timestamp;
    boolean hasDpRank;
    int dpRank;
    int eventCount;

    int[] kind = new int[INITIAL_EVENTS];
    int[] status = new int[INITIAL_EVENTS];
    int[] hashOffset = new int[INITIAL_EVENTS];
    int[] hashCount = new int[INITIAL_EVENTS];
    boolean[] hasParent = new boolean[INITIAL_EVENTS];
    long[] parentHash = new long[INITIAL_EVENTS];
    int[] tokenOffset = new int[INITIAL_EVENTS];
    int[] tokenCount = new int[INITIAL_EVENTS];
    int[] blockSize = new int[INITIAL_EVENTS];
    long[] loraSeed = new long[INITIAL_EVENTS];
    int[] medium = new int[INITIAL_EVENTS];
    long[] groupIdx = new long[INITIAL_EVENTS];
    int[] specKind = new int[INITIAL_EVENTS];
    int[] extraOffset = new int[INITIAL_EVENTS];
    int[] extraCount = new int[INITIAL_EVENTS];

    long[] hashes = new long[INITIAL_POOL];
    int hashesUsed;
    int[] tokens = new int[INITIAL_POOL];
    int tokensUsed;
    int[] extraStart = new int[INITIAL_EVENTS];
    int[] extraLength = new int[INITIAL_EVENTS];
    int extrasUsed;
    long[] mmHashes = new long[INITIAL_EVENTS];
    int mmHashesUsed;

    /**
     * The batch's timestamp in seconds, NaN when absent.
     *
     * @return the timestamp.
     */
    public double timestamp()
    {
        return timestamp;
    }

    /**
     * Whether the batch names its data-parallel rank (which then overrides the registered one).
     *
     * @return true when {@link #dpRank()} is valid.
     */
    public boolean hasDpRank()
    {
        return hasDpRank;
    }

    /**
     * The batch's data-parallel rank, when {@link #hasDpRank()}.
     *
     * @return the rank.
     */
    public int dpRank()
    {
        return dpRank;
    }

    /**
     * Number of events, including those whose {@link #status(int)} is not OK.
     *
     * @return event count.
     */
    public int eventCount()
    {
        return eventCount;
    }

    /**
     * An event's kind: an {@link io.kvindex.index.EventType} (stored, removed, cleared) or {@link #KIND_UNKNOWN}.
     *
     * @param event event index.
     * @return the kind.
     */
    public int kind(final int event)
    {
        return kind[event];
    }

    /**
     * An event's {@link DecodeStatus}; only OK events may be applied.
     *
     * @param event event index.
     * @return the status.
     */
    public int status(final int event)
    {
        return status[event];
    }

    /**
     * Number of engine block hashes of an event.
     *
     * @param event event index.
     * @return block count.
     */
    public int blockCount(final int event)
    {
        return hashCount[event];
    }

    /**
     * One engine block hash of an event, opaque.
     *
     * @param event event index.
     * @param block block index in the event.
     * @return the hash.
     */
    public long engineHash(final int event, final int block)
    {
        return hashes[hashOffset[event] + block];
    }

    /**
     * Copy an event's engine hashes into a caller's array.
     *
     * @param event event index.
     * @param dst   receives {@link #blockCount(int)} hashes.
     */
    public void copyEngineHashes(final int event, final long[] dst)
    {
        System.arraycopy(hashes, hashOffset[event], dst, 0, hashCount[event]);
    }

    /**
     * Whether a Stored event continues under a parent block.
     *
     * @param event event index.
     * @return true when {@link #parentHash(int)} is valid.
     */
    public boolean hasParent(final int event)
    {
        return hasParent[event];
    }

    /**
     * A Stored event's parent engine hash, when {@link #hasParent(int)}.
     *
     * @param event event index.
     * @return the hash.
     */
    public long parentHash(final int event)
    {
        return parentHash[event];
    }

    /**
     * Number of token ids of a Stored event (one per position, EAGLE pairs reduced to their first token).
     *
     * @param event event index.
     * @return token count.
     */
    public int tokenCount(final int event)
    {
        return tokenCount[event];
    }

    /**
     * The pool holding every event's token ids; an event's start at {@link #tokenOffset(int)}.
     *
     * @return the token pool.
     */
    public int[] tokens()
    {
        return tokens;
    }

    /**
     * Where an event's token ids start in {@link #tokens()}.
     *
     * @param event event index.
     * @return the offset.
     */
    public int tokenOffset(final int event)
    {
        return tokenOffset[event];
    }

    /**
     * A Stored event's {@code block_size} field, 0 when absent.
     *
     * @param event event index.
     * @return tokens per block as the engine states it.
     */
    public int blockSize(final int event)
    {
        return blockSize[event];
    }

    /**
     * The local hash seed of a Stored event: 1337, or the seed of its {@code lora_name}.
     *
     * @param event event index.
     * @return the seed.
     */
    public long loraSeed(final int event)
    {
        return loraSeed[event];
    }

    /**
     * An event's medium: {@link #MEDIUM_DEVICE} or {@link #MEDIUM_OFFLOAD}.
     *
     * @param event event index.
     * @return the medium.
     */
    public int medium(final int event)
    {
        return medium[event];
    }

    /**
     * An event's KV-cache group, 0 when absent.
     *
     * @param event event index.
     * @return the group index.
     */
    public long groupIdx(final int event)
    {
        return groupIdx[event];
    }

    /**
     * An event's spec kind class: {@link #SPEC_ABSENT}, {@link #SPEC_MAIN} or {@link #SPEC_OTHER}.
     *
     * @param event event index.
     * @return the class.
     */
    public int specKind(final int event)
    {
        return specKind[event];
    }

    /**
     * Number of multimodal hashes the {@code extra_keys} of one block carry.
     *
     * @param event event index.
     * @param block block index in the event.
     * @return 0 when the block has none.
     */
    public int mmHashCount(final int event, final int block)
    {
        return block < extraCount[event] ? extraLength[extraOffset[event] + block] : 0;
    }

    /**
     * The pool of multimodal hashes; one block's start at {@link #mmHashOffset(int, int)}.
     *
     * @return the pool.
     */
    public long[] mmHashes()
    {
        return mmHashes;
    }

    /**
     * Where one block's multimodal hashes start in {@link #mmHashes()}.
     *
     * @param event event index.
     * @param block block index in the event.
     * @return the offset, valid when {@link #mmHashCount(int, int)} is above 0.
     */
    public int mmHashOffset(final int event, final int block)
    {
        return block < extraCount[event] ? extraStart[extraOffset[event] + block] : 0;
    }

    void reset()
    {
        timestamp = Double.NaN;
        hasDpRank = false;
        dpRank = 0;
        eventCount = 0;
        hashesUsed = 0;
        tokensUsed = 0;
        extrasUsed = 0;
        mmHashesUsed = 0;
    }

    void startEvent(final int event)
    {
        if (event >= kind.length)
        {
            growEvents(Math.max(event + 1, kind.length * 2));
        }
        kind[event] = KIND_UNKNOWN;
        status[event] = DecodeStatus.OK;
        hashOffset[event] = 0;
        hashCount[event] = 0;
        hasParent[event] = false;
        parentHash[event] = 0;
        tokenOffset[event] = 0;
        tokenCount[event] = 0;
        blockSize[event] = 0;
        loraSeed[event] = BlockHashing.SEED;
        medium[event] = MEDIUM_DEVICE;
        groupIdx[event] = 0;
        specKind[event] = SPEC_ABSENT;
        extraOffset[event] = 0;
        extraCount[event] = 0;
    }

    void ensureHashes(final int extra)
    {
        if (hashesUsed + extra > hashes.length)
        {
            hashes = Arrays.copyOf(hashes, Math.max(hashesUsed + extra, hashes.length * 2));
        }
    }

    void ensureTokens(final int extra)
    {
        if (tokensUsed + extra > tokens.length)
        {
            tokens = Arrays.copyOf(tokens, Math.max(tokensUsed + extra, tokens.length * 2));
        }
    }

    void ensureExtras(final int extra)
    {
        if (extrasUsed + extra > extraStart.length)
        {
            final int capacity = Math.max(extrasUsed + extra, extraStart.length * 2);
            extraStart = Arrays.copyOf(extraStart, capacity);
            extraLength = Arrays.copyOf(extraLength, capacity);
        }
    }

    void ensureMmHashes(final int extra)
    {
        if (mmHashesUsed + extra > mmHashes.length)
        {
            mmHashes = Arrays.copyOf(mmHashes, Math.max(mmHashesUsed + extra, mmHashes.length * 2));
        }
    }

    private void growEvents(final int capacity)
    {
        kind = Arrays.copyOf(kind, capacity);
        status = Arrays.copyOf(status, capacity);
        hashOffset = Arrays.copyOf(hashOffset, capacity);
        hashCount = Arrays.copyOf(hashCount, capacity);
        hasParent = Arrays.copyOf(hasParent, capacity);
        parentHash = Arrays.copyOf(parentHash, capacity);
        tokenOffset = Arrays.copyOf(tokenOffset, capacity);
        tokenCount = Arrays.copyOf(tokenCount, capacity);
        blockSize = Arrays.copyOf(blockSize, capacity);
        loraSeed = Arrays.copyOf(loraSeed, capacity);
        medium = Arrays.copyOf(medium, capacity);
        groupIdx = Arrays.copyOf(groupIdx, capacity);
        specKind = Arrays.copyOf(specKind, capacity);
        extraOffset = Arrays.copyOf(extraOffset, capacity);
        extraCount = Arrays.copyOf(extraCount, capacity);
    }
}
