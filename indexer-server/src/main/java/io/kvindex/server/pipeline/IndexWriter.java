package io.kvindex.server.pipeline;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import io.kvindex.index.BlockIndex;
import io.kvindex.server.feed.EngineEventApplier;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;

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
    private final BlockIndex[] indexes;
    private final EngineEventApplier[] appliers;
    private final int[] blockSizes;
    private final IngestCounters counters;
    private final ErrorHandler errorHandler;
    private final int writeLimit;

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
        final int count = ctx.indexCount();
        this.indexes = new BlockIndex[count];
        this.appliers = new EngineEventApplier[count];
        this.blockSizes = new int[count];
        for (int key = 0; key < count; key++)
        {
            indexes[key] = ctx.index(key);
            blockSizes[key] = ctx.blockSize(key);
            appliers[key] = new EngineEventApplier(indexes[key], blockSizes[key], ctx.maxMmHashes());
        }
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
        while (next - first < writeLimit && ring.isAvailable(next))
        {
            apply(ring.get(next));
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
        return appliers[indexKey];
    }

    private void apply(final IngestSlot slot)
    {
        final int kind = slot.kind();
        if (IngestSlot.SKIP == kind)
        {
            counters.onSkipped();
            return;
        }
        final int key = slot.indexKey();
        if (key < 0 || key >= indexes.length ||
            (IngestSlot.ENGINE_BATCH == kind && blockSizes[key] != slot.blockSize()))
        {
            counters.onRejected();
            return;
        }
        try
        {
            if (applyKind(kind, key, slot))
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

    private boolean applyKind(final int kind, final int key, final IngestSlot slot)
    {
        switch (kind)
        {
            case IngestSlot.ENGINE_BATCH:
                appliers[key].apply(slot.batch(), slot.workerId(), slot.dpRank());
                return true;

            case IngestSlot.HASHED_EVENT:
                applyHashed(appliers[key], slot);
                return true;

            case IngestSlot.CLEAR_WORKER:
                indexes[key].clear(slot.workerId());
                return true;

            case IngestSlot.REMOVE_WORKER:
                if (IngestSlot.ALL_RANKS == slot.dpRank())
                {
                    indexes[key].removeWorker(slot.workerId());
                }
                else
                {
                    indexes[key].removeWorker(slot.workerId(), slot.dpRank());
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
