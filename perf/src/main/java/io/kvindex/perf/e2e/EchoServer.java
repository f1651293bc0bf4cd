package io.kvindex.perf.e2e;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;

/**
 * The echo's server side in this process: its own Aeron client (as the indexer server has), a request subscription,
 * an exclusive publication to the echo client's response channel and an {@link EchoAgent} on its own thread with
 * the same idle strategy as the query agent.
 */
final class EchoServer implements AutoCloseable
{
    /** Request stream of the echo. */
    static final int REQUEST_STREAM_ID = 1101;
    /** Response stream of the echo. */
    static final int RESPONSE_STREAM_ID = 1102;

    private static final int FRAGMENT_LIMIT = 64;

    private final Aeron aeron;
    private final AgentRunner runner;

    /**
     * Start an echo.
     *
     * @param aeronDir        the media driver's directory.
     * @param requestChannel  channel the echo listens on.
     * @param responseChannel channel of the echo client's responses.
     * @param maxOwners       most scores an answer may carry.
     * @param idleStrategy    idle strategy of the echo agent.
     */
    EchoServer(
        final String aeronDir,
        final String requestChannel,
        final String responseChannel,
        final int maxOwners,
        final IdleStrategy idleStrategy)
    {
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
        Subscription requests = null;
        ExclusivePublication responses = null;
        try
        {
            requests = aeron.addSubscription(requestChannel, REQUEST_STREAM_ID);
            responses = aeron.addExclusivePublication(responseChannel, RESPONSE_STREAM_ID);
            runner = new AgentRunner(idleStrategy, Throwable::printStackTrace, null,
                new EchoAgent(requests, responses, FRAGMENT_LIMIT, maxOwners));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(responses, requests, aeron);
            throw ex;
        }
        AgentRunner.startOnThread(runner);
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(runner, aeron);
    }
}
