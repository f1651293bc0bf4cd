package io.kvindex.router.sync;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.kvindex.router.sync.codecs.HeartbeatEncoder;
import io.kvindex.router.sync.codecs.MessageHeaderEncoder;
import io.kvindex.router.sync.codecs.PrefillCompletedEncoder;
import io.kvindex.router.sync.codecs.RequestAddedEncoder;
import io.kvindex.router.sync.codecs.RequestFreedEncoder;
import io.kvindex.router.sync.codecs.SnapshotEndEncoder;
import io.kvindex.router.sync.codecs.SnapshotRequestEncoder;
import org.agrona.ExpandableArrayBuffer;

/**
 * Encodes replica sync messages and offers them on the replicas' publication. An offer back-pressured or in an
 * admin action is retried a few times; one that still fails, or finds no subscriber, is dropped and counted by the
 * caller (peers then see the request when it expires or their snapshot next refreshes). Router thread only.
 */
final class ReplicaSyncProxy
{
    static final int MAX_BLOCKS = 65_535;
    private static final int OFFER_ATTEMPTS = 16;

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final RequestAddedEncoder addedEncoder = new RequestAddedEncoder();
    private final PrefillCompletedEncoder prefillEncoder = new PrefillCompletedEncoder();
    private final RequestFreedEncoder freedEncoder = new RequestFreedEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final SnapshotRequestEncoder snapshotRequestEncoder = new SnapshotRequestEncoder();
    private final SnapshotEndEncoder snapshotEndEncoder = new SnapshotEndEncoder();
    private final ExclusivePublication publication;
    private final long routerId;

    ReplicaSyncProxy(final ExclusivePublication publication, final long routerId)
    {
        this.publication = publication;
        this.routerId = routerId;
    }

    boolean requestAdded(
        final long toRouterId,
        final String requestId,
        final long workerId,
        final int dpRank,
        final long[] sequenceHashes,
        final int count,
        final int isl,
        final long prefillTokens)
    {
        final int blocks = Math.min(count, MAX_BLOCKS);
        buffer.checkLimit(MessageHeaderEncoder.ENCODED_LENGTH + RequestAddedEncoder.BLOCK_LENGTH + 4 + blocks * 8 +
            4 + requestId.length());
        addedEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .routerId(routerId)
            .toRouterId(toRouterId)
            .workerId(workerId)
            .dpRank(dpRank)
            .isl(isl)
            .prefillTokens(prefillTokens);
        final RequestAddedEncoder.BlocksEncoder group = addedEncoder.blocksCount(blocks);
        for (int i = 0; i < blocks; i++)
        {
            group.next().sequenceHash(sequenceHashes[i]);
        }
        addedEncoder.requestId(requestId);
        return offer(MessageHeaderEncoder.ENCODED_LENGTH + addedEncoder.encodedLength());
    }

    boolean prefillCompleted(final String requestId)
    {
        buffer.checkLimit(64 + requestId.length());
        prefillEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).routerId(routerId).requestId(requestId);
        return offer(MessageHeaderEncoder.ENCODED_LENGTH + prefillEncoder.encodedLength());
    }

    boolean requestFreed(final String requestId)
    {
        buffer.checkLimit(64 + requestId.length());
        freedEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).routerId(routerId).requestId(requestId);
        return offer(MessageHeaderEncoder.ENCODED_LENGTH + freedEncoder.encodedLength());
    }

    boolean heartbeat(final int activeRequests)
    {
        heartbeatEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).routerId(routerId).activeRequests(activeRequests);
        return offer(MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength());
    }

    boolean snapshotRequest(final long correlationId)
    {
        snapshotRequestEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .routerId(routerId)
            .correlationId(correlationId);
        return offer(MessageHeaderEncoder.ENCODED_LENGTH + snapshotRequestEncoder.encodedLength());
    }

    boolean snapshotEnd(final long toRouterId, final long correlationId, final int requests)
    {
        snapshotEndEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .routerId(routerId)
            .toRouterId(toRouterId)
            .correlationId(correlationId)
            .requests(requests);
        return offer(MessageHeaderEncoder.ENCODED_LENGTH + snapshotEndEncoder.encodedLength());
    }

    private boolean offer(final int length)
    {
        for (int i = 0; i < OFFER_ATTEMPTS; i++)
        {
            final long result = publication.offer(buffer, 0, length);
            if (result > 0)
            {
                return true;
            }
            if (Publication.NOT_CONNECTED == result || Publication.CLOSED == result ||
                Publication.MAX_POSITION_EXCEEDED == result)
            {
                return false;
            }
            Thread.onSpinWait();
        }
        return false;
    }
}
