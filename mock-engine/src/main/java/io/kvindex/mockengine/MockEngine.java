package io.kvindex.mockengine;

import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.zeromq.ZContext;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * A simulated inference engine (one worker): per data-parallel rank a prefix cache of KV blocks with LRU eviction
 * and a timing model, publishing its KV events exactly as vLLM does over ZMQ ({@code spec/engine-events.md}), with a
 * replay socket, and serving an OpenAI-style {@code POST /v1/completions} whose prompt is a list of token ids.
 * <p>
 * One agent thread owns the caches and the sockets ({@link MockEngineAgent}); {@link #submit} and the HTTP threads
 * hand it requests through a queue. For benchmarks without any network use {@link EngineSimulation} directly.
 */
public final class MockEngine implements AutoCloseable
{
    private final MockEngineContext ctx;
    private final ZContext zContext;
    private final ZmqEventStream[] streams;
    private final MockEngineAgent agent;
    private final AgentRunner runner;
    private final CompletionsHttpServer httpServer;
    private volatile boolean closed;

    private MockEngine(final MockEngineContext ctx)
    {
        this.ctx = ctx;
        this.zContext = null != ctx.zContext() ? ctx.zContext() : new ZContext(1);
        final int streamCount = ctx.sharedStream() ? 1 : ctx.dpRanks();
        streams = new ZmqEventStream[streamCount];
        try
        {
            for (int s = 0; s < streamCount; s++)
            {
                final String replay = ctx.replayEndpoint();
                streams[s] = new ZmqEventStream(zContext, Endpoints.forRank(ctx.pubEndpoint(), s, streamCount),
                    null == replay ? null : Endpoints.forRank(replay, s, streamCount),
                    ctx.topic().getBytes(StandardCharsets.UTF_8), ctx.pubHighWaterMark(), ctx.bufferSteps(),
                    ctx.replayTopicFrame());
            }
            agent = new MockEngineAgent(ctx, streams, System.nanoTime(), "mock-engine-" + ctx.workerId());
            httpServer = ctx.httpPort() >= 0 ? new CompletionsHttpServer(this, ctx) : null;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.closeAll(streams);
            if (null == ctx.zContext())
            {
                zContext.close();
            }
            throw ex;
        }
        runner = new AgentRunner(ctx.idleStrategy(), ctx.errorHandler(), null, agent);
        AgentRunner.startOnThread(runner);
        if (null != httpServer)
        {
            httpServer.start();
        }
    }

    /**
     * Start an engine: bind its sockets and HTTP port, start its agent thread.
     *
     * @param ctx its settings; concluded here.
     * @return the running engine.
     */
    public static MockEngine launch(final MockEngineContext ctx)
    {
        ctx.conclude();
        return new MockEngine(ctx);
    }

    /**
     * The engine's settings.
     *
     * @return the concluded context.
     */
    public MockEngineContext context()
    {
        return ctx;
    }

    /**
     * Submit a request: it is admitted (at once, or when its rank has room) and its KV events published.
     *
     * @param prompt       the prompt; must not change afterwards.
     * @param outputTokens tokens to generate, at least 0.
     * @param dpRank       the rank, or -1 for round robin.
     * @return completes with the admission, or exceptionally when the engine is closed or overloaded.
     */
    public CompletableFuture<Admission> submit(final Prompt prompt, final int outputTokens, final int dpRank)
    {
        if (dpRank < -1 || dpRank >= ctx.dpRanks() || outputTokens < 0)
        {
            throw new IllegalArgumentException("bad request: dp rank " + dpRank + ", output tokens " + outputTokens);
        }
        final MockEngineAgent.Submission submission = new MockEngineAgent.Submission(prompt, outputTokens, dpRank);
        offer(submission, submission.future);
        return submission.future;
    }

    /**
     * Submit a request of token ids to the next rank in round robin.
     *
     * @param tokens       the prompt's token ids, copied.
     * @param outputTokens tokens to generate.
     * @return completes with the admission.
     */
    public CompletableFuture<Admission> submit(final int[] tokens, final int outputTokens)
    {
        return submit(Prompt.ofTokens(tokens), outputTokens, -1);
    }

    /**
     * Submit a Mooncake trace line ({@code input_length}, {@code output_length}, {@code hash_ids}; the timestamp
     * is ignored here) to the next rank in round robin.
     *
     * @param jsonLine one line of a Mooncake JSONL trace.
     * @return completes with the admission.
     * @throws IllegalArgumentException when the line is malformed.
     */
    public CompletableFuture<Admission> submitTraceLine(final String jsonLine)
    {
        final TraceRequest request = TraceRequest.parse(jsonLine);
        return submit(request.prompt(), request.outputLength(), -1);
    }

    /**
     * Run a function on the agent thread against the engine's state (caches, counters): for tests and tools.
     *
     * @param function what to run; must not keep the simulation.
     * @param <T>      its result type.
     * @return completes with its result.
     */
    public <T> CompletableFuture<T> query(final Function<EngineSimulation, T> function)
    {
        final MockEngineAgent.Inspection<T> inspection = new MockEngineAgent.Inspection<>(function);
        offer(inspection, inspection.future);
        return inspection.future;
    }

    /**
     * Reset every rank's prefix cache ({@code AllBlocksCleared}); refused while requests run.
     *
     * @return completes with true when reset.
     */
    public CompletableFuture<Boolean> resetPrefixCache()
    {
        return query((simulation) -> simulation.resetPrefixCache(System.nanoTime()));
    }

    /**
     * Number of event streams: one per rank, or one for all with a shared stream.
     *
     * @return streams.
     */
    public int streamCount()
    {
        return streams.length;
    }

    /**
     * The bound publisher endpoint of a rank's stream (its port resolved when it was ephemeral).
     *
     * @param dpRank the rank.
     * @return e.g. {@code tcp://127.0.0.1:5557}.
     */
    public String pubEndpoint(final int dpRank)
    {
        return stream(dpRank).pubEndpoint();
    }

    /**
     * The bound replay endpoint of a rank's stream.
     *
     * @param dpRank the rank.
     * @return the endpoint, or null when replay is off.
     */
    public String replayEndpoint(final int dpRank)
    {
        return stream(dpRank).replayEndpoint();
    }

    /**
     * Subscribers of a rank's stream (SUB sockets joined and not gone), as the publisher saw them.
     *
     * @param dpRank the rank.
     * @return subscribers.
     */
    public int subscribers(final int dpRank)
    {
        return stream(dpRank).subscribers();
    }

    /**
     * The bound HTTP port.
     *
     * @return the port, or -1 without HTTP.
     */
    public int httpPort()
    {
        return null == httpServer ? -1 : httpServer.port();
    }

    /**
     * Stop serving HTTP, publish what is pending, close the sockets and stop the agent thread.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.close(httpServer);
        CloseHelper.close(runner);
        if (null == ctx.zContext())
        {
            zContext.close();
        }
    }

    private ZmqEventStream stream(final int dpRank)
    {
        if (dpRank < 0 || dpRank >= ctx.dpRanks())
        {
            throw new IllegalArgumentException("dp rank " + dpRank + " out of [0, " + ctx.dpRanks() + ")");
        }
        return streams[1 == streams.length ? 0 : dpRank];
    }

    private void offer(final Object command, final CompletableFuture<?> future)
    {
        if (closed)
        {
            future.completeExceptionally(new IllegalStateException("mock engine closed"));
        }
        else if (!agent.offer(command))
        {
            future.completeExceptionally(new IllegalStateException("mock engine command queue full"));
        }
        else
        {
            final Thread thread = runner.thread();
            if (null != thread)
            {
                LockSupport.unpark(thread);
            }
        }
    }
}
