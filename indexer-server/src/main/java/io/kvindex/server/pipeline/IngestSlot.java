package io.kvindex.server.pipeline;

import io.kvindex.server.feed.DecodedBatch;

/**
 * One preallocated slot of the ingest ring: a command kind, the owner it is about and, for engine batches, the
 * {@link DecodedBatch} a producer decodes straight into. Written only by the producer holding the claimed
 * sequence, read only by the {@link IndexWriter} once published.
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

    /** A task to run on the writer thread, in ring order (e.g. a consistent dump of an index). */
    public static final int TASK = 4;

    /** The dp rank of a {@link #REMOVE_WORKER} command that removes every rank of the worker. */
    public static final int ALL_RANKS = -1;

    private final DecodedBatch batch = new DecodedBatch();
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
     * {@link #TASK}.
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
