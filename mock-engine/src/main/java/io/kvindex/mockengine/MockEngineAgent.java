package io.kvindex.mockengine;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The duty cycle of a running {@link MockEngine}: owns its {@link EngineSimulation} and ZMQ streams. Takes commands
 * other threads queue (submissions, inspections), admits waiting requests per rank in arrival order as room frees
 * up, releases finished requests, publishes batches whose step ended, and serves subscriptions and replay requests.
 */
final class MockEngineAgent implements Agent
{
    private static final int COMMAND_LIMIT = 64;

    /**
     * A request waiting for its rank to have room.
     */
    static final class Submission
    {
        final Prompt prompt;
        final int outputTokens;
        final int dpRank;
        final CompletableFuture<Admission> future = new CompletableFuture<>();
        int resolvedRank = -1;

        Submission(final Prompt prompt, final int outputTokens, final int dpRank)
        {
            this.prompt = prompt;
            this.outputTokens = outputTokens;
            this.dpRank = dpRank;
        }
    }

    private final EngineSimulation simulation;
    private final ZmqEventStream[] streams;
    private final ArrayDeque<Submission>[] waiting;
    private final ManyToOneConcurrentArrayQueue<Object> commands;
    private final String roleName;

    @SuppressWarnings({ "unchecked", "rawtypes" })
    MockEngineAgent(
        final MockEngineContext ctx, final ZmqEventStream[] streams, final long startNs, final String roleName)
    {
        this.streams = streams;
        this.roleName = roleName;
        this.commands = new ManyToOneConcurrentArrayQueue<>(ctx.commandQueueCapacity());
        this.simulation = new EngineSimulation(ctx, startNs, this::publish);
        waiting = new ArrayDeque[simulation.dpRanks()];
        for (int r = 0; r < waiting.length; r++)
        {
            waiting[r] = new ArrayDeque<>();
        }
    }

    /**
     * Queue a command from any thread.
     *
     * @return false when the queue is full.
     */
    boolean offer(final Object command)
    {
        return commands.offer(command);
    }

    @Override
    public int doWork()
    {
        final long nowNs = System.nanoTime();
        int work = simulation.releaseDue(nowNs);
        work += commands.drain(this::onCommand, COMMAND_LIMIT);
        work += admitWaiting(nowNs);
        work += simulation.flushDue(nowNs);
        for (final ZmqEventStream stream : streams)
        {
            work += stream.doWork();
        }
        return work;
    }

    @Override
    public void onClose()
    {
        simulation.flush(System.nanoTime());
        for (final ArrayDeque<Submission> queue : waiting)
        {
            for (final Submission submission : queue)
            {
                submission.future.completeExceptionally(new IllegalStateException("mock engine closed"));
            }
            queue.clear();
        }
        Object command;
        while (null != (command = commands.poll()))
        {
            if (command instanceof Submission submission)
            {
                submission.future.completeExceptionally(new IllegalStateException("mock engine closed"));
            }
        }
        for (final ZmqEventStream stream : streams)
        {
            stream.close();
        }
    }

    @Override
    public String roleName()
    {
        return roleName;
    }

    private void onCommand(final Object command)
    {
        if (command instanceof Submission submission)
        {
            submission.resolvedRank = submission.dpRank < 0 ? simulation.nextRank() : submission.dpRank;
            waiting[submission.resolvedRank].addLast(submission);
        }
        else if (command instanceof Inspection<?> inspection)
        {
            inspection.run(simulation);
        }
    }

    private int admitWaiting(final long nowNs)
    {
        int admitted = 0;
        for (final ArrayDeque<Submission> queue : waiting)
        {
            Submission submission;
            while (null != (submission = queue.peekFirst()))
            {
                if (submission.future.isDone())
                {
                    queue.pollFirst();
                    continue;
                }
                final Admission admission = new Admission();
                if (!simulation.admit(
                    submission.prompt, submission.outputTokens, submission.resolvedRank, nowNs, admission))
                {
                    break;
                }
                queue.pollFirst();
                submission.future.complete(admission);
                admitted++;
            }
        }
        return admitted;
    }

    private void publish(final int dpRank, final long seq, final byte[] buffer, final int offset, final int length)
    {
        streams[streams.length == 1 ? 0 : dpRank].publish(seq, buffer, offset, length);
    }

    /**
     * A function run on the agent thread against the simulation, its result completing a future.
     *
     * @param <T> the result type.
     */
    static final class Inspection<T>
    {
        final Function<EngineSimulation, T> function;
        final CompletableFuture<T> future = new CompletableFuture<>();

        Inspection(final Function<EngineSimulation, T> function)
        {
            this.function = function;
        }

        void run(final EngineSimulation simulation)
        {
            try
            {
                future.complete(function.apply(simulation));
            }
            catch (final RuntimeException ex)
            {
                future.completeExceptionally(ex);
            }
        }
    }
}
