package io.kvindex.mockengine;

import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineSimulationTest
{
    private static final int BS = 4;

    @Test
    void shouldPublishEventsThatRebuildEveryRanksCache()
    {
        for (final boolean shared : new boolean[]{ false, true })
        {
            final EventModel model = new EventModel(shared);
            final EngineSimulation engine = new EngineSimulation(context().dpRanks(3).capacityBlocks(40)
                .sharedStream(shared).prefillUsPerToken(1).decodeUsPerToken(50).conclude(), 0, model);
            final Random random = new Random(42);
            final Admission admission = new Admission();
            long nowNs = 0;
            for (int i = 0; i < 3000; i++)
            {
                nowNs += random.nextInt(20_000);
                engine.admitAt(Prompt.ofTokens(conversationPrompt(random)), random.nextInt(100), -1, nowNs,
                    admission);
            }
            engine.releaseDue(Long.MAX_VALUE);
            for (int rank = 0; rank < 3; rank++)
            {
                assertEquals(EventModel.set(engine.cachedHashes(rank)), model.cached(rank), "rank " + rank);
                assertEquals(engine.cachedBlocks(rank), model.cached(rank).size());
                assertEquals(0, engine.referencedBlocks(rank));
            }
            assertTrue(engine.evictedBlocks() > 1000, "the workload evicts: " + engine.evictedBlocks());
            assertTrue(engine.hitBlocks() > 1000, "the workload reuses prefixes: " + engine.hitBlocks());
            assertEquals(engine.batches(), model.batches.size());
            assertEquals(shared ? 1 : 3, model.nextSeq.size());
        }
    }

    @Test
    void shouldReuseAPrefixAndTimeRequestsFromUncachedTokens()
    {
        final EventModel model = new EventModel(false);
        final EngineSimulation engine = new EngineSimulation(
            context().prefillUsPerToken(10).decodeUsPerToken(1000).timeScale(0.5).conclude(), 0, model);
        final int[] tokens = tokens(1, 4 * BS + 2);
        final Admission first = new Admission();
        assertTrue(engine.admit(Prompt.ofTokens(tokens), 3, 0, 1_000, first));
        assertEquals(0, first.cachedBlocks());
        assertEquals(4, first.storedBlocks());
        assertEquals(4, first.promptBlocks());
        assertEquals(18, first.promptTokens());
        assertEquals(TimeUnit.MICROSECONDS.toNanos(18 * 10), first.prefillNs());
        assertEquals(TimeUnit.MICROSECONDS.toNanos(1000), first.decodeNsPerToken());
        assertEquals(first.prefillNs() / 2, first.firstTokenDelayNs());
        assertEquals(1_000 + (first.prefillNs() + 2 * first.decodeNsPerToken()) / 2, first.releaseNs());
        assertEquals(1, engine.runningRequests());
        assertEquals(4, engine.referencedBlocks(0));

        final Admission second = new Admission();
        assertTrue(engine.admit(Prompt.ofTokens(tokens), 1, 0, 2_000, second));
        assertEquals(4, second.cachedBlocks());
        assertEquals(16, second.cachedTokens());
        assertEquals(0, second.storedBlocks());
        assertEquals(TimeUnit.MICROSECONDS.toNanos(2 * 10), second.prefillNs());
        assertEquals(1, model.batches.size(), "a full hit publishes nothing");

        engine.releaseDue(first.releaseNs());
        assertEquals(0, engine.referencedBlocks(0));
        assertEquals(4, engine.cachedPrefixBlocks(Prompt.ofTokens(tokens), 0));
        final WireBatch.Event stored = model.batches.get(0).events.get(0);
        assertArrayEquals(java.util.Arrays.copyOf(tokens, 16), stored.tokens);
        assertEquals(BS, stored.blockSize);
    }

    @Test
    void shouldWaitInSimulatedTimeUntilRunningRequestsReleaseRoom()
    {
        final EventModel model = new EventModel(false);
        final EngineSimulation engine = new EngineSimulation(context().capacityBlocks(4).prefillUsPerToken(0)
            .decodeUsPerToken(100).conclude(), 0, model);
        final Admission first = new Admission();
        assertEquals(0, engine.admitAt(Prompt.ofTokens(tokens(1, 4 * BS)), 11, 0, 0, first));
        assertEquals(TimeUnit.MICROSECONDS.toNanos(1000), first.releaseNs());
        final Admission second = new Admission();
        assertFalse(engine.admit(Prompt.ofTokens(tokens(2, BS)), 1, 0, 10, second));
        assertEquals(first.releaseNs(), engine.admitAt(Prompt.ofTokens(tokens(2, BS)), 1, 0, 10, second));
        assertEquals(1, second.evictedBlocks());
    }

    @Test
    void shouldCutPromptsLongerThanTheCapacity()
    {
        final EngineSimulation engine = new EngineSimulation(context().capacityBlocks(3).conclude(), 0,
            new EventModel(false));
        final Admission admission = new Admission();
        assertTrue(engine.admit(Prompt.ofTokens(tokens(3, 10 * BS)), 1, 0, 0, admission));
        assertEquals(3, admission.promptBlocks());
        assertEquals(3, engine.cachedBlocks(0));
    }

    @Test
    void shouldHashTheSameTokensAlikeWhetherTheyComeAsTokensOrTraceIds()
    {
        for (final int blockSize : new int[]{ 16, 512, 100 })
        {
            final EventModel model = new EventModel(false);
            final EngineSimulation engine = new EngineSimulation(
                context().blockSize(blockSize).capacityBlocks(1000).seed(7).conclude(), 0, model);
            final Prompt trace = Prompt.ofTrace(1300, 5, 17, 5);
            assertEquals(1300, trace.tokenCount());
            final Admission admission = new Admission();
            assertTrue(engine.admit(trace, 1, 0, 0, admission));
            assertEquals(1300 / blockSize, admission.storedBlocks());
            final int[] expected = java.util.Arrays.copyOf(trace.toTokens(), 1300 / blockSize * blockSize);
            assertArrayEquals(expected, model.batches.get(0).events.get(0).tokens, "block size " + blockSize);
            engine.releaseDue(Long.MAX_VALUE);
            assertTrue(engine.resetPrefixCache(1));
            assertTrue(engine.admit(trace, 1, 0, 2, admission), "stored again from memoized hashes");
            assertArrayEquals(expected, model.batches.get(2).events.get(0).tokens, "block size " + blockSize);
            assertEquals(1300 / blockSize, engine.cachedPrefixBlocks(Prompt.ofTokens(trace.toTokens()), 0));
            assertEquals(1300 / blockSize, engine.cachedPrefixBlocks(trace, 0), "memoized content hashes agree");
        }
        final int[] piece = new int[512];
        TraceTokens.tokens(9, 0, 512, piece, 0);
        final long distinct = java.util.Arrays.stream(piece).distinct().count();
        assertTrue(distinct > 490, "tokens look random: " + distinct + " distinct of 512");
        for (final int token : piece)
        {
            assertTrue(token >= TraceTokens.FIRST_TOKEN && token < TraceTokens.FIRST_TOKEN + 32768, "" + token);
        }
        final int[] expanded = Prompt.ofTrace(600, 3, 4).toTokens();
        assertEquals(600, expanded.length);
        assertEquals(TraceTokens.token(3, 0), expanded[0]);
        assertEquals(TraceTokens.token(3, 511), expanded[511]);
        assertEquals(TraceTokens.token(4, 87), expanded[599]);
        assertEquals(Prompt.ofTrace(512, 7).toTokens()[5], Prompt.ofTrace(9999, 7, 8).toTokens()[5]);
    }

    @Test
    void shouldGiveEveryRankAndEverySeedItsOwnHashes()
    {
        final List<Long> firstHashes = new ArrayList<>();
        for (final long seed : new long[]{ 1, 1, 2 })
        {
            final EventModel model = new EventModel(false);
            final EngineSimulation engine = new EngineSimulation(context().dpRanks(2).seed(seed).conclude(), 0, model);
            engine.admit(Prompt.ofTokens(tokens(9, BS)), 1, 0, 0, new Admission());
            engine.admit(Prompt.ofTokens(tokens(9, BS)), 1, 1, 0, new Admission());
            final long rank0 = model.batches.get(0).events.get(0).hashes[0];
            assertNotEquals(rank0, model.batches.get(1).events.get(0).hashes[0]);
            assertEquals(1, model.batches.get(1).dpRank);
            firstHashes.add(rank0);
        }
        assertEquals(firstHashes.get(0), firstHashes.get(1));
        assertNotEquals(firstHashes.get(0), firstHashes.get(2));
    }

    @Test
    void shouldPutHashesAbove2Pow63OnTheWireAsUint64OrNegativeInt64()
    {
        for (final HashFormat format : HashFormat.values())
        {
            final EventModel model = new EventModel(false);
            final EngineSimulation engine = new EngineSimulation(
                context().hashFormat(format).capacityBlocks(64).conclude(), 0, model);
            engine.admit(Prompt.ofTokens(tokens(5, 64 * BS)), 1, 0, 0, new Admission());
            final WireBatch.Event stored = model.batches.get(0).events.get(0);
            int high = 0;
            for (int i = 0; i < stored.hashes.length; i++)
            {
                if (stored.hashes[i] < 0)
                {
                    high++;
                    assertEquals(HashFormat.UINT64 == format ? MessageFormat.UINT64 : MessageFormat.INT64,
                        stored.hashFormats.get(i));
                }
            }
            assertTrue(high > 10 && high < 54, "about half of 64 hashes are >= 2^63: " + high);
        }
    }

    @Test
    void shouldHoldEventsForAStepThenPublishThemAsOneBatch()
    {
        final EventModel model = new EventModel(false);
        final EngineSimulation engine = new EngineSimulation(context().stepUs(100).conclude(), 0, model);
        engine.admit(Prompt.ofTokens(tokens(1, BS)), 1, 0, 0, new Admission());
        engine.admit(Prompt.ofTokens(tokens(2, BS)), 1, 0, 50_000, new Admission());
        assertEquals(0, engine.flushDue(99_999));
        assertEquals(0, model.batches.size());
        engine.admit(Prompt.ofTokens(tokens(3, BS)), 1, 0, 100_000, new Admission());
        assertEquals(1, model.batches.size(), "the step ended before the third request");
        assertEquals(2, model.batches.get(0).events.size());
        assertEquals(1, engine.flush(100_001));
        assertEquals(2, model.batches.size());
    }

    @Test
    void shouldGroupEvictionsWhenAskedAndClearOnReset()
    {
        for (final boolean perBlock : new boolean[]{ true, false })
        {
            final EventModel model = new EventModel(false);
            final EngineSimulation engine = new EngineSimulation(
                context().capacityBlocks(3).removedPerBlock(perBlock).timeScale(0).conclude(), 0, model);
            engine.admit(Prompt.ofTokens(tokens(1, 3 * BS)), 1, 0, 0, new Admission());
            engine.admit(Prompt.ofTokens(tokens(2, 3 * BS)), 1, 0, 0, new Admission());
            final List<WireBatch.Event> events = model.batches.get(1).events;
            assertEquals(perBlock ? 4 : 2, events.size());
            assertEquals(perBlock ? 1 : 3, events.get(0).hashes.length);
            assertTrue(engine.resetPrefixCache(5));
            assertEquals("AllBlocksCleared", model.batches.get(2).events.get(0).type);
            assertEquals(0, engine.cachedBlocks(0));
            assertTrue(model.cached(0).isEmpty());
        }
    }

    @Test
    void shouldRefuseResetWhileRequestsRun()
    {
        final EventModel model = new EventModel(false);
        final EngineSimulation engine = new EngineSimulation(context().conclude(), 0, model);
        engine.admit(Prompt.ofTokens(tokens(1, BS)), 5, 0, 0, new Admission());
        assertFalse(engine.resetPrefixCache(1));
        assertEquals(1, engine.cachedBlocks(0));
        engine.releaseDue(Long.MAX_VALUE);
        assertTrue(engine.resetPrefixCache(2));
    }

    static MockEngineContext context()
    {
        return new MockEngineContext().blockSize(BS).capacityBlocks(64).prefillUsPerToken(1).decodeUsPerToken(1)
            .timeScale(1);
    }

    static int[] tokens(final int seed, final int count)
    {
        final int[] tokens = new int[count];
        for (int i = 0; i < count; i++)
        {
            tokens[i] = (int)(EngineHashes.mix64(seed * 1_000_003L + i) >>> 49);
        }
        return tokens;
    }

    private static int[] conversationPrompt(final Random random)
    {
        final int system = random.nextInt(4);
        final int conversation = random.nextInt(30);
        final int turns = 1 + random.nextInt(4);
        final int[] prompt = new int[BS * (2 + turns * 2) + random.nextInt(BS)];
        System.arraycopy(tokens(100 + system, 2 * BS), 0, prompt, 0, 2 * BS);
        final int[] rest = tokens(1000 + system * 100 + conversation, prompt.length - 2 * BS);
        System.arraycopy(rest, 0, prompt, 2 * BS, rest.length);
        return prompt;
    }
}
