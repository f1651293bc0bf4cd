package io.kvindex.router.sync;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.kvindex.router.sync.codecs.HeartbeatDecoder;
import io.kvindex.router.sync.codecs.MessageHeaderDecoder;
import io.kvindex.router.sync.codecs.PrefillCompletedDecoder;
import io.kvindex.router.sync.codecs.RequestAddedDecoder;
import io.kvindex.router.sync.codecs.RequestFreedDecoder;
import io.kvindex.router.sync.codecs.SnapshotEndDecoder;
import io.kvindex.router.sync.codecs.SnapshotRequestDecoder;
import org.agrona.DirectBuffer;

/**
 * Decodes replica sync messages (whole, behind a fragment assembler) and hands them to {@link ReplicaSync}. Checks the
 * schema id and skips other schemas; the request id of each lifecycle message is decoded into a String (the one
 * allocation per message, as the router's API keys requests by String). Router thread only.
 */
final class ReplicaSyncAdapter implements FragmentHandler
{
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final RequestAddedDecoder addedDecoder = new RequestAddedDecoder();
    private final PrefillCompletedDecoder prefillDecoder = new PrefillCompletedDecoder();
    private final RequestFreedDecoder freedDecoder = new RequestFreedDecoder();
    private final HeartbeatDecoder heartbeatDecoder = new HeartbeatDecoder();
    private final SnapshotRequestDecoder snapshotRequestDecoder = new SnapshotRequestDecoder();
    private final SnapshotEndDecoder snapshotEndDecoder = new SnapshotEndDecoder();
    private final ReplicaSync sync;
    private long[] hashes = new long[256];

    ReplicaSyncAdapter(final ReplicaSync sync)
    {
        this.sync = sync;
    }

    @Override
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        headerDecoder.wrap(buffer, offset);
        if (MessageHeaderDecoder.SCHEMA_ID != headerDecoder.schemaId())
        {
            sync.onUnknownMessage();
            return;
        }
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        switch (headerDecoder.templateId())
        {
            case RequestAddedDecoder.TEMPLATE_ID:
                onRequestAdded(buffer, bodyOffset, blockLength, version);
                break;
            case PrefillCompletedDecoder.TEMPLATE_ID:
                prefillDecoder.wrap(buffer, bodyOffset, blockLength, version);
                sync.onPeerPrefillComplete(prefillDecoder.routerId(), prefillDecoder.requestId());
                break;
            case RequestFreedDecoder.TEMPLATE_ID:
                freedDecoder.wrap(buffer, bodyOffset, blockLength, version);
                sync.onPeerFreed(freedDecoder.routerId(), freedDecoder.requestId());
                break;
            case HeartbeatDecoder.TEMPLATE_ID:
                heartbeatDecoder.wrap(buffer, bodyOffset, blockLength, version);
                sync.onPeerHeard(heartbeatDecoder.routerId());
                break;
            case SnapshotRequestDecoder.TEMPLATE_ID:
                snapshotRequestDecoder.wrap(buffer, bodyOffset, blockLength, version);
                sync.onSnapshotRequest(snapshotRequestDecoder.routerId(), snapshotRequestDecoder.correlationId());
                break;
            case SnapshotEndDecoder.TEMPLATE_ID:
                snapshotEndDecoder.wrap(buffer, bodyOffset, blockLength, version);
                sync.onSnapshotEnd(
                    snapshotEndDecoder.routerId(), snapshotEndDecoder.toRouterId(), snapshotEndDecoder.correlationId());
                break;
            default:
                sync.onUnknownMessage();
        }
    }

    private void onRequestAdded(final DirectBuffer buffer, final int offset, final int blockLength, final int version)
    {
        addedDecoder.wrap(buffer, offset, blockLength, version);
        final long routerId = addedDecoder.routerId();
        final long toRouterId = addedDecoder.toRouterId();
        final long workerId = addedDecoder.workerId();
        final int dpRank = addedDecoder.dpRank();
        final long prefillTokens = addedDecoder.prefillTokens();
        final RequestAddedDecoder.BlocksDecoder blocks = addedDecoder.blocks();
        final int count = blocks.count();
        if (count > hashes.length)
        {
            hashes = new long[Math.max(count, hashes.length * 2)];
        }
        for (int i = 0; i < count; i++)
        {
            hashes[i] = blocks.next().sequenceHash();
        }
        if (!sync.acceptsAdd(routerId, toRouterId))
        {
            addedDecoder.skipRequestId();
            return;
        }
        sync.onPeerAdded(routerId, addedDecoder.requestId(), workerId, dpRank, hashes, count, prefillTokens);
    }
}
