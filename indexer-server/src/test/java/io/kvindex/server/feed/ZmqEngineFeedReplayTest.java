package io.kvindex.server.feed;

import io.kvindex.client.BlockHasher;
import io.kvindex.index.IndexEquivalence;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.index.ReferenceBlockIndex;
import io.kvindex.server.pipeline.IngestPipeline;
import io.kvindex.server.registry.ListenerStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.zeromq.ZContext;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static io.kvindex.server.feed.EngineEventApplierTest.tokens;
import static io.kvindex.server.feed.EnginePayloads.arrayBatch;
import static io.kvindex.server.feed.EnginePayloads.stored;
import static io.kvindex.server.feed.EnginePayloads.uint64List;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sequence handling of {@link ZmqEngineFeed} against a {@link FakeEngine} over real sockets on 127.0.0.1: gaps and
 * late joins repaired by replay (both reply forms), restarts and unrepairable gaps cleared and re-learned, live
 * batches held during a replay and de-duplicated, stale batches dropped, a full ring repaired. Each batch {@code s}
 * stores one root block with engine hash {@code 1000 + s}; the index must equal the reference fed what should stay.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class ZmqEngineFeedReplayTest
{
    private static final int BS = 4;
    private static final long WORKER = 7;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);

    private final BlockHasher hasher = new BlockHasher(BS);
    private ZContext context;
    private FakeEngine engine;
    private OffHeapBlockIndex index;
    private ReferenceBlockIndex expected;
    private IngestPipeline pipeline;
    private ZmqEngineFeed feed;

    @BeforeEach
    void setUp()
    {
        context = new ZContext(1);
        engine = new FakeEngine(10_000);
        index = new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(4096).maxOwners(16));
        expected = new ReferenceBlockIndex();
    }

    @AfterEach
    void tearDown()
    {
        if (null != feed)
        {
            feed.close();
        }
        if (null != pipeline)
        {
            pipeline.close();
        }
        engine.close();
        context.close();
        index.close();
        expected.close();
    }

    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void shouldRepairGapByReplayWithEitherReplyForm(final boolean topicReplies)
    {
        engine.topicReplies(topicReplies);
        feed = directFeed(engine.replayEndpoint());
        engine.awaitSubscriber(feed::doWork);
        publish(0, 3);
        drop(3, 6);
        publish(6, 8);

        stepUntil(() -> feed.lastSeq() == 7 && !feed.replaying() && 0 == feed.heldBatches());

        expect(0, 8);
        IndexEquivalence.assertSameBlocks(expected, index);
        assertTrue(engine.replayedOnlyFrom(3), engine.replayStarts().toString());
        assertEquals(1, feed.seqGaps());
        assertEquals(3, feed.missedBatches());
        assertEquals(1, count(FeedCounters.REPLAYS));
        assertEquals(0, count(FeedCounters.WORKER_CLEARS));
        assertEquals(ListenerStatus.ACTIVE, feed.status().status());
        assertNull(feed.status().lastError());
    }

    @Test
    void shouldReplayFromZeroOnLateJoin()
    {
        for (int s = 0; s < 5; s++)
        {
            engine.drop(batch(s));
        }
        feed = directFeed(engine.replayEndpoint());
        engine.awaitSubscriber(feed::doWork);
        publish(5, 7);

        stepUntil(() -> feed.lastSeq() == 6 && 0 == feed.heldBatches());

        expect(0, 7);
        IndexEquivalence.assertSameBlocks(expected, index);
        assertTrue(engine.replayedOnlyFrom(0), engine.replayStarts().toString());
        assertEquals(1, feed.lateJoins());
        assertEquals(0, count(FeedCounters.WORKER_CLEARS));
    }

    @Test
    void shouldClearAndRelearnOnEngineRestart()
    {
        feed = directFeed(engine.replayEndpoint());
        engine.awaitSubscriber(feed::doWork);
        publish(0, 4);
        stepUntil(() -> feed.lastSeq() == 3);
        engine.restart();
        publish(0, 2);

        stepUntil(() -> feed.lastSeq() == 1 && 6 == count(FeedCounters.BATCHES));

        expect(0, 2);
        IndexEquivalence.assertSameBlocks(expected, index);
        assertEquals(1, feed.seqRestarts());
        assertEquals(1, count(FeedCounters.WORKER_CLEARS));
        assertEquals(0, engine.replayRequests());
    }

    @Test
    void shouldClearAndRelearnWhenNoReplayEndpoint()
    {
        feed = directFeed(null);
        engine.awaitSubscriber(feed::doWork);
        publish(0, 3);
        drop(3, 4);
        publish(4, 6);

        stepUntil(() -> feed.lastSeq() == 5);

        expect(4, 6);
        IndexEquivalence.assertSameBlocks(expected, index);
        assertEquals(1, count(FeedCounters.REPLAY_UNAVAILABLE));
        assertEquals(1, count(FeedCounters.WORKER_CLEARS));
        assertNotNull(feed.status().lastError());
        assertTrue(feed.status().lastError().contains("no replay endpoint"), feed.status().lastError());
    }

    @Test
    void shouldClearAndRelearnWhenReplayTimesOut()
    {
        // Seen once in a full CI run and never alone (20+ runs): the live batches did not all arrive within 10 s.
        // JeroMQ 0.6.0 sometimes leaves a connect pending under load (see FakeEngine); one fresh attempt with new
        // sockets tells that apart from a feed bug, which fails both attempts.
        try
        {
            replayTimesOut();
        }
        catch (final AssertionError ex)
        {
            tearDown();
            setUp();
            feed = null;
            replayTimesOut();
        }
    }

    private void replayTimesOut()
    {
        engine.silent(true);
        feed = new ZmqEngineFeed(feedContext(engine.replayEndpoint()).applier(applier())
            .replayTimeoutNs(TimeUnit.MILLISECONDS.toNanos(200)));
        engine.awaitSubscriber(feed::doWork);
        publish(0, 2);
        drop(2, 3);
        publish(3, 5);

        stepUntil(() -> feed.lastSeq() == 4 && !feed.replaying());

        expect(3, 5);
        IndexEquivalence.assertSameBlocks(expected, index);
        assertEquals(1, count(FeedCounters.REPLAY_FAILURES));
        assertEquals(1, count(FeedCounters.WORKER_CLEARS));
        assertTrue(feed.status().lastError().contains("timed out"), feed.status().lastError());
        assertEquals(ListenerStatus.ACTIVE, feed.status().status());
    }

    @Test
    void shouldClearAndRelearnWhenTheReplayEndpointCannotBeReached()
    {
        feed = directFeed("tcp://no-such-host.invalid:5558");
        engine.awaitSubscriber(feed::doWork);
        publish(0, 2);
        drop(2, 3);
        publish(3, 5);

        stepUntil(() -> feed.lastSeq() == 4 && !feed.replaying() && 0 == feed.heldBatches());

        expect(3, 5);
        IndexEquivalence.assertSameBlocks(expected, index);
        assertEquals(1, count(FeedCounters.REPLAY_FAILURES));
        assertEquals(1, count(FeedCounters.WORKER_CLEARS));
        assertTrue(feed.status().lastError().contains("replay request to tcp://no-such-host.invalid:5558 failed"),
            feed.status().lastError());
    }

    @Test
    void shouldClearAndRelearnWhenReplayIsTooOld()
    {
        feed = directFeed(engine.replayEndpoint());
        engine.awaitSubscriber(feed::doWork);
        publish(0, 2);
        drop(2, 6);
        engine.trimBuffer(2);
        publish(6, 8);

        stepUntil(() -> feed.lastSeq() == 7 && !feed.replaying() && 0 == feed.heldBatches());

        expect(4, 8);
        IndexEquivalence.assertSameBlocks(expected, index);
        assertTrue(engine.replayedOnlyFrom(2), engine.replayStarts().toString());
        assertEquals(1, count(FeedCounters.REPLAY_TOO_OLD));
        assertEquals(1, count(FeedCounters.WORKER_CLEARS));
        assertTrue(feed.status().lastError().contains("began at seq 4"), feed.status().lastError());
    }

    @Test
    void shouldHoldLiveBatchesDuringReplayAndSkipThoseItCovered()
    {
        feed = directFeed(engine.replayEndpoint());
        engine.awaitSubscriber(feed::doWork);
        publish(0, 5);
        stepUntil(() -> feed.lastSeq() == 4);
        engine.holdReplies();
        drop(5, 6);
        publish(6, 7);
        stepUntil(() -> 1 == engine.replayRequests());
        publish(7, 10);
        stepUntil(() -> 4 == feed.heldBatches());
        assertTrue(feed.replaying());
        assertEquals(ListenerStatus.PAUSED, feed.status().status());
        engine.releaseReplies();

        stepUntil(() -> feed.lastSeq() == 9 && !feed.replaying() && 0 == feed.heldBatches());

        expect(0, 10);
        IndexEquivalence.assertSameBlocks(expected, index);
        assertEquals(4, count(FeedCounters.DUPLICATES_SKIPPED));
        assertEquals(10, count(FeedCounters.BATCHES));
        assertEquals(ListenerStatus.ACTIVE, feed.status().status());
    }

    @Test
    void shouldReopenTheSocketOfASilentStreamWithGrowingWaits()
    {
        feed = new ZmqEngineFeed(feedContext(engine.replayEndpoint()).applier(applier())
            .resubscribeNs(TimeUnit.MILLISECONDS.toNanos(100)).idleNs(TimeUnit.MILLISECONDS.toNanos(250)));
        engine.awaitSubscriber(feed::doWork);
        stepUntil(() -> count(FeedCounters.RESUBSCRIBES) >= 3 && feed.status().idle());
        engine.awaitSubscriber(feed::doWork);
        publish(0, 2);

        stepUntil(() -> feed.lastSeq() == 1);

        expect(0, 2);
        IndexEquivalence.assertSameBlocks(expected, index);
        assertFalse(feed.status().idle());
    }

    @Test
    void shouldDropStaleBatches()
    {
        feed = directFeed(engine.replayEndpoint());
        engine.awaitSubscriber(feed::doWork);
        publish(0, 3);
        engine.send(1, batch(99));
        publish(3, 4);

        stepUntil(() -> feed.lastSeq() == 3);

        expect(0, 4);
        IndexEquivalence.assertSameBlocks(expected, index);
        assertEquals(1, count(FeedCounters.STALE_DROPPED));
        assertEquals(0, feed.seqRestarts());
    }

    @Test
    void shouldResumeFromAStartSeqAndReplayTheRest()
    {
        for (int s = 0; s < 4; s++)
        {
            engine.drop(batch(s));
        }
        feed = new ZmqEngineFeed(feedContext(engine.replayEndpoint()).applier(applier()).startSeq(1));
        engine.awaitSubscriber(feed::doWork);
        publish(4, 5);

        stepUntil(() -> feed.lastSeq() == 4 && 0 == feed.heldBatches());

        expect(2, 5);
        IndexEquivalence.assertSameBlocks(expected, index);
        assertTrue(engine.replayedOnlyFrom(2), engine.replayStarts().toString());
        assertEquals(0, feed.lateJoins());
    }

    @Test
    void shouldRepairAFullRingByReplay()
    {
        pipeline = new IngestPipeline(new IngestPipeline.Context().addIndex(index, BS).ringSize(4));
        feed = new ZmqEngineFeed(feedContext(engine.replayEndpoint()).pipeline(pipeline, 0).holdLimits(3, 1 << 20));
        engine.awaitSubscriber(feed::doWork);
        publish(0, 12);
        stepUntil(() -> count(FeedCounters.HOLD_OVERFLOWS) == 5);
        assertEquals(0, index.treeSize(WORKER, 0));
        assertTrue(pipeline.counters().overflowed() > 0 || count(FeedCounters.RING_FULL) > 0);

        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (!(feed.lastSeq() == 11 && !feed.replaying() && 0 == feed.heldBatches() &&
            pipeline.remainingCapacity() == pipeline.capacity()) && System.nanoTime() < deadline)
        {
            final int work = feed.doWork() + pipeline.writer().doWork();
            if (0 == work)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }

        expect(0, 12);
        IndexEquivalence.assertSameBlocks(expected, index);
        assertEquals(1, count(FeedCounters.REPLAYS));
        assertEquals(0, count(FeedCounters.WORKER_CLEARS));
        assertFalse(feed.replaying());
    }

    private ZmqEngineFeedContext feedContext(final String replayEndpoint)
    {
        return new ZmqEngineFeedContext()
            .zmqContext(context)
            .endpoint(engine.endpoint(), false)
            .owner(WORKER, 0)
            .replayEndpoint(replayEndpoint)
            .resubscribeNs(TimeUnit.SECONDS.toNanos(1));
    }

    private ZmqEngineFeed directFeed(final String replayEndpoint)
    {
        return new ZmqEngineFeed(feedContext(replayEndpoint).applier(applier()));
    }

    private EngineEventApplier applier()
    {
        return new EngineEventApplier(index, BS, 4);
    }

    private long count(final int counter)
    {
        return feed.counters().get(counter);
    }

    private void publish(final int from, final int to)
    {
        for (int s = from; s < to; s++)
        {
            assertEquals(s, engine.publish(batch(s)));
        }
    }

    private void drop(final int from, final int to)
    {
        for (int s = from; s < to; s++)
        {
            assertEquals(s, engine.drop(batch(s)));
        }
    }

    private void expect(final int from, final int to)
    {
        for (int s = from; s < to; s++)
        {
            final int[] tokens = tokens(1, s + 1);
            final long[] local = new long[1];
            hasher.localHashes(tokens, tokens.length, local);
            expected.store(WORKER, 0, false, 0, new long[]{ 1000 + s }, local, 1);
        }
    }

    private void stepUntil(final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "condition not reached in time");
            if (0 == feed.doWork())
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    static byte[] batch(final int seq)
    {
        return arrayBatch(null, List.of(stored(uint64List(1000L + seq), null, tokens(1, seq + 1), BS)));
    }
}
