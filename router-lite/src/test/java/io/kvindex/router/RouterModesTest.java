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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every router mode, runtime worker changes, and the equivalence of kv mode with overlap weight 0 and least-loaded
 * over a randomized workload.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class RouterModesTest
{
    private final WorkerSet workers = new WorkerSet().add(Worker.of(1, 0)).add(Worker.of(2, 0)).add(Worker.of(3, 0));
    private final RoutingDecision decision = new RoutingDecision();
    private final RouteOverrides overrides = new RouteOverrides();
    private final List<Router> routers = new ArrayList<>();

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(routers);
    }

    @Test
    void shouldTakeWorkersInTurnAndFollowWorkerChanges()
    {
        final Router router = launch(context(RouterMode.ROUND_ROBIN, 1));
        final int[] tokens = prompt(1, 3);

        for (int i = 0; i < 6; i++)
        {
            router.bestWorker(tokens, tokens.length, null, "r" + i, decision);
            assertEquals(1 + i % 3, decision.workerId());
        }
        assertEquals(6, router.activeRequests());

        workers.remove(2, 0);
        for (int i = 0; i < 4; i++)
        {
            router.bestWorker(tokens, tokens.length, null, null, decision);
            assertNotEquals(2, decision.workerId(), "a removed worker gets no more traffic");
        }
        workers.add(Worker.of(5, 0));
        boolean sawNew = false;
        for (int i = 0; i < 3; i++)
        {
            router.bestWorker(tokens, tokens.length, null, null, decision);
            sawNew |= 5 == decision.workerId();
        }
        assertTrue(sawNew);
        assertTrue(router.free("r1"), "a removed worker's bookings can still be freed");
        assertEquals(3, router.activeBlocks(2, 0));
        assertTrue(router.free("r4"));
        assertEquals(0, router.activeBlocks(2, 0));
    }

    @Test
    void shouldDrawWorkersUniformlyAtRandom()
    {
        final Router router = launch(context(RouterMode.RANDOM, 3));
        final int[] counts = new int[4];
        final int samples = 6000;
        for (int i = 0; i < samples; i++)
        {
            router.bestWorker(prompt(1, 2), 8, null, null, decision);
            counts[(int)decision.workerId()]++;
        }
        double chiSquare = 0;
        for (int w = 1; w <= 3; w++)
        {
            final double e = samples / 3.0;
            chiSquare += (counts[w] - e) * (counts[w] - e) / e;
        }
        assertTrue(chiSquare < 13.82, "chi-square " + chiSquare);
        assertFalse(decision.queried());
    }

    @Test
    void shouldPickTheWorkerWithFewestDecodeBlocks()
    {
        final Router router = launch(context(RouterMode.LEAST_LOADED, 1));
        router.bestWorker(prompt(10, 5), 20, overrides.reset().forceWorker(1, 0), "a", decision);
        router.bestWorker(prompt(11, 3), 12, overrides.reset().forceWorker(2, 0), "b", decision);

        router.bestWorker(prompt(12, 4), 16, null, "c", decision);
        // Decode blocks: 5 + 4, 3 + 4, 0 + 4.
        assertEquals(3, decision.workerId());
        assertEquals(4, decision.candidateDecodeBlocks(2));

        // A prompt extending worker 1's active request adds 1 block there: 5 + 1 = 6 against 3 + 6 and 4 + 6.
        router.bestWorker(prompt(10, 6), 24, null, null, decision);
        assertEquals(1, decision.workerId());
    }

    @Test
    void shouldCompareLoadRelativeToWorkerWeight()
    {
        workers.replaceAll(List.of(
            new Worker(1, 0, 1.0, "http://127.0.0.1:1", Worker.DEFAULT_MAX_NUM_BATCHED_TOKENS),
            new Worker(2, 0, 3.0, "http://127.0.0.1:2", Worker.DEFAULT_MAX_NUM_BATCHED_TOKENS)));
        final Router router = launch(context(RouterMode.DEVICE_AWARE_WEIGHTED, 1));

        for (int i = 0; i < 40; i++)
        {
            router.bestWorker(prompt(100 + i, 1), 4, null, "r" + i, decision);
        }

        assertEquals(10, router.activeBlocks(1, 0), 1);
        assertEquals(30, router.activeBlocks(2, 0), 1);
        assertEquals("http://127.0.0.1:2", workers.find(2, 0).url());
    }

    @Test
    void shouldStopRoutingToARemovedWorkerAtOnceInKvMode()
    {
        try (OffHeapBlockIndex index = new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(1024)))
        {
            store(index, 1, 0, prompt(7, 8), 8);
            final Router router = launch(context(RouterMode.KV, 1).overlapScoreWeight(1.0)
                .overlapSource(new LocalIndexOverlapSource(index)));
            router.bestWorker(prompt(7, 8), 32, null, "a", decision);
            assertEquals(1, decision.workerId());

            workers.remove(1);
            router.bestWorker(prompt(7, 8), 32, null, "b", decision);

            assertNotEquals(1, decision.workerId());
            assertEquals(2, decision.candidateCount());
            assertTrue(router.free("a"));
            assertEquals(0, router.activeBlocks(1, 0));
        }
    }

    @Test
    void shouldRefuseWithoutWorkersAndDuplicateRequestIds()
    {
        final Router router = launch(context(RouterMode.ROUND_ROBIN, 1));
        assertEquals(RoutingStatus.ROUTED, router.bestWorker(prompt(1, 2), 8, null, "a", decision));
        assertEquals(RoutingStatus.DUPLICATE_REQUEST, router.bestWorker(prompt(1, 2), 8, null, "a", decision));
        workers.replaceAll(List.of());
        assertEquals(RoutingStatus.NO_WORKERS, router.bestWorker(prompt(1, 2), 8, null, "b", decision));
        assertEquals(2, router.counters().get(RouterCounters.REFUSED));
        assertEquals(1, router.activeRequests());
    }

    @Test
    void shouldParseDynamoModeNames()
    {
        assertEquals(RouterMode.DEVICE_AWARE_WEIGHTED, RouterMode.fromName("device-aware-weighted"));
        assertEquals(RouterMode.ROUND_ROBIN, RouterMode.fromName("ROUND_ROBIN"));
        assertEquals(QueuePolicy.WSPT, QueuePolicy.fromName("wspt"));
        assertThrows(IllegalArgumentException.class, () -> RouterMode.fromName("power-of-two"));
        assertThrows(IllegalStateException.class, () -> Router.launch(new RouterContext().mode(RouterMode.KV)),
            "kv mode with events and a weight needs an overlap source");
    }

    @Test
    void shouldChooseAsLeastLoadedInKvModeWithWeightZero()
    {
        final Router kv = launch(context(RouterMode.KV, 2024).overlapScoreWeight(0));
        final Router leastLoaded = launch(context(RouterMode.LEAST_LOADED, 2024));
        final RoutingDecision other = new RoutingDecision();
        final SplittableRandom random = new SplittableRandom(99);
        final List<String> active = new ArrayList<>();
        int routed = 0;
        for (int step = 0; step < 5000; step++)
        {
            final int op = random.nextInt(10);
            if (op < 6 || active.isEmpty())
            {
                final int[] tokens = prompt(random.nextInt(8), 1 + random.nextInt(12), random.nextInt(4));
                final String id = random.nextInt(5) == 0 ? null : "r" + step;
                kv.bestWorker(tokens, tokens.length, null, id, decision);
                leastLoaded.bestWorker(tokens, tokens.length, null, id, other);
                assertEquals(other.workerId(), decision.workerId(), "step " + step);
                routed++;
                if (null != id)
                {
                    active.add(id);
                }
            }
            else
            {
                final String id = active.get(random.nextInt(active.size()));
                if (op < 8)
                {
                    active.remove(id);
                    assertTrue(kv.free(id));
                    assertTrue(leastLoaded.free(id));
                }
                else
                {
                    kv.markPrefillComplete(id);
                    leastLoaded.markPrefillComplete(id);
                }
            }
        }
        assertTrue(routed > 2500);
        for (int w = 1; w <= 3; w++)
        {
            assertEquals(leastLoaded.activeBlocks(w, 0), kv.activeBlocks(w, 0));
            assertEquals(leastLoaded.activePrefillTokens(w, 0), kv.activePrefillTokens(w, 0));
        }
    }

    private Router launch(final RouterContext ctx)
    {
        final Router router = Router.launch(ctx);
        routers.add(router);
        return router;
    }

    private RouterContext context(final RouterMode mode, final long seed)
    {
        return new RouterContext()
            .mode(mode)
            .blockSize(Prompts.BLOCK_SIZE)
            .workerSet(workers)
            .nanoClock(new CachedNanoClock())
            .random(new SplittableRandom(seed));
    }
}
