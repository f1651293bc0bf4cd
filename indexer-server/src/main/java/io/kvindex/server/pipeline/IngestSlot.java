package io.kvindex.server.pipeline;

import io.kvindex.server.feed.DecodedBatch;

/**
 * One preallocated slot of the ingest ring: a command kind, the owner it is about and, for engine batches, the
 * {@link DecodedBatch} a producer decodes straight into; for one event whose local hashes are known (the Aeron feed),
 * the event's fields and hash arrays held by the slot itself, so that such an event touches a few cache lines rather
 * than a whole batch. Written only by the producer holding the claimed sequence, read only by the
 * {@link IndexWriter} once published.
 */
public final class IngestSlot
{
    /** A claimed slot with nothing to apply (e.g. its payload did not decode); the writer steps over it. */
    public static final int SKIP = 0;

    /** An engine KV-event batch for the owner {@code (workerId, dpRank)} of index {@link #indexKey()}. */
    public static final int ENGINE_BATCH = 1;

    /** A registry command: every dp rank of the worker drops every block; the worker stays known. */
    public static final int CLEAR_WORKER = 2;

    /** A registry command: forget the worker, or one dp rank of it when {@link #dpRank()} is not {@link #ALL_RANKS}. */
    public static final int REMOVE_WORKER = 3;

    /** One KV event with local hashes already computed: {@link #eventType()} over the slot's hash arrays. */
    public static final int HASHED_EVENT = 4;
    /** A task to run on the writer thread, in ring order (e.g. a consistent dump of an index). */
    public static final int TASK = 5;

    /** The dp rank of a {@link #REMOVE_WORKER} command that removes every rank of the worker. */
    public static final int ALL_RANKS = -1;

    private static final int INITIAL_BLOCKS = 8;

    private final DecodedBatch batch = new DecodedBatch();
    private long[] engineHashes = new long[INITIAL_BLOCKS];
    private long[] localHashes = new long[INITIAL_BLOCKS];
    private long parentHash;
    private boolean hasParent;
    private int eventType;
    private int blockCount;
    private int kind = SKIP;
    private long workerId;
    private int dpRank;
    private int blockSize;
    private int indexKey;
    private Runnable task;

    /**
     * The batch a producer decodes into; valid for the writer only when {@link #kind()} is {@link #ENGINE_BATCH}.
     *
     * @return the slot's batch.
     */
    public DecodedBatch batch()
    {
        return batch;
    }

    /**
     * Mark the slot as an engine batch, decoded into {@link #batch()}, for a registered owner.
     *
     * @param indexKey  key of the index in the pipeline.
     * @param workerId  the engine's worker id.
     * @param dpRank    the registered dp rank; a rank in the batch overrides it.
     * @param blockSize the registered tokens per block.
     * @return this slot.
     */
    public IngestSlot engineBatch(final int indexKey, final long workerId, final int dpRank, final int blockSize)
    {
        return set(ENGINE_BATCH, indexKey, workerId, dpRank, blockSize);
    }

    /**
     * Mark the slot as one event with known local hashes, whose hashes the producer wrote into
     * {@link #engineHashes(int)} and {@link #localHashes(int)}.
     *
     * @param indexKey   key of the index in the pipeline.
     * @param workerId   the owner's worker id.
     * @param dpRank     the owner's dp rank.
     * @param eventType  an {@link io.kvindex.index.EventType}: stored, removed or cleared.
     * @param hasParent  whether a Stored continues under {@code parentHash}.
     * @param parentHash the parent's engine hash.
     * @param blockCount number of blocks (hashes) of the event.
     * @return this slot.
     */
    public IngestSlot hashedEvent(
        final int indexKey,
        final long workerId,
        final int dpRank,
        final int eventType,
        final boolean hasParent,
        final long parentHash,
        final int blockCount)
    {
        this.eventType = eventType;
        this.hasParent = hasParent;
        this.parentHash = parentHash;
        this.blockCount = blockCount;
        return set(HASHED_EVENT, indexKey, workerId, dpRank, 0);
    }

