package io.kvindex.perf.e2e;

import io.aeron.ControlledFragmentAssembler;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.aeron.logbuffer.Header;
import io.kvindex.client.codecs.MessageHeaderDecoder;
import io.kvindex.client.codecs.MessageHeaderEncoder;
import io.kvindex.client.codecs.OverlapRequestDecoder;
import io.kvindex.client.codecs.OverlapResponseEncoder;
import io.kvindex.client.codecs.QueryStatus;
import io.kvindex.server.query.OverlapResponseProxy;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The server side of the bare Aeron echo: answers each OverlapRequest with an OverlapResponse of the size the real
 * server would send for it, without touching any index. The echo client carries that size (the number of scores) in
 * the request's session id field, which the echo needs for nothing else. Polls and offers as the query agent does
 * (controlled poll through an assembler, a back-pressured answer leaves its request in the log), on one
 * {@link ExclusivePublication} to the client's response channel.
 */
final class EchoAgent implements Agent
{
    private final Subscription requests;
    private final ExclusivePublication responses;
    private final int fragmentLimit;
    private final int maxOwners;
    private final ControlledFragmentAssembler assembler;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final OverlapRequestDecoder requestDecoder = new OverlapRequestDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final OverlapResponseEncoder responseEncoder = new OverlapResponseEncoder();
    private final UnsafeBuffer responseBuffer;

    /**
     * An echo between a request subscription and a response publication, both closed with the agent.
     *
     * @param requests      where requests arrive.
     * @param responses     where answers go.
     * @param fragmentLimit fragments read per duty cycle, as the query agent's.
     * @param maxOwners     most scores an answer may carry.
     */
    EchoAgent(
        final Subscription requests, final ExclusivePublication responses, final int fragmentLimit, final int maxOwners)
    {
        this.requests = requests;
        this.responses = responses;
        this.fragmentLimit = fragmentLimit;
        this.maxOwners = maxOwners;
        this.responseBuffer =
            new UnsafeBuffer(ByteBuffer.allocateDirect(OverlapResponseProxy.encodedLength(maxOwners)));
        final ControlledFragmentHandler handler = this::onFragment;
        this.assembler = new ControlledFragmentAssembler(handler);
    }

    @Override
    public int doWork()
    {
        return requests.controlledPoll(assembler, fragmentLimit);
    }

    @Override
    public void onClose()
    {
        CloseHelper.closeAll(responses, requests);
    }

    @Override
    public String roleName()
    {
        return "kvindex-echo";
    }

    private Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return Action.CONTINUE;
        }
        headerDecoder.wrap(buffer, offset);
        if (OverlapRequestDecoder.TEMPLATE_ID != headerDecoder.templateId() ||
            MessageHeaderDecoder.SCHEMA_ID != headerDecoder.schemaId())
        {
            return Action.CONTINUE;
        }
        requestDecoder.wrap(
            buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, headerDecoder.blockLength(), headerDecoder.version());
        final int owners = (int)Math.min(Math.max(0, requestDecoder.sessionId()), maxOwners);
        responseEncoder.wrapAndApplyHeader(responseBuffer, 0, headerEncoder)
            .correlationId(requestDecoder.correlationId())
            .status(QueryStatus.OK)
            .scoresCount(owners);
        final long result = responses.offer(responseBuffer, 0, OverlapResponseProxy.encodedLength(owners));
        if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
        {
            return Action.ABORT;
        }
        return Action.CONTINUE;
    }
}
