package io.kvindex.router.api;

import io.aeron.ExclusivePublication;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.kvindex.router.PotentialLoads;
import io.kvindex.router.RouteOverrides;
import io.kvindex.router.Router;
import io.kvindex.router.RoutingDecision;
import io.kvindex.router.RoutingStatus;
import io.kvindex.router.codecs.BestWorkerRequestDecoder;
import io.kvindex.router.codecs.BooleanType;
import io.kvindex.router.codecs.CloseSessionDecoder;
import io.kvindex.router.codecs.ConnectRequestDecoder;
import io.kvindex.router.codecs.DumpEventsRequestDecoder;
import io.kvindex.router.codecs.LifecycleAction;
import io.kvindex.router.codecs.LifecycleRequestDecoder;
import io.kvindex.router.codecs.MessageHeaderDecoder;
import io.kvindex.router.codecs.PotentialLoadsRequestDecoder;
import io.kvindex.router.codecs.PromptKind;
import io.kvindex.router.codecs.RouterStatus;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Iterator;

/**
 * Decodes requests from {@link RouterClient}s and runs them on the router (on the router thread), answering through
 * the {@link RouterResponseProxy}. One decoder per message type; the schema id is checked and the template id
 * switched on. Prompts are decoded into scratch arrays that grow only for a bigger prompt than before.
 */
final class RouterRequestAdapter implements FragmentHandler
{
    private final RouterService service;
    private final Router router;
    private final RouterResponseProxy proxy;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ConnectRequestDecoder connectDecoder = new ConnectRequestDecoder();
    private final CloseSessionDecoder closeDecoder = new CloseSessionDecoder();
    private final BestWorkerRequestDecoder bestWorkerDecoder = new BestWorkerRequestDecoder();
    private final PotentialLoadsRequestDecoder loadsDecoder = new PotentialLoadsRequestDecoder();
    private final LifecycleRequestDecoder lifecycleDecoder = new LifecycleRequestDecoder();
    private final DumpEventsRequestDecoder dumpDecoder = new DumpEventsRequestDecoder();
    private final RouteOverrides overrides = new RouteOverrides();
    private final RoutingDecision decision = new RoutingDecision();
    private final PotentialLoads loads = new PotentialLoads();
    private int[] tokens = new int[4096];
    private long[] hashes = new long[1024];

    RouterRequestAdapter(final RouterService service, final Router router, final RouterResponseProxy proxy)
    {
        this.service = service;
        this.router = router;
        this.proxy = proxy;
    }

