package io.kvindex.perf.e2e;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.kvindex.client.QueryProtocol;
import io.kvindex.client.OverlapStatus;
import io.kvindex.client.codecs.HashKind;
import io.kvindex.client.codecs.MessageHeaderDecoder;
import io.kvindex.client.codecs.MessageHeaderEncoder;
import io.kvindex.client.codecs.OverlapRequestEncoder;
import io.kvindex.client.codecs.OverlapResponseDecoder;
import io.kvindex.server.query.OverlapResponseProxy;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The client side of the bare Aeron echo: encodes each query as the indexer client does (the same OverlapRequest,
 * same model, tenant and hashes, so the same size) and offers it on an exclusive publication; the answer, from
 * {@link EchoAgent}, has the size the real server's answer to that query has. Correlation ids are the load's
 * sequence numbers, so a query's slot is its sequence modulo the ring size; a slot remembers the phase its query
 * belongs to. A query not answered within the timeout
 * counts as a timeout (checked every millisecond, not on every poll, to keep the echo bare).
 */
final class EchoClientTarget implements LoadTarget
{
    private static final long FREE = -1;
    private static final int FRAGMENT_LIMIT = 32;
    private static final long EXPIRY_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final NanoClock clock = SystemNanoClock.INSTANCE;
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final FragmentAssembler assembler;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final OverlapResponseDecoder responseDecoder = new OverlapResponseDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final OverlapRequestEncoder requestEncoder = new OverlapRequestEncoder();
    private final UnsafeBuffer requestBuffer;
    private final byte[] model;
    private final byte[] tenant;
    private final long[][] queries;
    private final int queryBlocks;
    private final int[] ownersByQuery;
    private final long timeoutNs;
    private final int mask;
    private final long[] sequences;
    private final long[] intendedNs;
    private final long[] sentNs;
    private final int[] expectedLength;
    private final PhaseResult[] phaseOf;
    private long nextSequence;
    private int inFlight;
    private long nextExpiryCheckNs;
    private PhaseResult result;

    /**
     * Add the echo's publication and subscription and wait, bounded, until both are connected to the echo server.
     *
     * @param aeron           the Aeron client, owned by the caller.
     * @param requestChannel  channel of the echo server.
     * @param responseChannel channel answers come back on.
     * @param model           model of the queries.
     * @param tenant          tenant of the queries, null for none.
     * @param queries         local hashes of the workload's queries, all of one length.
     * @param ownersByQuery   per query, the scores the real answer carries.
     * @param maxInFlight     queries in flight at most (rounded up to a power of two).
     * @param timeoutNs       time an answer may take.
     */
    EchoClientTarget(
        final Aeron aeron,
        final String requestChannel,
        final String responseChannel,
        final String model,
        final String tenant,
        final long[][] queries,
        final int[] ownersByQuery,
        final int maxInFlight,
        final long timeoutNs)
    {
        this.model = null == model ? new byte[0] : model.getBytes(StandardCharsets.UTF_8);
        this.tenant = null == tenant ? new byte[0] : tenant.getBytes(StandardCharsets.UTF_8);
        this.queries = queries;
        this.queryBlocks = queries[0].length;
        this.ownersByQuery = ownersByQuery;
        this.timeoutNs = timeoutNs;
        final int capacity = BitUtil.findNextPositivePowerOfTwo(maxInFlight);
        mask = capacity - 1;
        sequences = new long[capacity];
        Arrays.fill(sequences, FREE);
        intendedNs = new long[capacity];
        sentNs = new long[capacity];
        expectedLength = new int[capacity];
        phaseOf = new PhaseResult[capacity];
        requestBuffer = new UnsafeBuffer(new byte[MessageHeaderEncoder.ENCODED_LENGTH +
            OverlapRequestEncoder.BLOCK_LENGTH + 4 * OverlapRequestEncoder.modelHeaderLength() + this.model.length +
            this.tenant.length + queryBlocks * QueryProtocol.LOCAL_HASH_BYTES]);
        final FragmentHandler handler = this::onFragment;
        assembler = new FragmentAssembler(handler);
        publication = aeron.addExclusivePublication(requestChannel, EchoServer.REQUEST_STREAM_ID);
        subscription = aeron.addSubscription(responseChannel, EchoServer.RESPONSE_STREAM_ID);
        awaitConnected();
    }

