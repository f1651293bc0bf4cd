package io.kvindex.server.feed;

import io.kvindex.server.pipeline.IngestPipeline;
import io.kvindex.server.pipeline.IngestSlot;
import org.agrona.collections.IntArrayList;

/**
 * Where a feed's batches go: applied on the spot by an {@link EngineEventApplier} (direct mode) or decoded into a
 * claimed slot of an {@link IngestPipeline} (pipeline mode). Also clears the feed's owners, in order with its
 * batches: the registered dp rank and every rank a batch named, removed through the same path as the batches.
 */
final class FeedSink
{
    private final KvEventBatchDecoder decoder;
    private final EngineEventApplier applier;
    private final IngestPipeline pipeline;
    private final int indexKey;
    private final long workerId;
    private final int dpRank;
    private final int blockSize;
    private final DecodedBatch batch = new DecodedBatch();
    private final RateLimitedLog log;
    private final IntArrayList ranksSeen = new IntArrayList();
    private final IntArrayList pendingRemovals = new IntArrayList();

    FeedSink(
        final KvEventBatchDecoder decoder,
        final EngineEventApplier applier,
        final IngestPipeline pipeline,
        final int indexKey,
        final long workerId,
        final int dpRank,
        final RateLimitedLog log)
    {
        this.decoder = decoder;
        this.applier = applier;
        this.pipeline = pipeline;
        this.indexKey = indexKey;
        this.workerId = workerId;
        this.dpRank = dpRank;
        this.blockSize = null == pipeline ? 0 : pipeline.blockSize(indexKey);
        this.log = log;
        ranksSeen.addInt(dpRank);
    }

    /**
     * Whether a batch can be delivered now: always in direct mode; in pipeline mode when the ring has a free slot
     * for it after the pending removals.
     */
    boolean hasRoom()
    {
        return null == pipeline || pipeline.remainingCapacity() > pendingRemovals.size();
    }

    /**
     * Decode and deliver one payload; a payload that does not decode is delivered as a skip.
     *
     * @return false when the ring was full (pipeline mode; nothing delivered).
     */
    boolean deliver(final byte[] payload, final int length)
    {
        if (!drainRemovals())
        {
            return false;
        }
        if (null == pipeline)
        {
            if (decode(payload, length, batch))
            {
                noteRank(batch);
                applier.apply(batch, workerId, dpRank);
            }
            return true;
        }
        final long sequence = pipeline.tryClaim();
        if (sequence < 0)
        {
            return false;
        }
        final IngestSlot slot = pipeline.slot(sequence).skip();
        try
        {
            if (decode(payload, length, slot.batch()))
            {
                noteRank(slot.batch());
                slot.engineBatch(indexKey, workerId, dpRank, blockSize);
            }
        }
        finally
        {
            pipeline.publish(sequence);
        }
        return true;
    }

    /**
     * Queue the removal of every owner this feed wrote, ahead of any later batch.
     */
    void clearOwners()
    {
        for (int i = 0, n = ranksSeen.size(); i < n; i++)
        {
            final int rank = ranksSeen.getInt(i);
            if (!pendingRemovals.containsInt(rank))
            {
                pendingRemovals.addInt(rank);
            }
        }
        drainRemovals();
    }

    /**
     * Offer the queued removals.
     *
     * @return true when none is left.
     */
    boolean drainRemovals()
    {
        while (!pendingRemovals.isEmpty())
        {
            final int rank = pendingRemovals.getInt(pendingRemovals.size() - 1);
            if (null == pipeline)
            {
                applier.removeOwner(workerId, rank);
            }
            else if (!pipeline.offerRemoveWorker(indexKey, workerId, rank))
            {
                return false;
            }
            pendingRemovals.removeAt(pendingRemovals.size() - 1);
        }
        return true;
    }

    /**
     * The dp ranks this feed has written: the registered one and every rank a batch named.
     *
     * @return the ranks; the list is the sink's own.
     */
    IntArrayList ranksSeen()
    {
        return ranksSeen;
    }

    private void noteRank(final DecodedBatch decoded)
    {
        if (decoded.hasDpRank() && !ranksSeen.containsInt(decoded.dpRank()))
        {
            ranksSeen.addInt(decoded.dpRank());
        }
    }

    private boolean decode(final byte[] payload, final int length, final DecodedBatch into)
    {
        final int status = decoder.decode(payload, 0, length, into);
        if (DecodeStatus.OK != status)
        {
            log.onError(status, DecodeStatus.name(status));
            return false;
        }
        for (int e = 0, n = into.eventCount(); e < n; e++)
        {
            final int eventStatus = into.status(e);
            if (DecodeStatus.OK != eventStatus)
            {
                log.onError(eventStatus, DecodeStatus.name(eventStatus));
            }
        }
        return true;
    }
}