    /**
     * {@inheritDoc}
     */
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return;
        }
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            return;
        }
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        switch (headerDecoder.templateId())
        {
            case BestWorkerRequestDecoder.TEMPLATE_ID:
                onBestWorker(bestWorkerDecoder.wrap(buffer, body, blockLength, version));
                break;

            case LifecycleRequestDecoder.TEMPLATE_ID:
                onLifecycle(lifecycleDecoder.wrap(buffer, body, blockLength, version));
                break;

            case PotentialLoadsRequestDecoder.TEMPLATE_ID:
                onPotentialLoads(loadsDecoder.wrap(buffer, body, blockLength, version));
                break;

            case DumpEventsRequestDecoder.TEMPLATE_ID:
                onDumpEvents(dumpDecoder.wrap(buffer, body, blockLength, version));
                break;

            case ConnectRequestDecoder.TEMPLATE_ID:
                onConnect(connectDecoder.wrap(buffer, body, blockLength, version));
                break;

            case CloseSessionDecoder.TEMPLATE_ID:
                onClose(closeDecoder.wrap(buffer, body, blockLength, version).sessionId());
                break;

            default:
                break;
        }
    }

    int checkSessions()
    {
        int work = 0;
        final long nowNs = System.nanoTime();
        final Iterator<ServiceSession> it = service.sessions().values().iterator();
        while (it.hasNext())
        {
            final ServiceSession session = it.next();
            if (!session.connectAnswered)
            {
                final RouterStatus status = RouterStatus.OK;
                if (proxy.connectResponse(session.publication, session.connectCorrelationId, session.sessionId, status))
                {
                    session.connectAnswered = true;
                    work++;
                }
                else if (nowNs - session.connectDeadlineNs >= 0)
                {
                    session.publication.close();
                    it.remove();
                    work++;
                }
            }
        }
        return work;
    }

    private void onConnect(final ConnectRequestDecoder decoder)
    {
        final long correlationId = decoder.correlationId();
        final int responseStreamId = decoder.responseStreamId();
        final int version = decoder.version();
        final String channel = decoder.responseChannel();
        final ExclusivePublication publication =
            service.context().aeron().addExclusivePublication(channel, responseStreamId);
        final long sessionId = service.nextSessionId();
        final ServiceSession session = new ServiceSession(sessionId, publication, correlationId,
            System.nanoTime() + service.context().sessionConnectTimeoutNs());
        if (RouterProtocol.PROTOCOL_VERSION != version)
        {
            proxy.connectResponse(publication, correlationId, RouterProtocol.NULL_SESSION_ID, RouterStatus.REJECTED);
            publication.close();
            return;
        }
        service.sessions().put(sessionId, session);
    }

    private void onClose(final long sessionId)
    {
        final ServiceSession session = service.sessions().remove(sessionId);
        if (null != session)
        {
            session.publication.close();
        }
    }

    private ExclusivePublication publicationOf(final long sessionId)
    {
        final ServiceSession session = service.sessions().get(sessionId);
        return null == session || !session.connectAnswered ? null : session.publication;
    }

    private void onBestWorker(final BestWorkerRequestDecoder decoder)
    {
        final long sessionId = decoder.sessionId();
        final long correlationId = decoder.correlationId();
        final ExclusivePublication publication = publicationOf(sessionId);
        if (null == publication)
        {
            return;
        }
        final PromptKind kind = decoder.promptKind();
        final int isl = decoder.isl();
        try
        {
            overrides.reset();
            overrides.overlapScoreWeight(decoder.overlapScoreWeight()).temperature(decoder.temperature());
            overrides.priority(decoder.priority());
            if (BooleanType.TRUE == decoder.forced())
            {
                overrides.forceWorker(decoder.forcedWorkerId(), (int)decoder.forcedDpRank());
            }
        }
        catch (final IllegalArgumentException ex)
        {
            proxy.bestWorker(publication, correlationId, RouterStatus.BAD_REQUEST, 0, 0, 0, false);
            return;
        }
        final int requestIdLength = decoder.requestIdLength();
        final String requestId = 0 == requestIdLength ? null : decoder.requestId();
        if (0 == requestIdLength)
        {
            decoder.skipRequestId();
        }
        final String lora = decoder.loraName();
        overrides.loraName(lora.isEmpty() ? null : lora);
        final RoutingStatus status;
        if (PromptKind.TOKEN_IDS == kind)
        {
            final int count = readTokens(decoder);
            status = router.bestWorker(tokens, count, overrides, requestId, decision);
        }
        else if (PromptKind.LOCAL_HASHES == kind)
        {
            final int count = readHashes(decoder);
            status = router.bestWorkerForHashes(hashes, count, Math.max(isl, 0), overrides, requestId, decision);
        }
        else
        {
            proxy.bestWorker(publication, correlationId, RouterStatus.BAD_REQUEST, 0, 0, 0, false);
            return;
        }
        if (RoutingStatus.QUEUED == status)
        {
            service.awaitQueued(requestId, (routed) -> answerQueued(sessionId, correlationId, routed));
            return;
        }
        answer(publication, correlationId, decision);
    }

    private void answerQueued(final long sessionId, final long correlationId, final RoutingDecision routed)
    {
        final ExclusivePublication publication = publicationOf(sessionId);
        if (null != publication)
        {
            if (null == routed)
            {
                proxy.bestWorker(publication, correlationId, RouterStatus.UNKNOWN_REQUEST, 0, 0, 0, false);
            }
            else
            {
                answer(publication, correlationId, routed);
            }
        }
    }

    private void answer(final ExclusivePublication publication, final long correlationId, final RoutingDecision d)
    {
        final boolean routed = RoutingStatus.ROUTED == d.status();
        proxy.bestWorker(publication, correlationId, RouterProtocol.toWire(d.status()),
            routed ? d.workerId() : 0, routed ? d.dpRank() : 0, routed ? d.overlapBlocks() : 0, routed && d.booked());
    }

    private void onPotentialLoads(final PotentialLoadsRequestDecoder decoder)
    {
        final ExclusivePublication publication = publicationOf(decoder.sessionId());
        if (null == publication)
        {
            return;
        }
        final long correlationId = decoder.correlationId();
        final String lora = decoder.loraName();
        final int byteLength = decoder.tokensLength();
        if (0 != byteLength % RouterProtocol.TOKEN_ID_BYTES)
        {
            proxy.potentialLoads(publication, correlationId, RouterStatus.BAD_REQUEST, loads);
            return;
        }
        final int count = byteLength / RouterProtocol.TOKEN_ID_BYTES;
        ensureTokens(count);
        final int start = decoder.limit() + PotentialLoadsRequestDecoder.tokensHeaderLength();
        readInts(decoder.buffer(), start, count);
        decoder.skipTokens();
        router.potentialLoads(tokens, count, lora.isEmpty() ? null : lora, loads);
        proxy.potentialLoads(publication, correlationId, RouterStatus.OK, loads);
    }

    private void onLifecycle(final LifecycleRequestDecoder decoder)
    {
        final ExclusivePublication publication = publicationOf(decoder.sessionId());
        if (null == publication)
        {
            return;
        }
        final long correlationId = decoder.correlationId();
        final LifecycleAction action = decoder.action();
        final String requestId = decoder.requestId();
        final boolean known;
        if (LifecycleAction.MARK_PREFILL_COMPLETE == action)
        {
            known = router.markPrefillComplete(requestId);
        }
        else if (LifecycleAction.FREE == action)
        {
            known = service.freeOnRouterThread(requestId);
        }
        else
        {
            proxy.lifecycle(publication, correlationId, RouterStatus.BAD_REQUEST);
            return;
        }
        proxy.lifecycle(publication, correlationId, RouterService.lifecycleStatus(known));
    }

    private void onDumpEvents(final DumpEventsRequestDecoder decoder)
    {
        final ExclusivePublication publication = publicationOf(decoder.sessionId());
        if (null == publication)
        {
            return;
        }
        final long correlationId = decoder.correlationId();
        final int maxBlocks = RouterResponseProxy.maxBlocksPerEvent(publication);
        final long[] events = new long[1];
        proxy.beginDump(correlationId);
        RouterService.dumpEvents(router, (workerId, dpRank, hasParent, parent, engine, local, count) ->
        {
            boolean chained = hasParent;
            long parentHash = parent;
            for (int offset = 0; offset < count; offset += maxBlocks)
            {
                final int n = Math.min(maxBlocks, count - offset);
                proxy.storedEvent(publication, workerId, dpRank, chained, parentHash, engine, local,
                    offset, n);
                events[0]++;
                chained = true;
                parentHash = engine[offset + n - 1];
            }
        });
        proxy.dumpEnd(publication, correlationId, RouterStatus.OK, events[0], router.context().blockSize());
    }

    private int readTokens(final BestWorkerRequestDecoder decoder)
    {
        final int byteLength = decoder.promptLength();
        final int count = byteLength / RouterProtocol.TOKEN_ID_BYTES;
        ensureTokens(count);
        readInts(decoder.buffer(), decoder.limit() + BestWorkerRequestDecoder.promptHeaderLength(), count);
        decoder.skipPrompt();
        return count;
    }

    private int readHashes(final BestWorkerRequestDecoder decoder)
    {
        final int count = decoder.promptLength() / RouterProtocol.LOCAL_HASH_BYTES;
        if (count > hashes.length)
        {
            hashes = Arrays.copyOf(hashes, Math.max(count, hashes.length * 2));
        }
        final DirectBuffer buffer = decoder.buffer();
        final int start = decoder.limit() + BestWorkerRequestDecoder.promptHeaderLength();
        for (int i = 0; i < count; i++)
        {
            hashes[i] = buffer.getLong(start + i * RouterProtocol.LOCAL_HASH_BYTES, ByteOrder.LITTLE_ENDIAN);
        }
        decoder.skipPrompt();
        return count;
    }

    private void readInts(final DirectBuffer buffer, final int start, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            tokens[i] = buffer.getInt(start + i * RouterProtocol.TOKEN_ID_BYTES, ByteOrder.LITTLE_ENDIAN);
        }
    }

    private void ensureTokens(final int count)
    {
        if (count > tokens.length)
        {
            tokens = Arrays.copyOf(tokens, Math.max(count, tokens.length * 2));
        }
    }
}
