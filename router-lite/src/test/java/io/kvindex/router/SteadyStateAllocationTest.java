package io.kvindex.router;

import io.kvindex.index.OffHeapBlockIndex;
import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.kvindex.router.Prompts.store;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Once warm, routing, booking, marking prefill complete and freeing allocate nothing on the router's thread: kv mode
 * over an index in process, approximate mode (recording, expiry), and a load-only mode.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class SteadyStateAllocationTest
{
    private static final int PROMPTS = 64;
    private static final int IN_FLIGHT = 16;

    private final WorkerSet workers = new WorkerSet();
    private final CachedNanoClock clock = new CachedNanoClock();
    private final RoutingDecision decision = new RoutingDecision();
    private final RouteOverrides overrides = new RouteOverrides();
    private final OffHeapBlockIndex index = new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(1 << 14));
    private final int[][] prompts = new int[PROMPTS][];
    private final String[] ids = new String[IN_FLIGHT * 4];
    private Router router;

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(router, index);
    }

    @Test
    void shouldNotAllocateInKvMode()
    {
        setUp();
        for (int w = 1; w <= 8; w++)
        {
            store(index, w, 0, prompts[w], 8);
        }
        router = Router.launch(context(RouterMode.KV).overlapSource(new LocalIndexOverlapSource(index)));
        assertEquals(0, allocatedWhileRouting());
    }

    @Test
    void shouldNotAllocateInApproximateMode()
    {
        setUp();
        router = Router.launch(context(RouterMode.KV).kvEvents(false).maxTreeSize(800).ttlNs(30_000));
        assertEquals(0, allocatedWhileRouting());
        final ApproximateIndex approximate = router.approximateIndex();
        assertTrue(approximate.prunedCount() > 0 && approximate.expiredCount() > 0,
            () -> "pruned " + approximate.prunedCount() + ", expired " + approximate.expiredCount());
    }

    @Test
    void shouldNotAllocateInLeastLoadedMode()
    {
        setUp();
        router = Router.launch(context(RouterMode.LEAST_LOADED));
        assertEquals(0, allocatedWhileRouting());
    }

    private void setUp()
    {
        for (int w = 1; w <= 8; w++)
        {
            workers.add(Worker.of(w, 0));
        }
        final SplittableRandom random = new SplittableRandom(1);
        for (int p = 0; p < PROMPTS; p++)
        {
            prompts[p] = Prompts.withSuffix(p % 9, random.nextInt(12), 100 + p, 8 + random.nextInt(40));
        }
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = "request-" + i;
        }
    }

    /**
     * Bytes allocated in the quietest of four windows of 10,000 requests after a warm-up: a per-request allocation
     * would show in every window, while a table growing to a new high or a JIT deoptimisation shows in one.
     */
    private long allocatedWhileRouting()
    {
        route(40_000);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        long quietest = Long.MAX_VALUE;
        for (int window = 0; window < 4 && quietest > 0; window++)
        {
            final long before = threads.getThreadAllocatedBytes(threadId);
            route(10_000);
            quietest = Math.min(quietest, threads.getThreadAllocatedBytes(threadId) - before);
        }
        return quietest;
    }

    private void route(final int requests)
    {
        for (int i = 0; i < requests; i++)
        {
            clock.advance(1000);
            final int[] tokens = prompts[i % PROMPTS];
            overrides.reset();
            if (0 == (i & 7))
            {
                overrides.temperature(0.5);
            }
            router.bestWorker(tokens, tokens.length, overrides, ids[i % ids.length], decision);
            final String previous = ids[(i + ids.length - IN_FLIGHT / 2) % ids.length];
            router.markPrefillComplete(previous);
            router.free(ids[(i + ids.length - IN_FLIGHT) % ids.length]);
            router.doWork();
        }
    }

    private RouterContext context(final RouterMode mode)
    {
        return new RouterContext()
            .mode(mode)
            .blockSize(Prompts.BLOCK_SIZE)
            .workerSet(workers)
            .nanoClock(clock)
            .random(new SplittableRandom(9));
    }
}
