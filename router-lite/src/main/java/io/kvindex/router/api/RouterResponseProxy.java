package io.kvindex.router.api;

import io.aeron.Publication;
import io.kvindex.router.PotentialLoads;
import io.kvindex.router.codecs.BestWorkerResponseEncoder;
import io.kvindex.router.codecs.BooleanType;
import io.kvindex.router.codecs.ConnectResponseEncoder;
import io.kvindex.router.codecs.DumpEventsResponseEncoder;
import io.kvindex.router.codecs.LifecycleResponseEncoder;
import io.kvindex.router.codecs.MessageHeaderEncoder;
import io.kvindex.router.codecs.PotentialLoadsResponseEncoder;
import io.kvindex.router.codecs.RouterStatus;
import io.kvindex.router.codecs.StoredEventEncoder;
import org.agrona.ExpandableArrayBuffer;

/**
 * Encodes the router's answers and offers them on a session's publication, retrying a bounded number of times
 * under back pressure; an answer that cannot be sent is dropped and counted (the client times out).
 */
final class RouterResponseProxy
{
    private static final int MAX_OFFER_ATTEMPTS = 64;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ConnectResponseEncoder connectEncoder = new ConnectResponseEncoder();
    private final BestWorkerResponseEncoder bestWorkerEncoder = new BestWorkerResponseEncoder();
    private final PotentialLoadsResponseEncoder loadsEncoder = new PotentialLoadsResponseEncoder();
    private final LifecycleResponseEncoder lifecycleEncoder = new LifecycleResponseEncoder();
    private final StoredEventEncoder storedEncoder = new StoredEventEncoder();
    private final DumpEventsResponseEncoder dumpEndEncoder = new DumpEventsResponseEncoder();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
    private long droppedCount;
    private long dumpCorrelationId;

    boolean connectResponse(
        final Publication publication, final long correlationId, final long sessionId, final RouterStatus status)
    {
        connectEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId).sessionId(sessionId).status(status);
        return publication.offer(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + connectEncoder.encodedLength()) > 0;
    }

    void bestWorker(
        final Publication publication,
        final long correlationId,
        final RouterStatus status,
        final long workerId,
        final int dpRank,
        final int overlapBlocks,
        final boolean booked)
    {
        bestWorkerEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .status(status)
            .workerId(workerId)
            .dpRank(dpRank)
            .overlapBlocks(overlapBlocks)
            .booked(booked ? BooleanType.TRUE : BooleanType.FALSE);
        send(publication, MessageHeaderEncoder.ENCODED_LENGTH + bestWorkerEncoder.encodedLength());
    }

    void potentialLoads(
        final Publication publication, final long correlationId, final RouterStatus status, final PotentialLoads loads)
    {
        loadsEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(correlationId).status(status);
        final int size = RouterStatus.OK == status ? loads.size() : 0;
        final PotentialLoadsResponseEncoder.LoadsEncoder group = loadsEncoder.loadsCount(size);
        for (int i = 0; i < size; i++)
        {
            group.next()
                .workerId(loads.workerId(i))
                .dpRank(loads.dpRank(i))
                .potentialPrefillTokens(loads.potentialPrefillTokens(i))
                .potentialDecodeBlocks(loads.potentialDecodeBlocks(i));
        }
        send(publication, MessageHeaderEncoder.ENCODED_LENGTH + loadsEncoder.encodedLength());
    }

    void lifecycle(final Publication publication, final long correlationId, final RouterStatus status)
    {
        lifecycleEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(correlationId).status(status);
        send(publication, MessageHeaderEncoder.ENCODED_LENGTH + lifecycleEncoder.encodedLength());
    }

    /**
     * Blocks of a Stored event that fit one message of the publication.
     */
    static int maxBlocksPerEvent(final Publication publication)
    {
        final int fixed = MessageHeaderEncoder.ENCODED_LENGTH + StoredEventEncoder.BLOCK_LENGTH +
            StoredEventEncoder.BlocksEncoder.sbeHeaderSize();
        final int perBlock = StoredEventEncoder.BlocksEncoder.sbeBlockLength();
        return Math.max(1, (publication.maxMessageLength() - fixed) / perBlock);
    }

    void beginDump(final long correlationId)
    {
        dumpCorrelationId = correlationId;
    }

    void storedEvent(
        final Publication publication,
        final long workerId,
        final int dpRank,
        final boolean hasParent,
        final long parentHash,
        final long[] engineHashes,
        final long[] localHashes,
        final int offset,
        final int count)
    {
        storedEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(dumpCorrelationId)
            .workerId(workerId)
            .dpRank(dpRank)
            .hasParent(hasParent ? BooleanType.TRUE : BooleanType.FALSE)
            .parentHash(parentHash);
        final StoredEventEncoder.BlocksEncoder blocks = storedEncoder.blocksCount(count);
        for (int i = offset; i < offset + count; i++)
        {
            blocks.next().blockHash(engineHashes[i]).localHash(localHashes[i]);
        }
        send(publication, MessageHeaderEncoder.ENCODED_LENGTH + storedEncoder.encodedLength());
    }

    void dumpEnd(
        final Publication publication,
        final long correlationId,
        final RouterStatus status,
        final long eventCount,
        final int blockSize)
    {
        dumpEndEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId).status(status).eventCount(eventCount).blockSize(blockSize);
        send(publication, MessageHeaderEncoder.ENCODED_LENGTH + dumpEndEncoder.encodedLength());
    }

    long droppedCount()
    {
        return droppedCount;
    }

    private void send(final Publication publication, final int length)
    {
        for (int i = 0; i < MAX_OFFER_ATTEMPTS; i++)
        {
            final long result = publication.offer(buffer, 0, length);
            if (result > 0)
            {
                return;
            }
            if (Publication.BACK_PRESSURED != result && Publication.ADMIN_ACTION != result)
            {
                break;
            }
            Thread.onSpinWait();
        }
        droppedCount++;
    }
}
