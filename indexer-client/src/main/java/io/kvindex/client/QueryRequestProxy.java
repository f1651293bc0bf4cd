package io.kvindex.client;

import io.aeron.Publication;
import io.kvindex.client.codecs.CloseSessionEncoder;
import io.kvindex.client.codecs.ConnectRequestEncoder;
import io.kvindex.client.codecs.HashKind;
import io.kvindex.client.codecs.MessageHeaderEncoder;
import io.kvindex.client.codecs.OverlapRequestEncoder;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Encodes the client's messages and offers them to an endpoint's request publication. Overlap requests are encoded
 * once into a caller-supplied buffer (a pending slot's) and sent, possibly again after failover, with the session id
 * patched in place.
 */
final class QueryRequestProxy
{
    private static final int SESSION_ID_OFFSET =
        MessageHeaderEncoder.ENCODED_LENGTH + OverlapRequestEncoder.sessionIdEncodingOffset();
    private static final int CONTROL_BUFFER_LENGTH = 8192;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final OverlapRequestEncoder overlapEncoder = new OverlapRequestEncoder();
    private final ConnectRequestEncoder connectEncoder = new ConnectRequestEncoder();
    private final CloseSessionEncoder closeEncoder = new CloseSessionEncoder();
    private final UnsafeBuffer controlBuffer = new UnsafeBuffer(new byte[CONTROL_BUFFER_LENGTH]);

    /**
     * Encode an OverlapRequest of local hashes with no session id yet.
     *
     * @return the encoded length.
     */
    int encodeLocalHashes(
        final ExpandableArrayBuffer buffer,
        final long correlationId,
        final byte[] model,
        final byte[] tenant,
        final byte[] loraName,
        final long[] hashes,
        final int count)
    {
        final int limit = encodeFixedAndStrings(buffer, correlationId, HashKind.LOCAL_HASHES, model, tenant, loraName);
        final int byteLength = count * QueryProtocol.LOCAL_HASH_BYTES;
        buffer.putInt(limit, byteLength, ByteOrder.LITTLE_ENDIAN);
        final int start = limit + OverlapRequestEncoder.hashesHeaderLength();
        for (int i = 0; i < count; i++)
        {
            buffer.putLong(start + i * QueryProtocol.LOCAL_HASH_BYTES, hashes[i], ByteOrder.LITTLE_ENDIAN);
        }
        return start + byteLength;
    }

    /**
     * Encode an OverlapRequest of token ids, hashed by the server, with no session id yet.
     *
     * @return the encoded length.
     */
    int encodeTokenIds(
        final ExpandableArrayBuffer buffer,
        final long correlationId,
        final byte[] model,
        final byte[] tenant,
        final byte[] loraName,
        final int[] tokens,
        final int count)
    {
        final int limit = encodeFixedAndStrings(buffer, correlationId, HashKind.TOKEN_IDS, model, tenant, loraName);
        final int byteLength = count * QueryProtocol.TOKEN_ID_BYTES;
        buffer.putInt(limit, byteLength, ByteOrder.LITTLE_ENDIAN);
        final int start = limit + OverlapRequestEncoder.hashesHeaderLength();
        for (int i = 0; i < count; i++)
        {
            buffer.putInt(start + i * QueryProtocol.TOKEN_ID_BYTES, tokens[i], ByteOrder.LITTLE_ENDIAN);
        }
        return start + byteLength;
    }

    /**
     * Offer an encoded OverlapRequest under a session.
     *
     * @return the publication's result.
     */
    long sendOverlap(
        final Publication publication, final MutableDirectBuffer buffer, final int length, final long sessionId)
    {
        buffer.putLong(SESSION_ID_OFFSET, sessionId, ByteOrder.LITTLE_ENDIAN);
        return publication.offer(buffer, 0, length);
    }

    long sendConnect(
        final Publication publication,
        final long correlationId,
        final String responseChannel,
        final int responseStreamId)
    {
        connectEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .responseStreamId(responseStreamId)
            .version(QueryProtocol.PROTOCOL_VERSION)
            .responseChannel(responseChannel);
        return publication.offer(
            controlBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + connectEncoder.encodedLength());
    }

    long sendClose(final Publication publication, final long sessionId)
    {
        closeEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder).sessionId(sessionId);
        return publication.offer(controlBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + closeEncoder.encodedLength());
    }

    private int encodeFixedAndStrings(
        final ExpandableArrayBuffer buffer,
        final long correlationId,
        final HashKind kind,
        final byte[] model,
        final byte[] tenant,
        final byte[] loraName)
    {
        overlapEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(QueryProtocol.NULL_SESSION_ID)
            .correlationId(correlationId)
            .hashKind(kind)
            .putModel(model, 0, model.length)
            .putTenant(tenant, 0, tenant.length)
            .putLoraName(loraName, 0, loraName.length);
        return overlapEncoder.limit();
    }
}
