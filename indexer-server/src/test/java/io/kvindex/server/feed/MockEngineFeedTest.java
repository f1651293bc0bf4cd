package io.kvindex.server.feed;

import io.kvindex.client.BlockHasher;
import io.kvindex.index.EventStatus;
import io.kvindex.index.EventType;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.index.OverlapScores;
import io.kvindex.mockengine.EngineSimulation;
import io.kvindex.mockengine.EventFormat;
import io.kvindex.mockengine.HashFormat;
import io.kvindex.mockengine.MockEngine;
import io.kvindex.mockengine.MockEngineContext;
import io.kvindex.mockengine.Prompt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.ZContext;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A mock engine publishing over real ZMQ on 127.0.0.1 into the real feed, decoder and applier and the off-heap
 * index: after a workload with evictions and overlapping requests on two ranks, the index holds exactly the blocks
 * the engine caches, and its answer for every prompt is the prefix each rank has cached.
 */
@Timeout(120)
class MockEngineFeedTest
{
    private static final int BS = 4;
    private static final long WORKER = 77;
    private static final int RANKS = 2;
    private static final long JOIN_WAIT_NS = TimeUnit.SECONDS.toNanos(2);

    @Test
    void shouldIndexExactlyWhatTheMockEngineCachesInEveryEncoding() throws Exception
    {
        verify(EventFormat.MAP, HashFormat.UINT64, 1);
        verify(EventFormat.ARRAY, HashFormat.INT64, 2);
    }

