package io.kvindex.mockengine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.msgpack.core.MessageFormat;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.kvindex.mockengine.EngineSimulationTest.tokens;
import static io.kvindex.mockengine.ZmqTestSupport.await;
import static io.kvindex.mockengine.ZmqTestSupport.dealer;
import static io.kvindex.mockengine.ZmqTestSupport.receive;
import static io.kvindex.mockengine.ZmqTestSupport.seq;
import static io.kvindex.mockengine.ZmqTestSupport.subscribe;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A running engine on 127.0.0.1 with real JeroMQ SUB and DEALER sockets: the wire format, per-rank streams, the
 * replay protocol and a subscriber's view of the cache.
 */
@Timeout(60)
class MockEngineTest
{
    private static final int BS = 4;
    private static final byte[] END = { -1, -1, -1, -1, -1, -1, -1, -1 };

    @Test
    void shouldPublishThreeFramesWithSeqFromZeroAndUint64HashesAbove2Pow63() throws Exception
    {
        try (MockEngine engine = MockEngine.launch(context().topic("kv"));
            ZContext context = new ZContext(1))
        {
            final ZMQ.Socket sub = subscribe(context, engine, 0, "kv");
            for (int i = 0; i < 3; i++)
            {
                final Admission admission = engine.submit(tokens(i, 32 * BS), 1).get(10, TimeUnit.SECONDS);
                assertEquals(32, admission.storedBlocks());
            }
            int high = 0;
            for (int i = 0; i < 3; i++)
            {
                final List<byte[]> frames = receive(sub);
                assertEquals(3, frames.size());
                assertEquals("kv", new String(frames.get(0), StandardCharsets.UTF_8));
                assertEquals(8, frames.get(1).length);
                assertEquals(i, seq(frames.get(1)));
                final WireBatch batch = WireBatch.decode(frames.get(2));
                assertEquals(0, batch.dpRank);
                final WireBatch.Event stored = batch.events.get(0);
                assertEquals("BlockStored", stored.type);
                assertEquals(32, stored.hashes.length);
                for (int h = 0; h < stored.hashes.length; h++)
                {
                    if (stored.hashes[h] < 0)
                    {
                        high++;
                        assertEquals(MessageFormat.UINT64, stored.hashFormats.get(h));
                    }
                }
            }
            assertTrue(high > 0, "hashes >= 2^63 occur");
        }
    }

    @Test
    void shouldReplayBufferedBatchesToADealerThenTheEndMarker() throws Exception
    {
        try (MockEngine engine = MockEngine.launch(context().bufferSteps(4));
            ZContext context = new ZContext(1))
        {
            final ZMQ.Socket sub = subscribe(context, engine, 0, "");
            final List<byte[]> live = new ArrayList<>();
            for (int i = 0; i < 6; i++)
            {
                engine.submit(tokens(10 + i, 2 * BS), 1).get(10, TimeUnit.SECONDS);
                live.add(receive(sub).get(2));
            }
            final ZMQ.Socket dealer = dealer(context, engine.replayEndpoint(0));

            assertReplay(dealer, 3, live, 3, false);
            assertReplay(dealer, 0, live, 2, false);
            assertReplay(dealer, 6, live, 6, false);
            assertReplay(dealer, -1, live, 6, false);

            dealer.send(new byte[0], ZMQ.SNDMORE);
            dealer.send(new byte[]{ 1, 2, 3 });
            assertReplay(dealer, 5, live, 5, false);
            assertEquals(6, engine.query((simulation) -> simulation.nextSeq(0)).get());
        }
        try (MockEngine engine = MockEngine.launch(context().replayTopicFrame(true).topic("t"));
            ZContext context = new ZContext(1))
        {
            final ZMQ.Socket sub = subscribe(context, engine, 0, "t");
            engine.submit(tokens(1, BS), 1).get(10, TimeUnit.SECONDS);
            final List<byte[]> live = List.of(receive(sub).get(2));
            assertReplay(dealer(context, engine.replayEndpoint(0)), 0, live, 0, true);
        }
    }

    @Test
    void shouldPublishEachRankOnItsOwnStreamOrAllOnOne() throws Exception
    {
        try (MockEngine engine = MockEngine.launch(context().dpRanks(2));
            ZContext context = new ZContext(1))
        {
            assertEquals(2, engine.streamCount());
            final ZMQ.Socket sub0 = subscribe(context, engine, 0, "");
            final ZMQ.Socket sub1 = subscribe(context, engine, 1, "");
            engine.submit(Prompt.ofTokens(tokens(1, BS)), 1, 1).get(10, TimeUnit.SECONDS);
            engine.submit(Prompt.ofTokens(tokens(1, BS)), 1, 0).get(10, TimeUnit.SECONDS);
            final List<byte[]> one = receive(sub1);
            final List<byte[]> zero = receive(sub0);
            assertEquals(0, seq(one.get(1)));
            assertEquals(0, seq(zero.get(1)));
            assertEquals(1, WireBatch.decode(one.get(2)).dpRank);
            assertEquals(0, WireBatch.decode(zero.get(2)).dpRank);
            assertTrue(!engine.replayEndpoint(0).equals(engine.replayEndpoint(1)));
        }
        try (MockEngine engine = MockEngine.launch(context().dpRanks(2).sharedStream(true));
            ZContext context = new ZContext(1))
        {
            assertEquals(engine.pubEndpoint(0), engine.pubEndpoint(1));
            final ZMQ.Socket sub = subscribe(context, engine, 0, "");
            engine.submit(Prompt.ofTokens(tokens(1, BS)), 1, 1).get(10, TimeUnit.SECONDS);
            engine.submit(Prompt.ofTokens(tokens(1, BS)), 1, 0).get(10, TimeUnit.SECONDS);
            final List<byte[]> first = receive(sub);
            final List<byte[]> second = receive(sub);
            assertEquals(0, seq(first.get(1)));
            assertEquals(1, seq(second.get(1)));
            assertEquals(1, WireBatch.decode(first.get(2)).dpRank);
            assertEquals(0, WireBatch.decode(second.get(2)).dpRank);
        }
    }

