package io.kvindex.server.query;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.kvindex.client.IndexerClient;
import io.kvindex.client.OverlapResult;
import io.kvindex.client.OverlapStatus;
import io.kvindex.client.QueryProtocol;
import io.kvindex.client.codecs.ConnectRequestEncoder;
import io.kvindex.client.codecs.ConnectResponseDecoder;
import io.kvindex.client.codecs.HashKind;
import io.kvindex.client.codecs.MessageHeaderDecoder;
import io.kvindex.client.codecs.MessageHeaderEncoder;
import io.kvindex.client.codecs.OverlapRequestEncoder;
import io.kvindex.client.codecs.OverlapResponseDecoder;
import io.kvindex.client.codecs.QueryStatus;
import io.kvindex.index.OffHeapBlockIndex;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed requests, sent with hand-made codecs over a real session, are answered BAD_REQUEST or dropped and
 * counted; the server keeps answering well-formed queries.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class MalformedRequestTest
{
    private static final String MODEL = "m";
    private static final int RESPONSE_STREAM_ID = 3003;

    private final String aeronDir = QueryTestSupport.uniqueAeronDir();
    private final OffHeapBlockIndex index = QueryTestSupport.newOffHeapIndex();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final OverlapRequestEncoder requestEncoder = new OverlapRequestEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final IdleStrategy idle = QueryTestSupport.parkingIdle();
    private QueryServer server;
    private Aeron aeron;
    private IndexerClient client;
    private long lastCorrelationId;
    private QueryStatus lastStatus;

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(client, aeron, server, index);
        IoUtil.delete(new File(aeronDir), true);
    }

    @Test
    void shouldAnswerBadRequestAndKeepServing()
    {
        index.store(1, 0, false, 0, new long[]{11, 12}, new long[]{101, 102}, 2);
        final IndexRegistry registry = new IndexRegistry();
        registry.register(MODEL, null, index, 4);
        server = QueryServer.launch(QueryTestSupport.serverContext(aeronDir, registry));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
        final ExclusivePublication publication = aeron.addExclusivePublication(
            QueryProtocol.DEFAULT_REQUEST_CHANNEL, QueryProtocol.DEFAULT_REQUEST_STREAM_ID);
        final Subscription subscription = aeron.addSubscription("aeron:ipc", RESPONSE_STREAM_ID);
        final long sessionId = connect(publication, subscription);

        final int hashesAt = encodeRequest(sessionId, 1, HashKind.LOCAL_HASHES);
        offer(publication, putHashesLength(hashesAt, 7) + 7);
        assertEquals(QueryStatus.BAD_REQUEST, awaitResponse(subscription, 1));

        final int overrunAt = encodeRequest(sessionId, 2, HashKind.LOCAL_HASHES);
        offer(publication, putHashesLength(overrunAt, 1 << 30) + 16);
        assertEquals(QueryStatus.BAD_REQUEST, awaitResponse(subscription, 2));

        final int kindAt = encodeRequest(sessionId, 3, HashKind.LOCAL_HASHES);
        buffer.putByte(MessageHeaderEncoder.ENCODED_LENGTH + OverlapRequestEncoder.hashKindEncodingOffset(), (byte)9);
        offer(publication, putHashesLength(kindAt, 0));
        assertEquals(QueryStatus.BAD_REQUEST, awaitResponse(subscription, 3));

        headerEncoder.wrap(buffer, 0).schemaId(999).templateId(4);
        offer(publication, MessageHeaderEncoder.ENCODED_LENGTH + 40);
        offer(publication, 3);

        final int goodAt = encodeRequest(sessionId, 4, HashKind.LOCAL_HASHES);
        putHashesLength(goodAt, 16);
        buffer.putLong(goodAt + 4, 101, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(goodAt + 12, 102, ByteOrder.LITTLE_ENDIAN);
        offer(publication, goodAt + 4 + 16);
        assertEquals(QueryStatus.OK, awaitResponse(subscription, 4));

        assertEquals(3, server.counters().get(QueryCounters.BAD_REQUESTS));
        assertEquals(2, server.counters().get(QueryCounters.MALFORMED));

        client = IndexerClient.connect(QueryTestSupport.clientContext(aeronDir));
        final OverlapResult result = new OverlapResult();
        assertEquals(OverlapStatus.OK, client.query(MODEL, null, null, new long[]{101, 102}, 2, result));
        assertEquals(2, result.matchedBlocks(1, 0));
    }

    private long connect(final ExclusivePublication publication, final Subscription subscription)
    {
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + new ConnectRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(77)
            .responseStreamId(RESPONSE_STREAM_ID)
            .version(QueryProtocol.PROTOCOL_VERSION)
            .responseChannel("aeron:ipc")
            .encodedLength();
        idle.reset();
        while (!publication.isConnected())
        {
            idle.idle();
        }
        offer(publication, length);
        final ConnectResponseDecoder decoder = new ConnectResponseDecoder();
        final long[] sessionId = {QueryProtocol.NULL_SESSION_ID};
        idle.reset();
        while (QueryProtocol.NULL_SESSION_ID == sessionId[0])
        {
            idle.idle(subscription.poll((b, offset, l, h) ->
            {
                headerDecoder.wrap(b, offset);
                if (headerDecoder.templateId() == ConnectResponseDecoder.TEMPLATE_ID)
                {
                    decoder.wrapAndApplyHeader(b, offset, headerDecoder);
                    assertEquals(77, decoder.correlationId());
                    sessionId[0] = decoder.sessionId();
                }
            }, 1));
        }
        assertNotEquals(QueryProtocol.NULL_SESSION_ID, sessionId[0]);
        return sessionId[0];
    }

    private int encodeRequest(final long sessionId, final long correlationId, final HashKind kind)
    {
        requestEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(sessionId)
            .correlationId(correlationId)
            .hashKind(kind)
            .model(MODEL)
            .tenant("")
            .loraName("");
        return requestEncoder.limit();
    }

    private int putHashesLength(final int at, final int length)
    {
        buffer.putInt(at, length, ByteOrder.LITTLE_ENDIAN);
        return at + 4;
    }

    private void offer(final ExclusivePublication publication, final int length)
    {
        idle.reset();
        while (publication.offer(buffer, 0, length) < 0)
        {
            idle.idle();
        }
    }

    private QueryStatus awaitResponse(final Subscription subscription, final long correlationId)
    {
        final OverlapResponseDecoder decoder = new OverlapResponseDecoder();
        lastStatus = null;
        idle.reset();
        while (null == lastStatus || lastCorrelationId != correlationId)
        {
            idle.idle(subscription.poll((b, offset, l, h) ->
            {
                headerDecoder.wrap(b, offset);
                if (headerDecoder.templateId() == OverlapResponseDecoder.TEMPLATE_ID)
                {
                    decoder.wrapAndApplyHeader(b, offset, headerDecoder);
                    lastCorrelationId = decoder.correlationId();
                    lastStatus = decoder.status();
                }
            }, 1));
        }
        assertTrue(lastCorrelationId > 0);
        return lastStatus;
    }
}
