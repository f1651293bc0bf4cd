package io.kvindex.router.api;

import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.kvindex.index.DumpListener;
import io.kvindex.router.ApproximateIndex;
import io.kvindex.router.RouteOverrides;
import io.kvindex.router.Router;
import io.kvindex.router.RouterContext;
import io.kvindex.router.RoutingDecision;
import io.kvindex.router.RoutingListener;
import io.kvindex.router.RoutingStatus;
import io.kvindex.router.codecs.RouterStatus;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Owns a {@link Router} and the one thread that drives it: answers {@link RouterClient}s over Aeron (SBE, see
 * docs/router-protocol.md) and runs calls handed over by other threads of the process (the HTTP API) through a
 * bounded queue, each answered through a {@link CompletableFuture} the caller waits on with its own bound. Between
 * requests it runs {@link Router#doWork()}. A request that the router queues is answered once it is routed.
 * <p>
 * Several services may live in one JVM (and share one Aeron client) with different request channels or stream ids.
 */
public final class RouterService implements Agent, AutoCloseable
{
    private final RouterServiceContext ctx;
    private final Router router;
    private final Subscription subscription;
    private final FragmentAssembler assembler;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands;
    private final Long2ObjectHashMap<ServiceSession> sessions = new Long2ObjectHashMap<>();
    private final Map<String, QueuedWaiter> waiters = new HashMap<>();
    private final RouterResponseProxy proxy = new RouterResponseProxy();
    private final RoutingDecision decision = new RoutingDecision();
    private final RouterRequestAdapter adapter;
    private final String roleName;
    private AgentRunner runner;
    private long nextSessionId = 1;
    private volatile boolean closed;

    /**
     * Told when a request the router queued is routed, or dropped from the queue by a free.
     */
    interface QueuedWaiter
    {
        /**
         * The answer is known.
         *
         * @param decision the decision, or null when the request was freed while waiting.
         */
        void onAnswer(RoutingDecision decision);
    }

    private RouterService(final RouterServiceContext ctx)
    {
        this.ctx = ctx;
        this.roleName = "kvindex-router-" + ctx.requestStreamId();
        this.commands = new ManyToOneConcurrentArrayQueue<>(ctx.commandQueueCapacity());
        final RouterContext routerContext = ctx.routerContext();
        final RoutingListener chained = routerContext.routingListener();
        routerContext.routingListener((requestId, routed) ->
        {
            onQueuedRouted(requestId, routed);
            if (null != chained)
            {
                chained.onRouted(requestId, routed);
            }
        });
        Router router = null;
        try
        {
            router = Router.launch(routerContext);
            this.subscription = ctx.aeron().addSubscription(ctx.requestChannel(), ctx.requestStreamId());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(router);
            ctx.close();
            throw ex;
        }
        this.router = router;
        this.adapter = new RouterRequestAdapter(this, router, proxy);
        this.assembler = new FragmentAssembler(adapter);
    }

    /**
     * Create a service and start its thread.
     *
     * @param ctx the configuration; concluded here.
     * @return the running service.
     */
    public static RouterService launch(final RouterServiceContext ctx)
    {
        final RouterService service = new RouterService(ctx.conclude());
        service.runner = new AgentRunner(ctx.idleStrategy(), Throwable::printStackTrace, null, service);
        AgentRunner.startOnThread(service.runner);
        return service;
    }

    /**
     * Create a service whose duty cycle the caller runs ({@link #doWork()}), e.g. in a composite agent or a test.
     *
     * @param ctx the configuration; concluded here.
     * @return the service, not started.
     */
    public static RouterService create(final RouterServiceContext ctx)
    {
        return new RouterService(ctx.conclude());
    }

    /**
     * Route on the router thread: a prompt of token ids (or of local hashes with {@code isl}), booked when a request
     * id is given. A queued request completes once routed.
     *
     * @param tokens    token ids, or null when {@code hashes} are given; not changed until the future completes.
     * @param hashes    local block hashes, or null.
     * @param isl       prompt length in tokens when hashes are given.
     * @param overrides per-request overrides, or null; not changed until the future completes.
     * @param requestId the request id, or null for a query-only call.
     * @return the answer to come; fails with {@link IllegalStateException} when the router is overloaded.
     */
    public CompletableFuture<RouteAnswer> route(
        final int[] tokens, final long[] hashes, final int isl, final RouteOverrides overrides, final String requestId)
    {
        final CompletableFuture<RouteAnswer> answer = new CompletableFuture<>();
        execute(answer, () ->
        {
            final RoutingStatus status = null != tokens ?
                router.bestWorker(tokens, tokens.length, overrides, requestId, decision) :
                router.bestWorkerForHashes(hashes, hashes.length, isl, overrides, requestId, decision);
            if (RoutingStatus.QUEUED == status)
            {
                awaitQueued(requestId, (routed) -> answer.complete(null == routed ?
                    new RouteAnswer(RoutingStatus.QUEUED, null, 0, false) : RouteAnswer.of(routed)));
            }
            else
            {
                answer.complete(RouteAnswer.of(decision));
            }
        });
        return answer;
    }

    /**
     * Run a call on the router thread, e.g. {@code router -> router.free(id)}; the router must not escape the call.
     *
     * @param call the call.
     * @param <T>  the result type.
     * @return its result to come; fails with {@link IllegalStateException} when the router is overloaded.
     */
    public <T> CompletableFuture<T> call(final Function<Router, T> call)
    {
        final CompletableFuture<T> answer = new CompletableFuture<>();
        execute(answer, () -> answer.complete(call.apply(router)));
        return answer;
    }

    /**
     * {@code free} on the router thread, answering a caller still waiting for the request to leave the queue.
     *
     * @param requestId the request id.
     * @return whether it was booked or waiting.
     */
    public CompletableFuture<Boolean> free(final String requestId)
    {
        return call((r) -> freeOnRouterThread(requestId));
    }

    /**
     * {@code mark_prefill_complete} on the router thread.
     *
     * @param requestId the request id.
     * @return whether it was booked.
     */
    public CompletableFuture<Boolean> markPrefillComplete(final String requestId)
    {
        return call((r) -> r.markPrefillComplete(requestId));
    }

    /**
     * The role name of the router thread.
     *
     * @return the name.
     */
    public String roleName()
    {
        return roleName;
    }

    /**
     * The concluded configuration.
     *
     * @return the context.
     */
    public RouterServiceContext context()
    {
        return ctx;
    }

    /**
     * Answers that could not be sent to their session (back pressure or a closed session).
     *
     * @return dropped answers.
     */
    public long droppedResponses()
    {
        return proxy.droppedCount();
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        int work = subscription.poll(assembler, ctx.fragmentLimit());
        work += commands.drain(Runnable::run, ctx.commandQueueCapacity());
        if (!sessions.isEmpty())
        {
            work += adapter.checkSessions();
        }
        return work + router.doWork();
    }

    /**
     * Stop the thread (when launched), then close the router, the sessions and the subscription; waiting calls fail.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (null != runner)
        {
            CloseHelper.close(runner);
        }
        else
        {
            onClose();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onClose()
    {
        Runnable command;
        while (null != (command = commands.poll()))
        {
            command.run();
        }
        for (final ServiceSession session : sessions.values())
        {
            CloseHelper.quietClose(session.publication);
        }
        sessions.clear();
        CloseHelper.quietClose(subscription);
        CloseHelper.quietClose(router);
        ctx.close();
    }

    long nextSessionId()
    {
        return nextSessionId++;
    }

    Long2ObjectHashMap<ServiceSession> sessions()
    {
        return sessions;
    }

    void awaitQueued(final String requestId, final QueuedWaiter waiter)
    {
        waiters.put(requestId, waiter);
    }

    boolean freeOnRouterThread(final String requestId)
    {
        final boolean freed = router.free(requestId);
        final QueuedWaiter waiter = waiters.remove(requestId);
        if (null != waiter)
        {
            waiter.onAnswer(null);
        }
        return freed;
    }

    private void onQueuedRouted(final String requestId, final RoutingDecision routed)
    {
        final QueuedWaiter waiter = waiters.remove(requestId);
        if (null != waiter)
        {
            waiter.onAnswer(routed);
        }
    }

    private void execute(final CompletableFuture<?> answer, final Runnable command)
    {
        if (closed)
        {
            answer.completeExceptionally(new IllegalStateException("router service closed"));
            return;
        }
        final Runnable guarded = () ->
        {
            if (closed)
            {
                answer.completeExceptionally(new IllegalStateException("router service closed"));
                return;
            }
            try
            {
                command.run();
            }
            catch (final RuntimeException ex)
            {
                answer.completeExceptionally(ex);
            }
        };
        if (!commands.offer(guarded))
        {
            answer.completeExceptionally(new IllegalStateException("router overloaded: " +
                ctx.commandQueueCapacity() + " calls waiting"));
        }
    }

    /**
     * {@code dump_events}: the approximate index as Stored events (nothing in kv mode with KV events, where the
     * indexer holds the state); call on the router thread, e.g. inside {@link #call}.
     *
     * @param router   the router.
     * @param listener told of each chain.
     * @return the number of events; 0 when the router keeps no approximate index.
     */
    public static long dumpEvents(final Router router, final DumpListener listener)
    {
        final ApproximateIndex approximate = router.approximateIndex();
        if (null == approximate)
        {
            return 0;
        }
        final long[] count = new long[1];
        approximate.index().dump((workerId, dpRank, hasParent, parent, engine, local, n) ->
        {
            count[0]++;
            listener.onStored(workerId, dpRank, hasParent, parent, engine, local, n);
        });
        return count[0];
    }

    static RouterStatus lifecycleStatus(final boolean known)
    {
        return known ? RouterStatus.OK : RouterStatus.UNKNOWN_REQUEST;
    }
}