    @Test
    void shouldLetASubscriberRebuildTheCacheWhileRequestsOverlap() throws Exception
    {
        try (MockEngine engine = MockEngine.launch(context().dpRanks(2).capacityBlocks(48).timeScale(0.001)
            .prefillUsPerToken(100).decodeUsPerToken(500).eventFormat(EventFormat.ARRAY));
            ZContext context = new ZContext(1))
        {
            final ZMQ.Socket[] subs = { subscribe(context, engine, 0, ""), subscribe(context, engine, 1, "") };
            final Random random = new Random(7);
            final List<CompletableFuture<Admission>> futures = new ArrayList<>();
            for (int i = 0; i < 400; i++)
            {
                final int[] prompt = tokens(random.nextInt(40), (2 + random.nextInt(12)) * BS);
                futures.add(engine.submit(Prompt.ofTokens(prompt), 1 + random.nextInt(20), random.nextInt(2)));
            }
            for (final CompletableFuture<Admission> future : futures)
            {
                future.get(10, TimeUnit.SECONDS);
            }
            await(() -> engine.query(EngineSimulation::runningRequests).join() == 0, "requests never finished");
            final EventModel model = new EventModel(false);
            for (int rank = 0; rank < 2; rank++)
            {
                final int r = rank;
                final long count = engine.query((simulation) -> simulation.nextSeq(r)).get();
                assertTrue(count > 10, "batches on rank " + rank + ": " + count);
                for (long s = 0; s < count; s++)
                {
                    final List<byte[]> frames = receive(subs[rank]);
                    assertEquals(s, seq(frames.get(1)));
                    model.apply(WireBatch.decode(frames.get(2)));
                }
                final long[] cached = engine.query((simulation) -> simulation.cachedHashes(r)).get();
                assertEquals(EventModel.set(cached), model.cached(rank), "rank " + rank);
            }
        }
    }

    @Test
    void shouldRefuseRequestsOnceClosedAndRejectBadArguments()
    {
        final MockEngine engine = MockEngine.launch(context());
        assertThrows(IllegalArgumentException.class, () -> engine.submit(Prompt.ofTokens(1), 1, 1));
        assertThrows(IllegalArgumentException.class, () -> engine.submit(Prompt.ofTokens(1), -1, 0));
        engine.close();
        engine.close();
        final ExecutionException ex = assertThrows(ExecutionException.class,
            () -> engine.submit(new int[]{ 1, 2 }, 1).get(10, TimeUnit.SECONDS));
        assertTrue(ex.getCause().getMessage().contains("closed"), ex.toString());
    }

    @Test
    void shouldAcceptAMooncakeTraceLine() throws Exception
    {
        try (MockEngine engine = MockEngine.launch(context().blockSize(16)))
        {
            final Admission admission = engine.submitTraceLine(
                "{\"timestamp\": 27, \"input_length\": 1100, \"output_length\": 7, \"hash_ids\": [0, 1, 2]}")
                .get(10, TimeUnit.SECONDS);
            assertEquals(1100, admission.promptTokens());
            assertEquals(1100 / 16, admission.storedBlocks());
            assertEquals(7, admission.outputTokens());
            assertThrows(IllegalArgumentException.class, () -> engine.submitTraceLine("{\"input_length\": 1}"));
        }
    }

    private static void assertReplay(
        final ZMQ.Socket dealer, final long start, final List<byte[]> live, final int first, final boolean topic)
    {
        dealer.send(new byte[0], ZMQ.SNDMORE);
        dealer.send(seq(start));
        for (int s = first; s < live.size(); s++)
        {
            final List<byte[]> frames = receive(dealer);
            assertEquals(topic ? 4 : 3, frames.size());
            assertEquals(0, frames.get(0).length);
            assertEquals(s, seq(frames.get(topic ? 2 : 1)));
            assertArrayEquals(live.get(s), frames.get(topic ? 3 : 2));
        }
        final List<byte[]> end = receive(dealer);
        assertEquals(topic ? 4 : 3, end.size());
        assertArrayEquals(END, end.get(topic ? 2 : 1));
        assertEquals(0, end.get(topic ? 3 : 2).length);
    }

    static MockEngineContext context()
    {
        return new MockEngineContext().pubEndpoint("tcp://127.0.0.1:*").replayEndpoint("tcp://127.0.0.1:*")
            .httpPort(-1).blockSize(BS).capacityBlocks(256).timeScale(0);
    }
}
