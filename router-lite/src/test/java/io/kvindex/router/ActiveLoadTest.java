package io.kvindex.router;

import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.kvindex.router.Prompts.prompt;
import static io.kvindex.router.Prompts.withSuffix;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request lifecycle with a fake clock: booking, prefill completion, free, expiry of requests never freed, and
 * {@code get_potential_loads}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class ActiveLoadTest
{
    private final WorkerSet workers = new WorkerSet().add(Worker.of(1, 0)).add(Worker.of(2, 0));
    private final CachedNanoClock clock = new CachedNanoClock();
    private final RoutingDecision decision = new RoutingDecision();
    private final RouteOverrides overrides = new RouteOverrides();
    private Router router;

    @AfterEach
    void after()
    {
        CloseHelper.close(router);
    }

    @Test
    void shouldReleasePrefillTokensThenBlocks()
    {
        router = Router.launch(context());
        router.bestWorker(prompt(1, 5, 3), 23, overrides.reset().forceWorker(1, 0), "a", decision);
        assertEquals(23, router.activePrefillTokens(1, 0));
        assertEquals(5, router.activeBlocks(1, 0));

        assertTrue(router.markPrefillComplete("a"));
        assertEquals(0, router.activePrefillTokens(1, 0));
        assertEquals(5, router.activeBlocks(1, 0));
        assertTrue(router.markPrefillComplete("a"), "twice is harmless");
        assertEquals(0, router.activePrefillTokens(1, 0));

        assertTrue(router.free("a"));
        assertEquals(0, router.activeBlocks(1, 0));
        assertEquals(0, router.activeRequests());
        assertFalse(router.free("a"));
        assertFalse(router.markPrefillComplete("never"));
        assertEquals(2, router.counters().get(RouterCounters.UNKNOWN_REQUESTS));
        assertEquals(1, router.counters().get(RouterCounters.FREED));
    }

    @Test
    void shouldCountBlocksSharedByRequestsOnceAndReleaseThemWithTheLast()
    {
        router = Router.launch(context());
        router.bestWorker(prompt(1, 6), 24, overrides.reset().forceWorker(1, 0), "a", decision);
        router.bestWorker(withSuffix(1, 4, 2, 7), 28, overrides.reset().forceWorker(1, 0), "b", decision);
        // 6 + 3 new blocks: the first 4 sequence hashes are shared.
        assertEquals(9, router.activeBlocks(1, 0));
        assertEquals(24 + 28, router.activePrefillTokens(1, 0));

        router.free("a");
        assertEquals(7, router.activeBlocks(1, 0));
        router.free("b");
        assertEquals(0, router.activeBlocks(1, 0));
        assertEquals(0, router.activePrefillTokens(1, 0));
    }

    @Test
    void shouldExpireRequestsNeverFreed()
    {
        router = Router.launch(context());
        router.bestWorker(prompt(1, 4), 16, overrides.reset().forceWorker(1, 0), "old", decision);
        clock.advance(TimeUnit.SECONDS.toNanos(200));
        router.bestWorker(prompt(2, 4), 16, overrides.reset().forceWorker(1, 0), "young", decision);
        assertEquals(8, router.activeBlocks(1, 0));

        clock.advance(TimeUnit.SECONDS.toNanos(100) - 1);
        router.doWork();
        assertEquals(2, router.activeRequests());

        clock.advance(1);
        router.doWork();
        assertEquals(1, router.activeRequests());
        assertEquals(4, router.activeBlocks(1, 0));
        assertEquals(16, router.activePrefillTokens(1, 0));
        assertEquals(1, router.counters().get(RouterCounters.EXPIRED));
        assertFalse(router.free("old"));

        clock.advance(TimeUnit.SECONDS.toNanos(200));
        router.bestWorker(prompt(3, 1), 4, null, null, decision);
        assertEquals(0, router.activeRequests(), "expiry also runs on each call");
        assertEquals(0, router.activeBlocks(1, 0));
    }

    @Test
    void shouldExpireAfterAConfiguredTime()
    {
        router = Router.launch(context().requestExpiryNs(TimeUnit.SECONDS.toNanos(5)));
        router.bestWorker(prompt(1, 4), 16, null, "a", decision);
        clock.advance(TimeUnit.SECONDS.toNanos(5));
        router.doWork();
        assertEquals(0, router.activeRequests());
    }

    @Test
    void shouldReportPotentialLoads()
    {
        router = Router.launch(context());
        router.bestWorker(prompt(1, 6), 24, overrides.reset().forceWorker(1, 0), "a", decision);
        router.markPrefillComplete("a");
        router.bestWorker(prompt(2, 2), 8, overrides.reset().forceWorker(2, 0), "b", decision);
        final PotentialLoads loads = new PotentialLoads();

        router.potentialLoads(withSuffix(1, 4, 3, 8), 34, null, loads);

        // No index (weight 0): prefill is active + the whole prompt; decode is active + new blocks.
        assertEquals(2, loads.size());
        assertEquals(1, loads.workerId(0));
        assertEquals(34, loads.potentialPrefillTokens(0));
        assertEquals(6 + 4, loads.potentialDecodeBlocks(0));
        assertEquals(2, loads.workerId(1));
        assertEquals(8 + 34, loads.potentialPrefillTokens(1));
        assertEquals(2 + 8, loads.potentialDecodeBlocks(1));
        assertEquals(2, router.activeRequests(), "nothing booked");
    }

    private RouterContext context()
    {
        return new RouterContext()
            .blockSize(Prompts.BLOCK_SIZE)
            .overlapScoreWeight(0)
            .workerSet(workers)
            .nanoClock(clock)
            .random(new SplittableRandom(3));
    }
}