    /**
     * The slot's engine hash array for a {@link #HASHED_EVENT}, grown to a capacity first (the only allocation, when a
     * larger event than any before comes through this slot).
     *
     * @param capacity blocks the event needs.
     * @return the array, at least {@code capacity} long.
     */
    public long[] engineHashes(final int capacity)
    {
        if (capacity > engineHashes.length)
        {
            engineHashes = new long[Math.max(capacity, engineHashes.length * 2)];
        }
        return engineHashes;
    }

    /**
     * The slot's local hash array for a {@link #HASHED_EVENT}, grown to a capacity first.
     *
     * @param capacity blocks the event needs.
     * @return the array, at least {@code capacity} long.
     */
    public long[] localHashes(final int capacity)
    {
        if (capacity > localHashes.length)
        {
            localHashes = new long[Math.max(capacity, localHashes.length * 2)];
        }
        return localHashes;
    }

    /**
     * The event type of a {@link #HASHED_EVENT}.
     *
     * @return an {@link io.kvindex.index.EventType}.
     */
    public int eventType()
    {
        return eventType;
    }

    /**
     * Whether a {@link #HASHED_EVENT} Stored continues under {@link #parentHash()}.
     *
     * @return true when it has a parent.
     */
    public boolean hasParent()
    {
        return hasParent;
    }

    /**
     * The parent engine hash of a {@link #HASHED_EVENT} Stored.
     *
     * @return the hash.
     */
    public long parentHash()
    {
        return parentHash;
    }

    /**
     * Number of blocks of a {@link #HASHED_EVENT}.
     *
     * @return the count.
     */
    public int blockCount()
    {
        return blockCount;
    }

    /**
     * Mark the slot as a registry command.
     *
     * @param kind     {@link #CLEAR_WORKER} or {@link #REMOVE_WORKER}.
     * @param indexKey key of the index in the pipeline.
     * @param workerId the worker.
     * @param dpRank   the dp rank, or {@link #ALL_RANKS}.
     * @return this slot.
     */
    public IngestSlot command(final int kind, final int indexKey, final long workerId, final int dpRank)
    {
        return set(kind, indexKey, workerId, dpRank, 0);
    }

    /**
     * Mark the slot as a task for the writer thread.
     *
     * @param task the task; it must not block for long, the writer applies nothing else meanwhile.
     * @return this slot.
     */
    public IngestSlot task(final Runnable task)
    {
        this.task = task;
        return set(TASK, -1, 0, 0, 0);
    }

    /**
     * The task of a {@link #TASK} slot.
     *
     * @return the task, or null.
     */
    public Runnable task()
    {
        return task;
    }

    /**
     * Drop the reference to a task once run.
     */
    void clearTask()
    {
        task = null;
    }

    /**
     * Mark the slot as having nothing to apply; a claimed sequence must still be published.
     *
     * @return this slot.
     */
    public IngestSlot skip()
    {
        kind = SKIP;
        return this;
    }

    /**
     * The command kind: {@link #SKIP}, {@link #ENGINE_BATCH}, {@link #CLEAR_WORKER}, {@link #REMOVE_WORKER} or
     * {@link #HASHED_EVENT}, {@link #TASK}.
     *
     * @return the kind.
     */
    public int kind()
    {
        return kind;
    }

    /**
     * The owner's worker id.
     *
     * @return the worker id.
     */
    public long workerId()
    {
        return workerId;
    }

    /**
     * The owner's registered dp rank, or {@link #ALL_RANKS} for a whole-worker removal.
     *
     * @return the dp rank.
     */
    public int dpRank()
    {
        return dpRank;
    }

    /**
     * The owner's registered tokens per block (engine batches only).
     *
     * @return the block size.
     */
    public int blockSize()
    {
        return blockSize;
    }

    /**
     * Key of the index the slot applies to, as registered in the pipeline's context.
     *
     * @return the index key.
     */
    public int indexKey()
    {
        return indexKey;
    }

    private IngestSlot set(final int kind, final int indexKey, final long workerId, final int dpRank, final int size)
    {
        this.kind = kind;
        this.indexKey = indexKey;
        this.workerId = workerId;
        this.dpRank = dpRank;
        this.blockSize = size;
        return this;
    }
}
