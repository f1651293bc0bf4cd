package io.kvindex.server.feed;

import io.aeron.ControlledFragmentAssembler;
import io.aeron.Subscription;
import org.agrona.concurrent.Agent;

/**
 * The duty cycle of an {@link AeronEventFeed}: polls the event subscription, a fragment limit at a time, through a
 * reassembler into the {@link KvEventAdapter}. A full ingest ring aborts the poll, so the next cycle (after the
 * writer made room) starts again at the same message.
 */
final class AeronEventFeedAgent implements Agent
{
    private final Subscription subscription;
    private final ControlledFragmentAssembler assembler;
    private final int fragmentLimit;

    AeronEventFeedAgent(final Subscription subscription, final KvEventAdapter adapter, final int fragmentLimit)
    {
        this.subscription = subscription;
        this.assembler = new ControlledFragmentAssembler(adapter);
        this.fragmentLimit = fragmentLimit;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int doWork()
    {
        return subscription.controlledPoll(assembler, fragmentLimit);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String roleName()
    {
        return "kvindex-aeron-feed";
    }
}
