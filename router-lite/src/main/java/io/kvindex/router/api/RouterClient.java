package io.kvindex.router.api;

import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.kvindex.index.DumpListener;
import io.kvindex.router.PotentialLoads;
import io.kvindex.router.RouteOverrides;
import io.kvindex.router.codecs.BestWorkerRequestEncoder;
import io.kvindex.router.codecs.BestWorkerResponseDecoder;
import io.kvindex.router.codecs.BooleanType;
import io.kvindex.router.codecs.CloseSessionEncoder;
import io.kvindex.router.codecs.ConnectRequestEncoder;
import io.kvindex.router.codecs.ConnectResponseDecoder;
import io.kvindex.router.codecs.DumpEventsRequestEncoder;
import io.kvindex.router.codecs.DumpEventsResponseDecoder;
import io.kvindex.router.codecs.LifecycleAction;
import io.kvindex.router.codecs.LifecycleRequestEncoder;
import io.kvindex.router.codecs.LifecycleResponseDecoder;
import io.kvindex.router.codecs.MessageHeaderDecoder;
import io.kvindex.router.codecs.MessageHeaderEncoder;
import io.kvindex.router.codecs.PotentialLoadsRequestEncoder;
import io.kvindex.router.codecs.PotentialLoadsResponseDecoder;
import io.kvindex.router.codecs.PromptKind;
import io.kvindex.router.codecs.RouterStatus;
import io.kvindex.router.codecs.StoredEventDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Calls a {@link RouterService} over Aeron: {@code best_worker}, {@code get_potential_loads},
 * {@code mark_prefill_complete}, {@code free} and {@code dump_events}, each waiting for its answer up to the
 * context's timeout ({@link RouterStatus#TIMEOUT} then) and filling caller-owned holders. A late answer to a call
 * that timed out is ignored. Not thread safe: one thread calls a client; give each thread its own (with its own
 * response stream id).
 */
public final class RouterClient implements AutoCloseable
{
    private static final byte[] EMPTY = new byte[0];

    private final RouterClientContext ctx;
    private final Subscription subscription;
    private final ExclusivePublication publication;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ConnectRequestEncoder connectEncoder = new ConnectRequestEncoder();
    private final CloseSessionEncoder closeEncoder = new CloseSessionEncoder();
    private final BestWorkerRequestEncoder bestWorkerEncoder = new BestWorkerRequestEncoder();
    private final PotentialLoadsRequestEncoder loadsEncoder = new PotentialLoadsRequestEncoder();
    private final LifecycleRequestEncoder lifecycleEncoder = new LifecycleRequestEncoder();
    private final DumpEventsRequestEncoder dumpEncoder = new DumpEventsRequestEncoder();
    private final ConnectResponseDecoder connectDecoder = new ConnectResponseDecoder();
    private final BestWorkerResponseDecoder bestWorkerDecoder = new BestWorkerResponseDecoder();
    private final PotentialLoadsResponseDecoder loadsDecoder = new PotentialLoadsResponseDecoder();
    private final LifecycleResponseDecoder lifecycleDecoder = new LifecycleResponseDecoder();
    private final StoredEventDecoder storedDecoder = new StoredEventDecoder();
    private final DumpEventsResponseDecoder dumpEndDecoder = new DumpEventsResponseDecoder();
    private long[] engineHashes = new long[256];
    private long[] localHashes = new long[256];
    private long sessionId = RouterProtocol.NULL_SESSION_ID;
    private long awaitedCorrelationId;
    private RouterStatus answer;
    private RouteResult routeResult;
    private PotentialLoads loadsResult;
    private DumpListener dumpListener;
    private long dumpEventCount;
    private boolean closed;

    private RouterClient(final RouterClientContext ctx)
    {
        this.ctx = ctx;
        Subscription subscription = null;
        ExclusivePublication publication = null;
        try
        {
            subscription = ctx.aeron().addSubscription(ctx.responseChannel(), ctx.responseStreamId());
            publication = ctx.aeron().addExclusivePublication(ctx.requestChannel(), ctx.requestStreamId());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(publication, subscription);
            ctx.close();
            throw ex;
        }
        this.subscription = subscription;
        this.publication = publication;
    }