    private static void verify(final EventFormat format, final HashFormat hashes, final long seed) throws Exception
    {
        final MockEngineContext ctx = new MockEngineContext().pubEndpoint("tcp://127.0.0.1:0").replayEndpoint(null)
            .httpPort(-1).blockSize(BS).capacityBlocks(96).dpRanks(RANKS).eventFormat(format).hashFormat(hashes)
            .prefillUsPerToken(50).decodeUsPerToken(200).timeScale(0.01);
        try (MockEngine engine = MockEngine.launch(ctx);
            ZContext context = new ZContext(1);
            OffHeapBlockIndex index = new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(4096)))
        {
            final ZmqEngineFeed[] feeds = new ZmqEngineFeed[RANKS];
            for (int rank = 0; rank < RANKS; rank++)
            {
                feeds[rank] = join(context, engine, index, rank);
            }
            try
            {
                final List<int[]> prompts = submitWorkload(engine, new Random(seed));
                for (int rank = 0; rank < RANKS; rank++)
                {
                    final ZmqEngineFeed feed = feeds[rank];
                    final int r = rank;
                    final long lastSeq = engine.query((simulation) -> simulation.nextSeq(r)).get() - 1;
                    assertTrue(lastSeq > 20, "batches published on rank " + rank + ": " + (lastSeq + 1));
                    await(() -> feed.doWork() >= 0 && feed.lastSeq() == lastSeq, "feed of rank " + rank + " behind");
                    assertEquals(0, feed.seqGaps());
                    assertEquals(0, feed.malformedFrames());
                    assertEquals(lastSeq + 1, feed.decoder().batchCount(DecodeStatus.OK));
                    assertEquals(0, feed.applier().outcomeCount(EngineEventApplier.UNDECODED));
                    assertEquals(0, feed.applier().outcomeCount(EngineEventApplier.DUPLICATE_HASH));
                    assertEquals(0, feed.applier().indexCounters().get(EventType.STORED,
                        EventStatus.PARENT_BLOCK_NOT_FOUND));
                    assertEquals(0, feed.applier().indexCounters().get(EventType.REMOVED,
                        EventStatus.BLOCK_NOT_FOUND));
                }
                assertIndexEqualsEngine(engine, index, prompts);
            }
            finally
            {
                for (final ZmqEngineFeed feed : feeds)
                {
                    feed.close();
                }
            }
        }
    }

    private static List<int[]> submitWorkload(final MockEngine engine, final Random random) throws Exception
    {
        final List<int[]> prompts = new ArrayList<>();
        final List<CompletableFuture<?>> admissions = new ArrayList<>();
        for (int i = 0; i < 600; i++)
        {
            final int system = random.nextInt(3);
            final int conversation = random.nextInt(40);
            final int turns = 1 + random.nextInt(5);
            final int[] prompt = new int[(2 + 2 * turns) * BS + random.nextInt(BS)];
            for (int t = 0; t < prompt.length; t++)
            {
                prompt[t] = t < 2 * BS ? 1000 * system + t : 100_000 + 1000 * conversation + t;
            }
            prompts.add(prompt);
            admissions.add(engine.submit(Prompt.ofTokens(prompt), 1 + random.nextInt(30), random.nextInt(RANKS)));
        }
        for (final CompletableFuture<?> admission : admissions)
        {
            admission.get(30, TimeUnit.SECONDS);
        }
        await(() -> 0 == engine.query(EngineSimulation::runningRequests).join(), "requests never finished");
        assertTrue(engine.query(EngineSimulation::evictedBlocks).get() > 200, "the workload evicts");
        return prompts;
    }

    private static void assertIndexEqualsEngine(
        final MockEngine engine, final OffHeapBlockIndex index, final List<int[]> prompts) throws Exception
    {
        final Map<Integer, Set<Long>> indexed = new HashMap<>();
        index.dump((workerId, dpRank, hasParent, parent, engineHashes, localHashes, count) ->
        {
            assertEquals(WORKER, workerId);
            for (int i = 0; i < count; i++)
            {
                indexed.computeIfAbsent(dpRank, (r) -> new HashSet<>()).add(engineHashes[i]);
            }
        });
        for (int rank = 0; rank < RANKS; rank++)
        {
            final int r = rank;
            final long[] cached = engine.query((simulation) -> simulation.cachedHashes(r)).get();
            final Set<Long> expected = new HashSet<>();
            for (final long hash : cached)
            {
                expected.add(hash);
            }
            assertEquals(expected, indexed.getOrDefault(rank, Set.of()), "blocks of rank " + rank);
            assertEquals(cached.length, index.treeSize(WORKER, rank));
        }

        final BlockHasher hasher = new BlockHasher(BS);
        final OverlapScores scores = new OverlapScores(16);
        int hits = 0;
        for (final int[] prompt : prompts)
        {
            final long[] local = new long[prompt.length / BS];
            final int blocks = hasher.localHashes(prompt, prompt.length, local);
            index.findMatches(local, blocks, scores);
            for (int rank = 0; rank < RANKS; rank++)
            {
                final int r = rank;
                final int cached = engine.query((simulation) -> simulation.cachedPrefixBlocks(
                    Prompt.ofTokens(prompt), r)).get();
                assertEquals(cached, scores.matchedBlocks(WORKER, rank), "prompt of " + prompt.length + " tokens");
                hits += cached > 0 ? 1 : 0;
            }
        }
        assertTrue(hits > prompts.size() / 2, "most prompts are partly cached somewhere: " + hits);
    }

    /**
     * A feed for one rank whose SUB the engine has seen join; JeroMQ 0.6.0 sometimes leaves a connecting socket
     * silent forever (connected, no handshake), so a feed that has not joined in a while is made again.
     */
    private static ZmqEngineFeed join(
        final ZContext context, final MockEngine engine, final OffHeapBlockIndex index, final int rank)
    {
        for (int attempt = 0; attempt < 5; attempt++)
        {
            final int before = engine.subscribers(rank);
            final ZmqEngineFeed feed = new ZmqEngineFeed(context, engine.pubEndpoint(rank), false, "", WORKER, rank,
                new KvEventBatchDecoder(), new EngineEventApplier(index, BS, 16));
            if (within(JOIN_WAIT_NS, () -> engine.subscribers(rank) > before))
            {
                return feed;
            }
            feed.close();
        }
        return fail("the feed of rank " + rank + " never joined " + engine.pubEndpoint(rank));
    }

    private static void await(final BooleanSupplier condition, final String message)
    {
        assertTrue(within(TimeUnit.SECONDS.toNanos(20), condition), message);
    }

    private static boolean within(final long timeoutNs, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }
}
