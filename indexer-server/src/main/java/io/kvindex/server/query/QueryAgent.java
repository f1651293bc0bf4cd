package io.kvindex.server.query;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.aeron.logbuffer.Header;
import io.kvindex.client.QueryProtocol;
import io.kvindex.client.codecs.CloseSessionDecoder;
import io.kvindex.client.codecs.ConnectRequestDecoder;
import io.kvindex.client.codecs.MessageHeaderDecoder;
import io.kvindex.client.codecs.OverlapRequestDecoder;
import io.kvindex.client.codecs.QueryStatus;
import io.kvindex.index.OverlapScores;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

/**
 * Serves overlap queries: polls the request subscription, keeps client sessions, runs each OverlapRequest against
 * the index of its (model, tenant) and offers the OverlapResponse on the session's publication. Reads the indexes
 * concurrently with their writer and never waits for it. Allocates nothing per query in steady state.
 * <p>
 * Overload: when the subscription still had requests waiting after each of {@code overloadDutyCycles} consecutive
 * polls, requests are answered OVERLOAD without touching the index until a poll drains what was waiting.
 */
public final class QueryAgent implements Agent
{
    private final Subscription subscription;
    private final QuerySessions sessions;
    private final OverlapRequestHandler handler;
    private final QueryCounters counters;
    private final NanoClock clock;
    private final int fragmentLimit;
    private final int overloadDutyCycles;
    private final long responseTimeoutNs;
    private final ControlledFragmentAssembler assembler;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ConnectRequestDecoder connectDecoder = new ConnectRequestDecoder();
    private final CloseSessionDecoder closeDecoder = new CloseSessionDecoder();
    private final OverlapRequestDecoder requestDecoder = new OverlapRequestDecoder();
    private final OverlapResponseProxy responseProxy;
    private final OverlapScores scores;
    private int backloggedCycles;
    private long nowNs;
    private long backPressuredSinceNs;

    /**
     * An agent answering from the indexes of a registry.
     *
     * @param ctx          the server's concluded context.
     * @param aeron        the Aeron client for response publications.
     * @param subscription the request subscription; closed with the agent.
     * @param counters     counters the agent writes.
     */
    public QueryAgent(
        final QueryServer.Context ctx, final Aeron aeron, final Subscription subscription, final QueryCounters counters)
    {
        this.subscription = subscription;
        this.counters = counters;
        this.clock = ctx.nanoClock();
        this.fragmentLimit = ctx.fragmentLimit();
        this.overloadDutyCycles = ctx.overloadDutyCycles();
        final ErrorHandler errorHandler = ctx.errorHandler();
        this.sessions = new QuerySessions(
            aeron, counters, errorHandler, ctx.connectTimeoutNs(), ctx.sessionTimeoutNs());
        this.handler = new OverlapRequestHandler(ctx.registry(), ctx.maxQueryBlocks(), ctx.maxQueryTokens());
        this.scores = new OverlapScores(ctx.maxOwners());
        this.responseProxy = new OverlapResponseProxy(ctx.maxOwners());
        this.responseTimeoutNs = ctx.responseTimeoutNs();
        final ControlledFragmentHandler fragmentHandler = this::onFragment;
        this.assembler = new ControlledFragmentAssembler(fragmentHandler);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int doWork()
    {
        nowNs = clock.nanoTime();
        final int fragments = subscription.controlledPoll(assembler, fragmentLimit);
        backloggedCycles = fragments >= fragmentLimit ? backloggedCycles + 1 : 0;
        return fragments + sessions.doWork(nowNs);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onClose()
    {
        CloseHelper.closeAll(sessions, subscription);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String roleName()
    {
        return "kvindex-query";
    }

    private Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            counters.increment(QueryCounters.MALFORMED);
            return Action.CONTINUE;
        }
        headerDecoder.wrap(buffer, offset);
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int bodyLength = length - MessageHeaderDecoder.ENCODED_LENGTH;
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            counters.increment(QueryCounters.MALFORMED);
            return Action.CONTINUE;
        }
        switch (headerDecoder.templateId())
        {
            case OverlapRequestDecoder.TEMPLATE_ID:
                return onOverlapRequest(buffer, bodyOffset, bodyLength);

            case ConnectRequestDecoder.TEMPLATE_ID:
                onConnectRequest(buffer, bodyOffset, bodyLength);
                break;

            case CloseSessionDecoder.TEMPLATE_ID:
                if (bodyLength >= CloseSessionDecoder.BLOCK_LENGTH)
                {
                    closeDecoder.wrap(buffer, bodyOffset, headerDecoder.blockLength(), headerDecoder.version());
                    sessions.onClose(closeDecoder.sessionId());
                }
                break;

            default:
                counters.increment(QueryCounters.MALFORMED);
                break;
        }
        return Action.CONTINUE;
    }