    /**
     * Create a client and open a session with the router, waiting up to the context's timeout.
     *
     * @param ctx the configuration; concluded here.
     * @return the connected client.
     * @throws IllegalStateException when the router does not answer in time or rejects the session.
     */
    public static RouterClient connect(final RouterClientContext ctx)
    {
        final RouterClient client = new RouterClient(ctx.conclude());
        try
        {
            client.openSession();
        }
        catch (final RuntimeException ex)
        {
            client.close();
            throw ex;
        }
        return client;
    }

    /**
     * {@code best_worker} for a prompt of token ids; with a request id the request is booked (a queued request is
     * answered once routed, or with a timeout while still waiting).
     *
     * @param tokens     token ids.
     * @param tokenCount number of tokens.
     * @param overrides  per-request overrides, or null.
     * @param requestId  the request id, or null for a query-only call.
     * @param result     caller-owned holder.
     * @return the status, also in {@code result}.
     */
    public RouterStatus bestWorker(
        final int[] tokens,
        final int tokenCount,
        final RouteOverrides overrides,
        final String requestId,
        final RouteResult result)
    {
        int limit = encodeBestWorker(PromptKind.TOKEN_IDS, tokenCount, overrides, requestId);
        final int byteLength = tokenCount * RouterProtocol.TOKEN_ID_BYTES;
        buffer.putInt(limit, byteLength, ByteOrder.LITTLE_ENDIAN);
        limit += BestWorkerRequestEncoder.promptHeaderLength();
        for (int i = 0; i < tokenCount; i++)
        {
            buffer.putInt(limit + i * RouterProtocol.TOKEN_ID_BYTES, tokens[i], ByteOrder.LITTLE_ENDIAN);
        }
        return awaitRoute(limit + byteLength, result);
    }

    /**
     * {@code best_worker} for a prompt already hashed into local block hashes.
     *
     * @param hashes    local block hashes (LoRA seed applied).
     * @param count     number of hashes.
     * @param isl       prompt length in tokens.
     * @param overrides per-request overrides, or null.
     * @param requestId the request id, or null for a query-only call.
     * @param result    caller-owned holder.
     * @return the status, also in {@code result}.
     */
    public RouterStatus bestWorkerForHashes(
        final long[] hashes,
        final int count,
        final int isl,
        final RouteOverrides overrides,
        final String requestId,
        final RouteResult result)
    {
        int limit = encodeBestWorker(PromptKind.LOCAL_HASHES, isl, overrides, requestId);
        final int byteLength = count * RouterProtocol.LOCAL_HASH_BYTES;
        buffer.putInt(limit, byteLength, ByteOrder.LITTLE_ENDIAN);
        limit += BestWorkerRequestEncoder.promptHeaderLength();
        for (int i = 0; i < count; i++)
        {
            buffer.putLong(limit + i * RouterProtocol.LOCAL_HASH_BYTES, hashes[i], ByteOrder.LITTLE_ENDIAN);
        }
        return awaitRoute(limit + byteLength, result);
    }

    /**
     * {@code get_potential_loads}: per candidate, its prefill tokens and decode blocks with this prompt.
     *
     * @param tokens     token ids.
     * @param tokenCount number of tokens.
     * @param loraName   the LoRA adapter, or null.
     * @param loads      caller-owned holder, emptied unless the status is OK.
     * @return the status.
     */
    public RouterStatus potentialLoads(
        final int[] tokens, final int tokenCount, final String loraName, final PotentialLoads loads)
    {
        final byte[] lora = bytes(loraName);
        loadsEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(sessionId)
            .correlationId(nextCorrelationId())
            .putLoraName(lora, 0, lora.length);
        int limit = loadsEncoder.limit();
        final int byteLength = tokenCount * RouterProtocol.TOKEN_ID_BYTES;
        buffer.putInt(limit, byteLength, ByteOrder.LITTLE_ENDIAN);
        limit += PotentialLoadsRequestEncoder.tokensHeaderLength();
        for (int i = 0; i < tokenCount; i++)
        {
            buffer.putInt(limit + i * RouterProtocol.TOKEN_ID_BYTES, tokens[i], ByteOrder.LITTLE_ENDIAN);
        }
        loads.reset(0);
        loadsResult = loads;
        return await(limit + byteLength);
    }

