package io.kvindex.server.feed;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.kvindex.client.KvEventPublisher;
import io.kvindex.client.KvEventPublisherContext;
import io.kvindex.index.EventCounters;
import io.kvindex.index.EventStatus;
import io.kvindex.index.EventType;
import io.kvindex.index.IndexEquivalence;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.index.ReferenceBlockIndex;
import io.kvindex.server.pipeline.IngestCounters;
import io.kvindex.server.pipeline.IngestPipeline;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.kvindex.server.feed.EventTestSupport.awaitTrue;
import static io.kvindex.server.feed.EventTestSupport.driverContext;
import static io.kvindex.server.feed.EventTestSupport.parkingIdle;
import static io.kvindex.server.feed.EventTestSupport.uniqueAeronDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link KvEventPublisher} to an {@link AeronEventFeed} through a real embedded media driver over IPC, into an
 * {@link IngestPipeline} and an {@link OffHeapBlockIndex}: the index ends equal to the reference model fed the same
 * events, and a tiny ring slows the feed down without losing anything.
 */
class AeronEventFeedTest
{
    static final int BS = 4;
    static final String MODEL = "main-model";

    @Test
    @Timeout(120)
    void shouldIndexRandomizedEventStreamOfSeveralOwnersAsTheReferenceDoes()
    {
        final int events = 120_000;
        final String dir = uniqueAeronDir("feed");
        try (MediaDriver driver = MediaDriver.launch(driverContext(dir));
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            OffHeapBlockIndex index = newIndex();
            ReferenceBlockIndex expected = new ReferenceBlockIndex();
            IngestPipeline pipeline = new IngestPipeline(new IngestPipeline.Context()
                .addIndex(index, BS).ringSize(1024).idleStrategy(parkingIdle())).start();
            AeronEventFeed feed = AeronEventFeed.launch(feedContext(aeron, pipeline));
            KvEventPublisher publisher = KvEventPublisher.connect(publisherContext(aeron, MODEL, BS)))
        {
            assertTrue(publisher.awaitConnected(TimeUnit.SECONDS.toNanos(5)));
            final RandomEventStream stream = new RandomEventStream(42, BS, expected, publisher);
            stream.run(events);
            assertEquals(events, publisher.nextEventId());
            assertEquals(events, publisher.publishedCount());

            final IngestCounters counters = pipeline.counters();
            awaitTrue(() -> counters.applied() == events,
                () -> "applied " + counters.applied() + " " + feed.counters());
            final AeronFeedCounters feedCounters = feed.counters();
            assertEquals(events, feedCounters.get(AeronFeedCounters.MESSAGES));
            assertEquals(stream.stored(), feedCounters.get(AeronFeedCounters.STORED));
            assertEquals(stream.removed(), feedCounters.get(AeronFeedCounters.REMOVED));
            assertEquals(stream.cleared(), feedCounters.get(AeronFeedCounters.CLEARED));
            assertEquals(stream.workersRemoved(), feedCounters.get(AeronFeedCounters.WORKERS_REMOVED));
            assertEquals(0, counters.overflowed() + counters.rejected() + counters.failed() + counters.skipped());
            assertTrue(index.ownerCount() > 4, "owners " + index.ownerCount());
            final EventCounters statuses = pipeline.writer().applier(0).indexCounters();
            assertTrue(statuses.get(EventType.STORED, EventStatus.OK) > stream.stored() * 8 / 10);
            assertTrue(statuses.get(EventType.REMOVED, EventStatus.OK) > stream.removed() * 6 / 10);
            IndexEquivalence.assertEquivalent(expected, index);
        }
    }

    @Test
    @Timeout(120)
    void shouldStopPollingWhenRingIsFullAndApplyEveryEventEventually()
    {
        final int events = 3000;
        final String dir = uniqueAeronDir("feed");
        try (MediaDriver driver = MediaDriver.launch(driverContext(dir));
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            OffHeapBlockIndex index = newIndex();
            ReferenceBlockIndex expected = new ReferenceBlockIndex();
            IngestPipeline pipeline = new IngestPipeline(new IngestPipeline.Context()
                .addIndex(index, BS).ringSize(4).writeLimit(1).idleStrategy(alwaysPark(100))).start();
            AeronEventFeed feed = AeronEventFeed.launch(feedContext(aeron, pipeline));
            KvEventPublisher publisher = KvEventPublisher.connect(publisherContext(aeron, MODEL, BS)))
        {
            assertTrue(publisher.awaitConnected(TimeUnit.SECONDS.toNanos(5)));
            new RandomEventStream(7, BS, expected, publisher).run(events);

            final IngestCounters counters = pipeline.counters();
            awaitTrue(() -> counters.applied() == events,
                () -> "applied " + counters.applied() + " " + feed.counters());
            assertTrue(feed.counters().get(AeronFeedCounters.BACK_PRESSURED) > 0, feed.counters().toString());
            assertEquals(feed.counters().get(AeronFeedCounters.BACK_PRESSURED), counters.backPressured());
            assertEquals(0, counters.overflowed());
            assertEquals(events, counters.published());
            assertEquals(events, feed.counters().get(AeronFeedCounters.MESSAGES));
            IndexEquivalence.assertEquivalent(expected, index);
        }
    }

    static OffHeapBlockIndex newIndex()
    {
        return new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(1 << 16).maxOwners(64));
    }

    static AeronEventFeed.Context feedContext(final Aeron aeron, final IngestPipeline pipeline)
    {
        return new AeronEventFeed.Context()
            .aeron(aeron)
            .pipeline(pipeline)
            .addRoute(MODEL, null, 0)
            .idleStrategy(parkingIdle());
    }

    static KvEventPublisherContext publisherContext(final Aeron aeron, final String model, final int blockSize)
    {
        return new KvEventPublisherContext()
            .aeron(aeron)
            .model(model)
            .blockSize(blockSize)
            .offerTimeoutNs(TimeUnit.SECONDS.toNanos(10))
            .idleStrategy(parkingIdle());
    }

    /**
     * Parks after every duty cycle, work or not: a writer that takes at least this long per slot.
     */
    static IdleStrategy alwaysPark(final long micros)
    {
        return new IdleStrategy()
        {
            public void idle(final int workCount)
            {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(micros));
            }

            public void idle()
            {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(micros));
            }

            public void reset()
            {
            }
        };
    }
}
