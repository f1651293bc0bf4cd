package io.kvindex.server.relay;

import io.kvindex.server.feed.ZmqEngineFeed;
import org.agrona.concurrent.Agent;

/**
 * The duty cycle of a {@link ZmqRelay}: drains each engine feed in turn, a limit of messages each, and publishes
 * what they decode on the spot.
 */
final class ZmqRelayAgent implements Agent
{
    private final ZmqEngineFeed[] feeds;

    ZmqRelayAgent(final ZmqEngineFeed[] feeds)
    {
        this.feeds = feeds;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int doWork()
    {
        int work = 0;
        for (final ZmqEngineFeed feed : feeds)
        {
            work += feed.doWork();
        }
        return work;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String roleName()
    {
        return "kvindex-zmq-relay";
    }
}