    /**
     * {@code mark_prefill_complete}: the request's prefill tokens no longer load its worker.
     *
     * @param requestId the request id.
     * @return OK, or UNKNOWN_REQUEST when it is not booked.
     */
    public RouterStatus markPrefillComplete(final String requestId)
    {
        return lifecycle(LifecycleAction.MARK_PREFILL_COMPLETE, requestId);
    }

    /**
     * {@code free}: the request finished; everything it held is released (a waiting one leaves the queue).
     *
     * @param requestId the request id.
     * @return OK, or UNKNOWN_REQUEST when it is neither booked nor waiting.
     */
    public RouterStatus free(final String requestId)
    {
        return lifecycle(LifecycleAction.FREE, requestId);
    }

    /**
     * {@code dump_events}: the router's approximate index as Stored events (none in kv mode with KV events).
     *
     * @param listener told of each event, on this thread.
     * @return the status.
     */
    public RouterStatus dumpEvents(final DumpListener listener)
    {
        dumpEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(sessionId)
            .correlationId(nextCorrelationId());
        dumpListener = listener;
        dumpEventCount = 0;
        return await(MessageHeaderEncoder.ENCODED_LENGTH + dumpEncoder.encodedLength());
    }

    /**
     * Events received by the last {@link #dumpEvents} call.
     *
     * @return the count.
     */
    public long dumpEventCount()
    {
        return dumpEventCount;
    }

