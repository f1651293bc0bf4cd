package io.kvindex.server.relay;

import io.kvindex.client.KvEventPublisher;
import io.kvindex.index.BlockEventSink;
import io.kvindex.index.EventStatus;

/**
 * The end of one engine feed in a {@link ZmqRelay}: events the feed's applier would hand to an index (filtered, local
 * hashes computed, owner resolved) are published as KV event messages instead. What the publisher could not send
 * (no indexer connected, back pressure past the offer timeout) is counted by the publisher and lost for this relay.
 */
final class RelayEventSink implements BlockEventSink
{
    private final KvEventPublisher publisher;
    private final int registeredDpRank;

    RelayEventSink(final KvEventPublisher publisher, final int registeredDpRank)
    {
        this.publisher = publisher;
        this.registeredDpRank = registeredDpRank;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int store(
        final long workerId,
        final int dpRank,
        final boolean hasParent,
        final long parentEngineHash,
        final long[] engineHashes,
        final long[] localHashes,
        final int count)
    {
        publisher.publishStored(workerId, dpRank, hasParent, parentEngineHash, engineHashes, localHashes, count);
        return EventStatus.OK;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int remove(final long workerId, final int dpRank, final long[] engineHashes, final int count)
    {
        publisher.publishRemoved(workerId, dpRank, engineHashes, count);
        return EventStatus.OK;
    }

    /**
     * The engine reset its prefix cache; the message names the feed's registered rank, for information only.
     */
    @Override
    public int clear(final long workerId)
    {
        publisher.publishCleared(workerId, registeredDpRank);
        return EventStatus.OK;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int removeWorker(final long workerId, final int dpRank)
    {
        publisher.publishRemoveWorker(workerId, dpRank);
        return EventStatus.OK;
    }
}
