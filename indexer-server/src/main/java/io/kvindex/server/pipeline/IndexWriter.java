package io.kvindex.server.pipeline;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import io.kvindex.index.BlockIndex;
import io.kvindex.server.feed.EngineEventApplier;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;

import java.util.Arrays;

/**
 * The one consumer of the ingest ring and the only thread writing the indexes: applies published slots in ring
 * order, so each producer's (each owner's) order is kept. Polls the ring without waiting: a sequence a producer
 * claimed but has not published yet ends the drain, and the writer goes back to its duty cycle instead of blocking.
 * Allocates nothing in steady state.
 */
public final class IndexWriter implements Agent
{
    private final RingBuffer<IngestSlot> ring;
    private final Sequence sequence;
    private final IngestCounters counters;
    private final ErrorHandler errorHandler;
    private final int writeLimit;
    private final int maxMmHashes;
    private volatile IndexTable table = new IndexTable(new BlockIndex[0], new EngineEventApplier[0], new int[0]);

    /**
     * The indexes by key: replaced whole (copy on write) when one is added, read by the writer without locks.
     */
    private static final class IndexTable
    {
        private final BlockIndex[] indexes;
        private final EngineEventApplier[] appliers;
        private final int[] blockSizes;

        IndexTable(final BlockIndex[] indexes, final EngineEventApplier[] appliers, final int[] blockSizes)
        {
            this.indexes = indexes;
            this.appliers = appliers;
            this.blockSizes = blockSizes;
        }

        IndexTable with(final BlockIndex index, final EngineEventApplier applier, final int blockSize)
        {
            final int n = indexes.length;
            final BlockIndex[] newIndexes = Arrays.copyOf(indexes, n + 1);
            final EngineEventApplier[] newAppliers = Arrays.copyOf(appliers, n + 1);
            final int[] newBlockSizes = Arrays.copyOf(blockSizes, n + 1);
            newIndexes[n] = index;
            newAppliers[n] = applier;
            newBlockSizes[n] = blockSize;
            return new IndexTable(newIndexes, newAppliers, newBlockSizes);
        }
    }

    IndexWriter(
        final RingBuffer<IngestSlot> ring,
        final Sequence sequence,
        final IngestPipeline.Context ctx,
        final IngestCounters counters)
    {
        this.ring = ring;
        this.sequence = sequence;
        this.counters = counters;
        this.errorHandler = ctx.errorHandler();
        this.writeLimit = ctx.writeLimit();
        this.maxMmHashes = ctx.maxMmHashes();
        for (int key = 0, count = ctx.indexCount(); key < count; key++)
        {
            addIndex(ctx.index(key), ctx.blockSize(key));
        }
    }

    /**
     * Add an index while the writer runs; slots may name its key as soon as this returns.
     *
     * @param index     the index, written only by this writer from now on.
     * @param blockSize its tokens per block.
     * @return its key.
     */
    synchronized int addIndex(final BlockIndex index, final int blockSize)
    {
        final IndexTable current = table;
        table = current.with(index, new EngineEventApplier(index, blockSize, maxMmHashes), blockSize);
        return current.indexes.length;
    }

    /**
     * The block size of an index.
     *
     * @param indexKey key of the index.
     * @return tokens per block.
     */
    int blockSize(final int indexKey)
    {
        return table.blockSizes[indexKey];
    }

    /**
     * Number of indexes.
     *
     * @return the count.
     */
    int indexCount()
    {
        return table.indexes.length;
    }

    /**
     * Apply up to the write limit of published slots.
     *
     * @return number of slots consumed.
     */
    @Override
    public int doWork()
    {
        final long first = sequence.get() + 1;
        long next = first;
        IndexTable table = this.table;
        while (next - first < writeLimit && ring.isAvailable(next))
        {
            final IngestSlot slot = ring.get(next);
            if (slot.indexKey() >= table.indexes.length)
            {
                table = this.table;
            }
            apply(slot, table);
            next++;
        }
        if (next != first)
        {
            sequence.set(next - 1);
        }
        return (int)(next - first);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String roleName()
    {
        return "index-writer";
    }

    /**
     * The applier of an index, for its outcome counters; read it from the writer thread or after the writer stopped.
     *
     * @param indexKey key of the index.
     * @return its applier.
     */
    public EngineEventApplier applier(final int indexKey)
    {
        return table.appliers[indexKey];
    }

    private void apply(final IngestSlot slot, final IndexTable table)
    {
        final int kind = slot.kind();
        if (IngestSlot.SKIP == kind)
        {
            counters.onSkipped();
            return;
        }
        if (IngestSlot.TASK == kind)
        {
            runTask(slot);
            return;
        }
        final int key = slot.indexKey();
        if (key < 0 || key >= table.indexes.length ||
            (IngestSlot.ENGINE_BATCH == kind && table.blockSizes[key] != slot.blockSize()))
        {
            counters.onRejected();
            return;
        }
        try
        {
            if (applyKind(kind, table.indexes[key], table.appliers[key], slot))
            {
                counters.onApplied();
            }
            else
            {
                counters.onRejected();
            }
        }
        catch (final RuntimeException ex)
        {
            counters.onFailed();
            errorHandler.onError(ex);
        }
    }

    private void runTask(final IngestSlot slot)
    {
        final Runnable task = slot.task();
        slot.clearTask();
        try
        {
            if (null != task)
            {
                task.run();
            }
            counters.onApplied();
        }
        catch (final RuntimeException ex)
        {
            counters.onFailed();
            errorHandler.onError(ex);
        }
    }

    private static boolean applyKind(
        final int kind, final BlockIndex index, final EngineEventApplier applier, final IngestSlot slot)
    {
        switch (kind)
        {
            case IngestSlot.ENGINE_BATCH:
                applier.apply(slot.batch(), slot.workerId(), slot.dpRank());
                return true;

            case IngestSlot.HASHED_EVENT:
                applyHashed(applier, slot);
                return true;

            case IngestSlot.CLEAR_WORKER:
                index.clear(slot.workerId());
                return true;

            case IngestSlot.REMOVE_WORKER:
                if (IngestSlot.ALL_RANKS == slot.dpRank())
                {
                    index.removeWorker(slot.workerId());
                }
                else
                {
                    index.removeWorker(slot.workerId(), slot.dpRank());
                }
                return true;

            default:
                return false;
        }
    }

    private static void applyHashed(final EngineEventApplier applier, final IngestSlot slot)
    {
        final int count = slot.blockCount();
        applier.applyHashed(slot.eventType(), slot.workerId(), slot.dpRank(), slot.hasParent(), slot.parentHash(),
            slot.engineHashes(count), slot.localHashes(count), count);
    }
}
