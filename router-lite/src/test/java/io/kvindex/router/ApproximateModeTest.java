package io.kvindex.router;

import io.kvindex.index.OverlapScores;
import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.kvindex.router.Prompts.localHashes;
import static io.kvindex.router.Prompts.prompt;
import static io.kvindex.router.Prompts.sequenceHashes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Approximate mode ({@code --no-router-kv-events}): decisions recorded as the chosen worker's chain, blocks expiring
 * after the TTL, and pruning to the target ratio earliest expiry first, deepest block first among equal expiries.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class ApproximateModeTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final WorkerSet workers = new WorkerSet().add(Worker.of(1, 0)).add(Worker.of(2, 0)).add(Worker.of(3, 0));
    private final CachedNanoClock clock = new CachedNanoClock();
    private final RoutingDecision decision = new RoutingDecision();
    private final OverlapScores scores = new OverlapScores(16);
    private Router router;
    private ApproximateIndex index;

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(router, index);
    }

    @Test
    void shouldRouteToTheWorkerItSentThePrefixToUntilTheTtl()
    {
        router = Router.launch(context());
        router.bestWorker(prompt(7, 8), 32, null, null, decision);
        router.bestWorker(prompt(7, 8), 32, null, null, decision);
        assertEquals(0, decision.overlapBlocks(), "query-only calls record nothing");

        router.bestWorker(prompt(7, 8), 32, null, "a", decision);
        final long chosen = decision.workerId();
        router.free("a");
        clock.advance(119 * SECOND);

        router.bestWorker(prompt(7, 10), 40, null, null, decision);
        assertEquals(chosen, decision.workerId());
        assertEquals(8, decision.overlapBlocks());
        assertEquals(8, router.approximateIndex().treeSize());

        clock.advance(SECOND);
        router.bestWorker(prompt(7, 10), 40, null, null, decision);
        assertEquals(0, decision.overlapBlocks());
        assertEquals(0, router.approximateIndex().treeSize());
        assertEquals(8, router.approximateIndex().expiredCount());
    }

    @Test
    void shouldRefreshTheTtlOnEveryDecisionThroughAPrefix()
    {
        router = Router.launch(context());
        router.bestWorker(prompt(7, 6), 24, null, "a", decision);
        final long chosen = decision.workerId();
        router.free("a");
        clock.advance(60 * SECOND);
        router.bestWorker(prompt(7, 3), 12, null, "b", decision);
        assertEquals(chosen, decision.workerId());

        clock.advance(60 * SECOND);
        router.doWork();
        router.bestWorker(prompt(7, 6), 24, null, null, decision);
        assertEquals(3, decision.overlapBlocks(), "blocks 3 to 5 expired at 120 s, blocks 0 to 2 live until 180 s");

        clock.advance(60 * SECOND);
        router.doWork();
        assertEquals(0, router.approximateIndex().treeSize());
    }

    @Test
    void shouldForgetARemovedWorkersBlocks()
    {
        router = Router.launch(context());
        router.bestWorker(prompt(7, 6), 24, null, "a", decision);
        final long chosen = decision.workerId();

        workers.remove(chosen);
        router.bestWorker(prompt(7, 6), 24, null, null, decision);

        assertEquals(0, decision.overlapBlocks());
        assertEquals(0, router.approximateIndex().treeSize());
        assertEquals(0, router.approximateIndex().treeSize(chosen, 0));
    }

    @Test
    void shouldPruneEarliestExpiryFirst()
    {
        index = new ApproximateIndex(100 * SECOND, 20, 0.5, 16);
        record(1, prompt(1, 8), 0);
        record(2, prompt(2, 8), SECOND);
        assertEquals(16, index.treeSize());

        record(3, prompt(3, 8), 2 * SECOND);

        // 24 > 20: down to 10. Worker 1's chain expires first (8 pairs), then worker 2's deepest 6.
        assertEquals(10, index.treeSize());
        assertEquals(14, index.prunedCount());
        assertEquals(0, matched(1, prompt(1, 8)));
        assertEquals(2, matched(2, prompt(2, 8)));
        assertEquals(8, matched(3, prompt(3, 8)));
    }

    @Test
    void shouldPruneDeepestFirstAmongEqualExpiries()
    {
        index = new ApproximateIndex(100 * SECOND, 10, 0.5, 16);

        record(1, prompt(1, 12), 0);

        assertEquals(5, index.treeSize());
        assertEquals(5, matched(1, prompt(1, 12)));
    }

    @Test
    void shouldCountEveryOwnersPairsAsTreeSize()
    {
        index = new ApproximateIndex(100 * SECOND, 10, 0.8, 16);
        record(1, prompt(1, 5), 0);
        record(2, prompt(1, 5), SECOND);
        assertEquals(10, index.treeSize());

        record(3, prompt(1, 1), 2 * SECOND);

        // 11 > 10: down to 8, so worker 1's blocks 4, 3 and 2 go (earliest expiry, deepest first).
        assertEquals(8, index.treeSize());
        assertEquals(2, matched(1, prompt(1, 5)));
        assertEquals(5, matched(2, prompt(1, 5)));
    }

    @Test
    void shouldExpireAtTheTtlAndKeepRefreshedBlocks()
    {
        index = new ApproximateIndex(10 * SECOND, 1000, 0.8, 16);
        record(1, prompt(1, 6), 0);
        record(1, prompt(1, 3), 5 * SECOND);

        assertEquals(0, index.expire(10 * SECOND - 1));
        assertEquals(3, index.expire(10 * SECOND));
        assertEquals(3, matched(1, prompt(1, 6)));
        assertEquals(3, index.expire(15 * SECOND));
        assertEquals(0, index.treeSize());
    }

    @Test
    void shouldStayCorrectWhenStaleHeapEntriesAreCompacted()
    {
        index = new ApproximateIndex(SECOND, 1000, 0.8, 16);
        long now = 0;
        for (int i = 0; i < 2000; i++)
        {
            now += 1000;
            record(1 + i % 2, prompt(1, 8), now);
        }
        assertEquals(16, index.treeSize());
        assertEquals(0, index.expire(now + SECOND - 1001));
        assertEquals(8, matched(2, prompt(1, 8)));
        assertEquals(8, index.expire(now + SECOND - 1000));
        assertEquals(0, matched(1, prompt(1, 8)));
        assertEquals(8, matched(2, prompt(1, 8)));
        assertEquals(8, index.expire(now + SECOND));
        assertEquals(0, index.treeSize());
    }

    private void record(final long workerId, final int[] tokens, final long nowNs)
    {
        final long[] local = localHashes(tokens);
        index.record(workerId, 0, sequenceHashes(tokens), local, local.length, nowNs);
    }

    private int matched(final long workerId, final int[] tokens)
    {
        final long[] local = localHashes(tokens);
        index.findMatches(local, local.length, scores);
        return scores.matchedBlocks(workerId, 0);
    }

    private RouterContext context()
    {
        final RouterContext ctx = new RouterContext()
            .blockSize(Prompts.BLOCK_SIZE)
            .kvEvents(false)
            .maxTreeSize(1 << 12)
            .workerSet(workers)
            .nanoClock(clock)
            .random(new SplittableRandom(11));
        assertFalse(ctx.kvEvents());
        assertNotNull(ctx.workerSet());
        return ctx;
    }
}
