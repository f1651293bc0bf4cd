package io.kvindex.router;

import io.kvindex.index.OffHeapBlockIndex;
import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.kvindex.router.Prompts.prompt;
import static io.kvindex.router.Prompts.store;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The queue: with one worker whose {@code max_num_batched_tokens} is 10 and threshold 1.0, the worker is busy above 10
 * active prefill tokens; each released request books 12 or more, so requests come out one per prefill completion, in
 * the policy's order.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class RequestQueueTest
{
    private final WorkerSet workers =
        new WorkerSet().add(new Worker(1, 0, 1.0, null, 10)).add(new Worker(2, 0, 1.0, null, 10));
    private final CachedNanoClock clock = new CachedNanoClock();
    private final RoutingDecision decision = new RoutingDecision();
    private final RouteOverrides overrides = new RouteOverrides();
    private final List<String> released = new ArrayList<>();
    private final List<RoutingStatus> releasedStatus = new ArrayList<>();
    private final OffHeapBlockIndex index = new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(1024));
    private Router router;

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(router, index);
    }

    @Test
    void shouldReleaseFirstComeFirstServedWithPriorityAsHeadStart()
    {
        router = busyRouter(QueuePolicy.FCFS);
        queue("q1", 0, prompt(11, 3));
        queue("q2", 0, prompt(12, 3));
        queue("q3", 1.5, prompt(13, 3));
        queue("q4", 0, prompt(14, 3));
        assertEquals(4, router.pendingRequests());

        drain();

        // Keys: q1 0 - 1 = -1, q2 -2, q3 1.5 - 3 = -1.5, q4 -4.
        assertEquals(List.of("q1", "q3", "q2", "q4"), released);
        assertEquals(4, router.counters().get(RouterCounters.DEQUEUED));
    }

    @Test
    void shouldReleaseLastComeFirstServedIgnoringPriority()
    {
        router = busyRouter(QueuePolicy.LCFS);
        queue("q1", 5, prompt(11, 3));
        queue("q2", 0, prompt(12, 3));
        queue("q3", 0, prompt(13, 3));

        drain();

        assertEquals(List.of("q3", "q2", "q1"), released);
    }

    @Test
    void shouldReleaseByWeightedShortestPrefillFirst()
    {
        store(index, 1, 0, prompt(5, 10), 9);
        router = busyRouter(QueuePolicy.WSPT);
        queue("long", 0, prompt(11, 10));
        queue("short", 0, prompt(12, 3));
        queue("medium-priority", 1, prompt(13, 5));
        queue("longer-but-cached", 0, prompt(5, 13));

        drain();

        // Keys: 1 / 40, 1 / 12, 2 / 20 and, with 9 of 13 blocks cached, 1 / (52 - 36).
        assertEquals(List.of("medium-priority", "short", "longer-but-cached", "long"), released);
    }

    @Test
    void shouldDropAWaitingRequestWhenFreed()
    {
        router = busyRouter(QueuePolicy.FCFS);
        queue("q1", 0, prompt(11, 3));
        queue("q2", 0, prompt(12, 3));
        assertEquals(RoutingStatus.DUPLICATE_REQUEST, router.bestWorker(prompt(11, 3), 12, null, "q1", decision));

        assertTrue(router.free("q1"));
        drain();

        assertEquals(List.of("q2"), released);
        assertFalse(router.free("q1"));
    }

    @Test
    void shouldNotQueueProbesNorWithTheQueueOff()
    {
        router = busyRouter(QueuePolicy.FCFS);
        assertEquals(RoutingStatus.ROUTED, router.bestWorker(prompt(11, 3), 12, null, null, decision));
        router.close();

        router = Router.launch(context(QueuePolicy.FCFS).queueThreshold(-1));
        router.bestWorker(prompt(1, 11), 44, null, "big", decision);
        assertEquals(RoutingStatus.ROUTED, router.bestWorker(prompt(11, 3), 12, null, "q", decision));
        assertEquals(0, router.pendingRequests());
    }

    @Test
    void shouldTellTheListenerWhenAForcedWorkerLeftWhileWaiting()
    {
        workers.add(new Worker(2, 0, 1.0, null, 10));
        router = Router.launch(context(QueuePolicy.FCFS));
        router.bestWorker(prompt(1, 11), 44, overrides.reset().forceWorker(1, 0), "big1", decision);
        router.bestWorker(prompt(2, 11), 44, overrides.reset().forceWorker(2, 0), "big2", decision);
        assertEquals(RoutingStatus.QUEUED,
            router.bestWorker(prompt(11, 3), 12, overrides.reset().forceWorker(2, 0), "q", decision));

        workers.remove(2, 0);
        router.doWork();
        assertTrue(released.isEmpty());
        router.markPrefillComplete("big1");

        assertEquals(List.of("q"), released);
        assertEquals(List.of(RoutingStatus.UNKNOWN_WORKER), releasedStatus);
    }

    private Router busyRouter(final QueuePolicy policy)
    {
        workers.remove(2, 0);
        final Router busy = Router.launch(context(policy));
        assertEquals(RoutingStatus.ROUTED, busy.bestWorker(prompt(1, 11), 44, null, "big", decision));
        return busy;
    }

    private void queue(final String requestId, final double priority, final int[] tokens)
    {
        clock.advance(TimeUnit.SECONDS.toNanos(1));
        assertEquals(RoutingStatus.QUEUED,
            router.bestWorker(tokens, tokens.length, overrides.reset().priority(priority), requestId, decision));
    }

    private void drain()
    {
        String last = "big";
        for (int i = 0; i < 10 && router.pendingRequests() > 0; i++)
        {
            final int before = released.size();
            router.markPrefillComplete(last);
            assertEquals(before + 1, released.size(), "one request per completion");
            last = released.get(released.size() - 1);
        }
        assertEquals(0, router.pendingRequests());
    }

    private RouterContext context(final QueuePolicy policy)
    {
        return new RouterContext()
            .blockSize(Prompts.BLOCK_SIZE)
            .queuePolicy(policy)
            .queueThreshold(1.0)
            .overlapSource(new LocalIndexOverlapSource(index))
            .workerSet(workers)
            .nanoClock(clock)
            .random(new SplittableRandom(5))
            .routingListener((requestId, routed) ->
            {
                released.add(requestId);
                releasedStatus.add(routed.status());
                if (RoutingStatus.ROUTED == routed.status())
                {
                    assertTrue(routed.booked());
                }
            });
    }
}