    @Override
    public void recordInto(final PhaseResult result)
    {
        this.result = result;
    }

    @Override
    public boolean send(final int query, final long intendedNs)
    {
        final long sequence = nextSequence;
        final int slot = (int)(sequence & mask);
        if (FREE != sequences[slot])
        {
            return false;
        }
        final int owners = ownersByQuery[query];
        final int length = encode(sequence, owners, queries[query]);
        if (publication.offer(requestBuffer, 0, length) < 0)
        {
            return false;
        }
        sequences[slot] = sequence;
        this.intendedNs[slot] = intendedNs;
        sentNs[slot] = clock.nanoTime();
        expectedLength[slot] = OverlapResponseProxy.encodedLength(owners);
        phaseOf[slot] = result;
        nextSequence = sequence + 1;
        inFlight++;
        return true;
    }

    @Override
    public int poll()
    {
        final int fragments = subscription.poll(assembler, FRAGMENT_LIMIT);
        if (inFlight > 0)
        {
            final long nowNs = clock.nanoTime();
            if (nowNs - nextExpiryCheckNs >= 0)
            {
                nextExpiryCheckNs = nowNs + EXPIRY_CHECK_INTERVAL_NS;
                expire(nowNs);
            }
        }
        return fragments;
    }

    @Override
    public int inFlight()
    {
        return inFlight;
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(publication, subscription);
    }

    private int encode(final long correlationId, final int owners, final long[] hashes)
    {
        requestEncoder.wrapAndApplyHeader(requestBuffer, 0, headerEncoder)
            .sessionId(owners)
            .correlationId(correlationId)
            .hashKind(HashKind.LOCAL_HASHES)
            .putModel(model, 0, model.length)
            .putTenant(tenant, 0, tenant.length)
            .putLoraName(model, 0, 0);
        final int limit = requestEncoder.limit();
        final int byteLength = queryBlocks * QueryProtocol.LOCAL_HASH_BYTES;
        requestBuffer.putInt(limit, byteLength, ByteOrder.LITTLE_ENDIAN);
        final int start = limit + OverlapRequestEncoder.hashesHeaderLength();
        for (int i = 0; i < queryBlocks; i++)
        {
            requestBuffer.putLong(start + i * QueryProtocol.LOCAL_HASH_BYTES, hashes[i], ByteOrder.LITTLE_ENDIAN);
        }
        return start + byteLength;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final long nowNs = clock.nanoTime();
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return;
        }
        headerDecoder.wrap(buffer, offset);
        if (OverlapResponseDecoder.TEMPLATE_ID != headerDecoder.templateId())
        {
            return;
        }
        responseDecoder.wrap(
            buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, headerDecoder.blockLength(), headerDecoder.version());
        final long correlationId = responseDecoder.correlationId();
        final int slot = (int)(correlationId & mask);
        if (correlationId != sequences[slot])
        {
            return;
        }
        final PhaseResult phase = phaseOf[slot];
        phase.onAnswer(intendedNs[slot], nowNs, OverlapStatus.OK);
        phase.onContent(expectedLength[slot] == OverlapResponseProxy.encodedLength(0), length != expectedLength[slot]);
        release(slot);
    }

    private void expire(final long nowNs)
    {
        for (int slot = 0; slot <= mask; slot++)
        {
            if (FREE != sequences[slot] && nowNs - sentNs[slot] >= timeoutNs)
            {
                phaseOf[slot].onTimeout();
                release(slot);
            }
        }
    }

    private void release(final int slot)
    {
        sequences[slot] = FREE;
        inFlight--;
    }

    private void awaitConnected()
    {
        final long deadlineNs = clock.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!publication.isConnected() || !subscription.isConnected())
        {
            if (clock.nanoTime() - deadlineNs >= 0)
            {
                close();
                throw new IllegalStateException("echo not connected: publication " + publication.isConnected() +
                    ", subscription " + subscription.isConnected());
            }
            Thread.yield();
        }
    }
}