    /**
     * Close the session and release the Aeron resources (and Aeron when the context created it).
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (RouterProtocol.NULL_SESSION_ID != sessionId)
            {
                closeEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).sessionId(sessionId);
                publication.offer(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + closeEncoder.encodedLength());
            }
            CloseHelper.quietCloseAll(publication, subscription);
            ctx.close();
        }
    }

    private void openSession()
    {
        final byte[] channel = bytes(ctx.responseChannel());
        connectEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(nextCorrelationId())
            .responseStreamId(ctx.responseStreamId())
            .version(RouterProtocol.PROTOCOL_VERSION)
            .putResponseChannel(channel, 0, channel.length);
        final RouterStatus status = await(MessageHeaderEncoder.ENCODED_LENGTH + connectEncoder.encodedLength());
        if (RouterStatus.OK != status)
        {
            throw new IllegalStateException("router on " + ctx.requestChannel() + " stream " + ctx.requestStreamId() +
                " did not open a session: " + status);
        }
    }

    private int encodeBestWorker(
        final PromptKind kind, final int isl, final RouteOverrides overrides, final String requestId)
    {
        final byte[] id = bytes(requestId);
        final byte[] lora = bytes(null == overrides ? null : overrides.loraName());
        final boolean forced = null != overrides && overrides.hasForcedWorker();
        bestWorkerEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(sessionId)
            .correlationId(nextCorrelationId())
            .promptKind(kind)
            .isl(isl)
            .overlapScoreWeight(null == overrides ? Double.NaN : overrides.overlapScoreWeight())
            .temperature(null == overrides ? Double.NaN : overrides.temperature())
            .priority(null == overrides ? 0 : overrides.priority())
            .forced(forced ? BooleanType.TRUE : BooleanType.FALSE)
            .forcedWorkerId(forced ? overrides.forcedWorkerId() : 0)
            .forcedDpRank(forced ? overrides.forcedDpRank() : 0)
            .putRequestId(id, 0, id.length)
            .putLoraName(lora, 0, lora.length);
        return bestWorkerEncoder.limit();
    }

    private RouterStatus awaitRoute(final int length, final RouteResult result)
    {
        routeResult = result;
        final RouterStatus status = await(length);
        if (RouterStatus.OK != status)
        {
            result.status(status);
        }
        return status;
    }

    private RouterStatus lifecycle(final LifecycleAction action, final String requestId)
    {
        final byte[] id = bytes(requestId);
        lifecycleEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(sessionId)
            .correlationId(nextCorrelationId())
            .action(action)
            .putRequestId(id, 0, id.length);
        return await(lifecycleEncoder.limit());
    }

    private long nextCorrelationId()
    {
        awaitedCorrelationId = ctx.aeron().nextCorrelationId();
        return awaitedCorrelationId;
    }

    private RouterStatus await(final int length)
    {
        if (closed)
        {
            throw new IllegalStateException("client is closed");
        }
        answer = null;
        final IdleStrategy idle = ctx.idleStrategy();
        final long deadlineNs = System.nanoTime() + ctx.timeoutNs();
        idle.reset();
        boolean sent = false;
        while (null == answer)
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                answer = sent ? RouterStatus.TIMEOUT : RouterStatus.NOT_CONNECTED;
                break;
            }
            if (!sent)
            {
                sent = publication.offer(buffer, 0, length) > 0;
            }
            idle.idle(subscription.poll(assembler, 16));
        }
        routeResult = null;
        loadsResult = null;
        dumpListener = null;
        return answer;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        headerDecoder.wrap(buffer, offset);
        if (length < MessageHeaderDecoder.ENCODED_LENGTH || headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            return;
        }
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        switch (headerDecoder.templateId())
        {
            case BestWorkerResponseDecoder.TEMPLATE_ID:
                onBestWorker(bestWorkerDecoder.wrap(buffer, body, blockLength, version));
                break;

            case LifecycleResponseDecoder.TEMPLATE_ID:
                lifecycleDecoder.wrap(buffer, body, blockLength, version);
                complete(lifecycleDecoder.correlationId(), lifecycleDecoder.status());
                break;

            case PotentialLoadsResponseDecoder.TEMPLATE_ID:
                onPotentialLoads(loadsDecoder.wrap(buffer, body, blockLength, version));
                break;

            case StoredEventDecoder.TEMPLATE_ID:
                onStored(storedDecoder.wrap(buffer, body, blockLength, version));
                break;

            case DumpEventsResponseDecoder.TEMPLATE_ID:
                dumpEndDecoder.wrap(buffer, body, blockLength, version);
                complete(dumpEndDecoder.correlationId(), dumpEndDecoder.status());
                break;

            case ConnectResponseDecoder.TEMPLATE_ID:
                onConnect(connectDecoder.wrap(buffer, body, blockLength, version));
                break;

            default:
                break;
        }
    }

    private void onConnect(final ConnectResponseDecoder decoder)
    {
        if (decoder.correlationId() == awaitedCorrelationId)
        {
            sessionId = decoder.sessionId();
            answer = decoder.status();
        }
    }

    private void onBestWorker(final BestWorkerResponseDecoder decoder)
    {
        if (decoder.correlationId() == awaitedCorrelationId && null != routeResult)
        {
            final RouterStatus status = decoder.status();
            routeResult.set(status, decoder.workerId(), (int)decoder.dpRank(), decoder.overlapBlocks(),
                BooleanType.TRUE == decoder.booked());
            answer = status;
        }
    }

    private void onPotentialLoads(final PotentialLoadsResponseDecoder decoder)
    {
        if (decoder.correlationId() != awaitedCorrelationId || null == loadsResult)
        {
            return;
        }
        final RouterStatus status = decoder.status();
        final PotentialLoadsResponseDecoder.LoadsDecoder loads = decoder.loads();
        loadsResult.reset(loads.count());
        while (loads.hasNext())
        {
            loads.next();
            loadsResult.add(loads.workerId(), (int)loads.dpRank(), loads.potentialPrefillTokens(),
                loads.potentialDecodeBlocks());
        }
        answer = status;
    }

    private void onStored(final StoredEventDecoder decoder)
    {
        if (decoder.correlationId() != awaitedCorrelationId || null == dumpListener)
        {
            return;
        }
        final long workerId = decoder.workerId();
        final int dpRank = (int)decoder.dpRank();
        final boolean hasParent = BooleanType.TRUE == decoder.hasParent();
        final long parentHash = decoder.parentHash();
        final StoredEventDecoder.BlocksDecoder blocks = decoder.blocks();
        final int count = blocks.count();
        if (count > engineHashes.length)
        {
            engineHashes = Arrays.copyOf(engineHashes, count);
            localHashes = Arrays.copyOf(localHashes, count);
        }
        for (int i = 0; i < count; i++)
        {
            blocks.next();
            engineHashes[i] = blocks.blockHash();
            localHashes[i] = blocks.localHash();
        }
        dumpEventCount++;
        dumpListener.onStored(workerId, dpRank, hasParent, parentHash, engineHashes, localHashes, count);
    }

    private void complete(final long correlationId, final RouterStatus status)
    {
        if (correlationId == awaitedCorrelationId)
        {
            answer = status;
        }
    }

    private static byte[] bytes(final String value)
    {
        return null == value || value.isEmpty() ? EMPTY : value.getBytes(StandardCharsets.UTF_8);
    }
}
