package io.kvindex.router;

import io.kvindex.index.OffHeapBlockIndex;
import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.kvindex.router.Prompts.prompt;
import static io.kvindex.router.Prompts.store;
import static io.kvindex.router.Prompts.withSuffix;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kv cost function against worked examples (block size 4): worker 1 holds 6 leading blocks of prompt family 7,
 * worker 2 holds 2, worker 3 none; numbers in the comments are computed by hand from spec/dynamo-compat.md section 4.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class CostFunctionTest
{
    private static final double EXACT = 1e-9;

    private final OffHeapBlockIndex index =
        new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(1 << 12).maxOwners(64));
    private final CachedNanoClock clock = new CachedNanoClock();
    private final WorkerSet workers = new WorkerSet();
    private final RoutingDecision decision = new RoutingDecision();
    private final RouteOverrides overrides = new RouteOverrides();
    private Router router;

    @BeforeEach
    void before()
    {
        workers.add(Worker.of(1, 0)).add(Worker.of(2, 0)).add(Worker.of(3, 0));
    }

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(router, index);
    }

    @Test
    void shouldScoreEveryWorkerAsTheFormula()
    {
        cache61And22();
        router = Router.launch(context(1));

        assertEquals(RoutingStatus.ROUTED, router.bestWorker(prompt(7, 10, 2), 42, null, null, decision));

        // isl 42: prefill tokens 42 - 6 * 4 = 18, 42 - 8 = 34, 42; decode blocks 0 + 10 each.
        assertCandidate(0, 1, 6, 4.5, 10, 14.5);
        assertCandidate(1, 2, 2, 8.5, 10, 18.5);
        assertCandidate(2, 3, 0, 10.5, 10, 20.5);
        assertEquals(1, decision.workerId());
        assertEquals(6, decision.overlapBlocks());
        assertEquals(14.5, decision.logit(), EXACT);
        assertTrue(decision.queried());
        assertFalse(decision.fellBack());
        assertFalse(decision.booked());
        assertEquals(0, router.activeRequests());
    }

    @Test
    void shouldExplainEachWorkerOnOneLine()
    {
        cache61And22();
        router = Router.launch(context(1));

        final String explanation = router.explain(prompt(7, 10, 2), 42, null);

        assertEquals("mode kv, weight 1.0, temperature 0.0, isl 42 tokens, 10 blocks\n" +
            "worker 1: 14.5 = 1.0 × 4.5 + 10.0 (cached blocks 6)\n" +
            "worker 2: 18.5 = 1.0 × 8.5 + 10.0 (cached blocks 2)\n" +
            "worker 3: 20.5 = 1.0 × 10.5 + 10.0 (cached blocks 0)\n" +
            "ROUTED: worker 1", explanation);
    }

    @Test
    void shouldCountBookedLoadAndSharedBlocksOnce()
    {
        cache61And22();
        router = Router.launch(context(1));
        router.bestWorker(prompt(7, 10, 2), 42, null, "a", decision);
        assertEquals(1, decision.workerId());
        assertTrue(decision.booked());
        assertEquals(18, router.activePrefillTokens(1, 0));
        assertEquals(10, router.activeBlocks(1, 0));

        // Prompt B: 4 blocks of family 7, then 4 of family 8; isl 32. Overlaps 4, 2, 0.
        router.bestWorker(withSuffix(7, 4, 8, 8), 32, null, null, decision);

        // w1: prefill 18 + (32 - 16) = 34 -> 8.5; decode 10 active + 4 new (4 of B's blocks are active) = 14.
        assertCandidate(0, 1, 4, 8.5, 14, 22.5);
        // w2: prefill 32 - 8 = 24 -> 6; decode 8. w3: 32 -> 8; decode 8.
        assertCandidate(1, 2, 2, 6.0, 8, 14.0);
        assertCandidate(2, 3, 0, 8.0, 8, 16.0);
        assertEquals(2, decision.workerId());
    }

    @Test
    void shouldApplyPerRequestWeight()
    {
        cache61And22();
        router = Router.launch(context(1));
        // Decode load of 6 blocks on worker 1: a forced booking of another family, prefill done.
        router.bestWorker(prompt(50, 6), 24, overrides.reset().forceWorker(1, 0), "load", decision);
        router.markPrefillComplete("load");
        final int[] tokens = prompt(7, 10, 2);

        router.bestWorker(tokens, 42, null, null, decision);
        // w1 4.5 + 16 = 20.5, w2 8.5 + 10 = 18.5, w3 10.5 + 10 = 20.5.
        assertEquals(2, decision.workerId());
        assertEquals(20.5, decision.candidateLogit(0), EXACT);

        router.bestWorker(tokens, 42, overrides.reset().overlapScoreWeight(2.0), null, decision);
        // w1 9 + 16 = 25, w2 17 + 10 = 27, w3 21 + 10 = 31.
        assertEquals(1, decision.workerId());
        assertEquals(25.0, decision.candidateLogit(0), EXACT);
        assertEquals(27.0, decision.candidateLogit(1), EXACT);
        assertEquals(31.0, decision.candidateLogit(2), EXACT);

        router.bestWorker(tokens, 42, overrides.reset().overlapScoreWeight(0.5), null, decision);
        // w1 2.25 + 16 = 18.25, w2 4.25 + 10 = 14.25, w3 5.25 + 10 = 15.25.
        assertEquals(2, decision.workerId());
        assertEquals(18.25, decision.candidateLogit(0), EXACT);
        assertEquals(0.5, decision.overlapScoreWeight(), EXACT);
    }

    @Test
    void shouldNotQueryTheIndexWithWeightZero()
    {
        cache61And22();
        router = Router.launch(context(1));

        router.bestWorker(prompt(7, 10, 2), 42, overrides.reset().overlapScoreWeight(0), null, decision);

        assertFalse(decision.queried());
        for (int i = 0; i < 3; i++)
        {
            assertEquals(0, decision.candidateOverlapBlocks(i));
            assertEquals(10.0, decision.candidateLogit(i), EXACT);
        }
    }

    @Test
    void shouldBreakTiesBySmallerTreeSize()
    {
        store(index, 1, 0, prompt(7, 10), 6);
        store(index, 2, 0, prompt(7, 10), 6);
        store(index, 2, 0, prompt(9, 5), 5);
        for (int seed = 0; seed < 50; seed++)
        {
            router = Router.launch(context(seed));
            router.bestWorker(prompt(7, 10), 40, null, null, decision);
            // w1 and w2: (40 - 24) / 4 + 10 = 14; trees 6 and 11. w3: 10 + 10 = 20.
            assertEquals(14.0, decision.candidateLogit(0), EXACT);
            assertEquals(14.0, decision.candidateLogit(1), EXACT);
            assertEquals(11, decision.candidateTreeSize(1));
            assertEquals(1, decision.workerId(), "seed " + seed);
            router.close();
        }
    }

    @Test
    void shouldBreakRemainingTiesAtRandom()
    {
        store(index, 1, 0, prompt(7, 10), 6);
        store(index, 2, 0, prompt(7, 10), 6);
        router = Router.launch(context(42));
        final int[] chosen = new int[4];
        for (int i = 0; i < 400; i++)
        {
            router.bestWorker(prompt(7, 10), 40, null, null, decision);
            chosen[(int)decision.workerId()]++;
        }
        assertEquals(400, chosen[1] + chosen[2]);
        assertTrue(chosen[1] > 150 && chosen[2] > 150, chosen[1] + " / " + chosen[2]);
    }

    @Test
    void shouldBookAForcedWorkerWithItsOwnOverlap()
    {
        cache61And22();
        router = Router.launch(context(1));

        router.bestWorker(prompt(7, 10, 2), 42, overrides.reset().forceWorker(3, 0), "f3", decision);
        assertEquals(RoutingStatus.ROUTED, decision.status());
        assertTrue(decision.forced());
        assertEquals(3, decision.workerId());
        assertEquals(0, decision.overlapBlocks());
        assertEquals(20.5, decision.logit(), EXACT);
        assertEquals(42, router.activePrefillTokens(3, 0));
        assertEquals(10, router.activeBlocks(3, 0));

        router.bestWorker(prompt(7, 10, 2), 42, overrides.reset().forceWorker(1, 0), "f1", decision);
        assertEquals(6, decision.overlapBlocks());
        assertEquals(18, router.activePrefillTokens(1, 0));

        assertEquals(RoutingStatus.UNKNOWN_WORKER,
            router.bestWorker(prompt(7, 10), 40, overrides.reset().forceWorker(99, 0), "f99", decision));
        assertEquals(2, router.activeRequests());
    }

    @Test
    void shouldRouteOnPrefillAloneWithoutActiveBlockTracking()
    {
        cache61And22();
        router = Router.launch(context(1).trackActiveBlocks(false));

        router.bestWorker(prompt(7, 10, 2), 42, null, "p", decision);

        assertCandidate(0, 1, 6, 4.5, 0, 4.5);
        assertCandidate(2, 3, 0, 10.5, 0, 10.5);
        assertEquals(1, decision.workerId());
        assertEquals(0, router.activeBlocks(1, 0));
        assertEquals(18, router.activePrefillTokens(1, 0));
    }

    @Test
    void shouldRouteOnDecodeBlocksAloneWithoutPrefillTracking()
    {
        cache61And22();
        router = Router.launch(context(1).trackPrefillTokens(false));

        router.bestWorker(prompt(7, 10, 2), 42, null, "d", decision);

        // Every logit is 1.0 * 0 + 10; tree sizes 6, 2 and 0 (worker 3 matched nothing): worker 3 wins the tie.
        assertCandidate(0, 1, 6, 0, 10, 10);
        assertCandidate(2, 3, 0, 0, 10, 10);
        assertEquals(3, decision.workerId());
        assertEquals(0, router.activePrefillTokens(3, 0));
        assertEquals(10, router.activeBlocks(3, 0));
    }

    @Test
    void shouldScoreDpRanksAsSeparateCandidates()
    {
        workers.replaceAll(java.util.List.of(Worker.of(4, 0), Worker.of(4, 1)));
        store(index, 4, 1, prompt(7, 10), 3);
        router = Router.launch(context(1));

        router.bestWorker(prompt(7, 10), 40, null, null, decision);

        assertEquals(4, decision.workerId());
        assertEquals(1, decision.dpRank());
        assertEquals(3, decision.overlapBlocks());
        assertTrue(decision.explanation().contains("worker 4 dp 1: 17.0 = 1.0 × 7.0 + 10.0 (cached blocks 3)"),
            decision.explanation());
    }

    private void cache61And22()
    {
        store(index, 1, 0, prompt(7, 10), 6);
        store(index, 2, 0, prompt(7, 10), 2);
    }

    private RouterContext context(final long seed)
    {
        return new RouterContext()
            .blockSize(Prompts.BLOCK_SIZE)
            .workerSet(workers)
            .overlapSource(new LocalIndexOverlapSource(index))
            .nanoClock(clock)
            .random(new SplittableRandom(seed));
    }

    private void assertCandidate(
        final int i,
        final long workerId,
        final int overlap,
        final double prefillBlocks,
        final long decodeBlocks,
        final double logit)
    {
        assertEquals(workerId, decision.candidateWorkerId(i));
        assertEquals(overlap, decision.candidateOverlapBlocks(i), "overlap of worker " + workerId);
        assertEquals(prefillBlocks, decision.candidatePrefillBlocks(i), EXACT, "prefill of worker " + workerId);
        assertEquals(decodeBlocks, decision.candidateDecodeBlocks(i), "decode of worker " + workerId);
        assertEquals(logit, decision.candidateLogit(i), EXACT, "logit of worker " + workerId);
    }
}