    private void onConnectRequest(final DirectBuffer buffer, final int offset, final int length)
    {
        final int blockLength = headerDecoder.blockLength();
        if (blockLength < ConnectRequestDecoder.BLOCK_LENGTH ||
            length < blockLength + ConnectRequestDecoder.responseChannelHeaderLength())
        {
            counters.increment(QueryCounters.MALFORMED);
            return;
        }
        connectDecoder.wrap(buffer, offset, blockLength, headerDecoder.version());
        final int channelLength = connectDecoder.responseChannelLength();
        if (channelLength <= 0 || channelLength > QueryProtocol.MAX_CHANNEL_LENGTH ||
            blockLength + ConnectRequestDecoder.responseChannelHeaderLength() + channelLength > length)
        {
            counters.increment(QueryCounters.MALFORMED);
            return;
        }
        final boolean accepted = connectDecoder.version() == QueryProtocol.PROTOCOL_VERSION;
        sessions.onConnect(connectDecoder.correlationId(), connectDecoder.responseChannel(),
            connectDecoder.responseStreamId(), accepted, nowNs);
    }

    private Action onOverlapRequest(final DirectBuffer buffer, final int offset, final int length)
    {
        final int blockLength = headerDecoder.blockLength();
        if (blockLength < OverlapRequestDecoder.BLOCK_LENGTH || length < blockLength)
        {
            counters.increment(QueryCounters.REQUESTS);
            counters.increment(QueryCounters.MALFORMED);
            return Action.CONTINUE;
        }
        requestDecoder.wrap(buffer, offset, blockLength, headerDecoder.version());
        final ExclusivePublication publication = sessions.activePublication(requestDecoder.sessionId());
        if (null == publication)
        {
            counters.increment(QueryCounters.REQUESTS);
            counters.increment(QueryCounters.UNKNOWN_SESSION);
            return Action.CONTINUE;
        }
        final long correlationId = requestDecoder.correlationId();
        final QueryStatus status = overloadDutyCycles >= 0 && backloggedCycles >= overloadDutyCycles ?
            QueryStatus.OVERLOAD : handler.handle(requestDecoder, offset + length, scores);
        return respond(publication, correlationId, status);
    }

    /**
     * Offer the answer. Back pressure is normal (the driver moves the publication limit on its own duty cycle), so
     * the request is left in the log (ABORT) and run again on the next poll, until the response timeout; only then,
     * or when the client is gone, is the answer dropped and counted.
     */
    private Action respond(final ExclusivePublication publication, final long correlationId, final QueryStatus status)
    {
        final QueryStatus sent = responseProxy.encode(correlationId, status, scores, publication.maxMessageLength());
        final long result = responseProxy.offer(publication);
        if (result < 0 && (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result))
        {
            if (0 == backPressuredSinceNs)
            {
                backPressuredSinceNs = nowNs;
            }
            if (nowNs - backPressuredSinceNs < responseTimeoutNs)
            {
                return Action.ABORT;
            }
        }
        backPressuredSinceNs = 0;
        counters.increment(QueryCounters.REQUESTS);
        count(sent);
        if (result < 0)
        {
            counters.increment(QueryCounters.RESPONSES_DROPPED);
        }
        return Action.CONTINUE;
    }

    private void count(final QueryStatus status)
    {
        switch (status)
        {
            case OK:
                counters.increment(QueryCounters.ANSWERED);
                break;
            case UNKNOWN_INDEX:
                counters.increment(QueryCounters.UNKNOWN_INDEX);
                break;
            case BAD_REQUEST:
                counters.increment(QueryCounters.BAD_REQUESTS);
                break;
            case OVERLOAD:
                counters.increment(QueryCounters.OVERLOADED);
                break;
            default:
                counters.increment(QueryCounters.SERVER_ERRORS);
                break;
        }
    }
}
