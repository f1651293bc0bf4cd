package io.kvindex.server.pipeline;

import io.kvindex.index.BlockIndex;
import io.kvindex.index.EventStatus;
import io.kvindex.index.EventType;
import io.kvindex.index.IndexEquivalence;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.index.ReferenceBlockIndex;
import io.kvindex.server.feed.DecodeStatus;
import io.kvindex.server.feed.DecodedBatch;
import io.kvindex.server.feed.EngineEventApplier;
import io.kvindex.server.feed.KvEventBatchDecoder;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static io.kvindex.server.feed.EnginePayloads.arrayBatch;
import static io.kvindex.server.feed.EnginePayloads.removed;
import static io.kvindex.server.feed.EnginePayloads.stored;
import static io.kvindex.server.feed.EnginePayloads.uint64List;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Producers decoding engine batches into claimed ring slots and one {@link IndexWriter} applying them: the result
 * equals the reference fed the same events, per-owner order holds, a full ring is counted and never blocks, and a
 * warm pipeline allocates nothing per batch.
 */
class IngestPipelineTest
{
    private static final int BS = 4;
    private static final int KEY = 0;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    @Test
    void shouldApplyBatchesOfSeveralProducersInPerOwnerOrder() throws InterruptedException
    {
        final int owners = 3;
        final int steps = 1500;
        try (OffHeapBlockIndex index = new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(8192));
            ReferenceBlockIndex expected = new ReferenceBlockIndex())
        {
            final IngestPipeline pipeline = new IngestPipeline(new IngestPipeline.Context()
                .addIndex(index, BS).ringSize(256).idleStrategy(sleeping(100))).start();
            final List<Thread> producers = new ArrayList<>();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int w = 1; w <= owners; w++)
            {
                final long workerId = w;
                final List<byte[]> payloads = chain(workerId, steps);
                feedDirect(expected, payloads, workerId);
                final Thread producer = new Thread(() -> offerAll(pipeline, payloads, workerId), "producer-" + w);
                producer.setUncaughtExceptionHandler((t, ex) -> failure.set(ex));
                producers.add(producer);
            }
            producers.forEach(Thread::start);
            for (final Thread producer : producers)
            {
                producer.join(TimeUnit.NANOSECONDS.toMillis(TIMEOUT_NS));
            }
            assertNull(failure.get());
            final IngestCounters counters = pipeline.counters();
            awaitTrue(() -> counters.applied() == (long)owners * (steps + 1));
            pipeline.close();

            assertEquals((long)owners * (steps + 1), counters.published());
            assertEquals(0, counters.skipped() + counters.rejected() + counters.failed());
            for (int w = 1; w <= owners; w++)
            {
                assertEquals(steps / 2, index.treeSize(w, 0));
            }
            IndexEquivalence.assertEquivalent(expected, index);
        }
    }

    @Test
    void shouldCountOverflowOfTinyRingWithoutBlockingOrApplyingTwice()
    {
        final int batches = 2000;
        try (OffHeapBlockIndex index = new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(4096));
            ReferenceBlockIndex expected = new ReferenceBlockIndex())
        {
            final IngestPipeline pipeline = new IngestPipeline(new IngestPipeline.Context()
                .addIndex(index, BS).ringSize(8).writeLimit(1).idleStrategy(alwaysPark(200))).start();
            final KvEventBatchDecoder decoder = new KvEventBatchDecoder();
            final List<byte[]> accepted = new ArrayList<>();
            long minRemaining = Long.MAX_VALUE;
            final long start = System.nanoTime();
            for (int i = 0; i < batches; i++)
            {
                final byte[] payload = arrayBatch(null, List.of(stored(uint64List(i + 1L), null, tokens(1, i), BS)));
                if (offer(pipeline, decoder, payload, 1))
                {
                    accepted.add(payload);
                }
                minRemaining = Math.min(minRemaining, pipeline.remainingCapacity());
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(20));
            }
            final long elapsedNs = System.nanoTime() - start;
            final IngestCounters counters = pipeline.counters();
            awaitTrue(() -> counters.applied() == accepted.size());
            pipeline.close();

            assertTrue(elapsedNs < TIMEOUT_NS, "producer took " + elapsedNs + " ns");
            assertEquals(0, minRemaining);
            assertTrue(counters.overflowed() > 0);
            assertEquals(batches, counters.overflowed() + accepted.size());
            assertEquals(accepted.size(), counters.published());
            assertEquals(accepted.size(), counters.applied());
            final EngineEventApplier applier = pipeline.writer().applier(KEY);
            assertEquals(accepted.size(), applier.outcomeCount(EngineEventApplier.APPLIED));
            assertEquals(accepted.size(), applier.indexCounters().get(EventType.STORED, EventStatus.OK));
            feedDirect(expected, accepted, 1);
            IndexEquivalence.assertEquivalent(expected, index);
        }
    }

    @Test
    void shouldApplyRegistryCommandsAndStepOverSkippedAndMisroutedSlots()
    {
        try (OffHeapBlockIndex index = new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(1024));
            IngestPipeline pipeline = new IngestPipeline(new IngestPipeline.Context().addIndex(index, BS).ringSize(8)))
        {
            final KvEventBatchDecoder decoder = new KvEventBatchDecoder();
            final byte[] twoBlocks = arrayBatch(null, List.of(stored(uint64List(1L, 2L), null, tokens(2, 1), BS)));
            assertTrue(offer(pipeline, decoder, twoBlocks, 1));
            assertTrue(offer(pipeline, decoder, twoBlocks, 2));
            assertTrue(offer(pipeline, decoder, new byte[]{ (byte)0x93, 1, (byte)0xc1 }, 1));
            final long misrouted = pipeline.tryClaim();
            decoder.decode(twoBlocks, 0, twoBlocks.length, pipeline.slot(misrouted).batch());
            pipeline.slot(misrouted).engineBatch(KEY, 3, 0, BS * 2);
            pipeline.publish(misrouted);
            assertEquals(4, pipeline.writer().doWork());
            assertEquals(2, index.treeSize(1, 0));
            assertEquals(2, index.treeSize(2, 0));
            assertEquals(0, index.treeSize(3, 0));

            assertTrue(pipeline.offerClearWorker(KEY, 1));
            assertTrue(pipeline.offerRemoveWorker(KEY, 2, IngestSlot.ALL_RANKS));
            assertEquals(2, pipeline.writer().doWork());
            assertEquals(0, index.treeSize(1, 0));
            assertEquals(1, index.ownerCount());

            final IngestCounters counters = pipeline.counters();
            assertEquals(6, counters.published());
            assertEquals(4, counters.applied());
            assertEquals(1, counters.skipped());
            assertEquals(1, counters.rejected());
            assertEquals(8, pipeline.remainingCapacity());
        }
    }

    @Test
    void shouldNotAllocatePerBatchOnceWarm()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        final long threadId = Thread.currentThread().getId();
        final byte[] store = arrayBatch(null, List.of(stored(uint64List(1L, 2L, 3L), null, tokens(3, 5), BS)));
        final byte[] remove = arrayBatch(null, List.of(removed(uint64List(1L))));
        try (OffHeapBlockIndex index = new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(1024));
            IngestPipeline pipeline = new IngestPipeline(new IngestPipeline.Context().addIndex(index, BS).ringSize(64)))
        {
            final KvEventBatchDecoder decoder = new KvEventBatchDecoder();
            publishAndApply(pipeline, decoder, store, remove, 10_000);

            long before = threads.getThreadAllocatedBytes(threadId);
            publishAndApply(pipeline, decoder, store, remove, 10_000);
            final long withDecode = threads.getThreadAllocatedBytes(threadId) - before;

            before = threads.getThreadAllocatedBytes(threadId);
            publishAndApply(pipeline, null, store, remove, 10_000);
            final long pipelineOnly = threads.getThreadAllocatedBytes(threadId) - before;

            assertTrue(pipelineOnly < 1024, "claim, publish and apply allocated " + pipelineOnly + " bytes");
            // msgpack-core's ArrayBufferInput.reset wraps each payload in a new 32-byte MessageBuffer.
            assertTrue(withDecode <= 10_000 * 32 + 1024, "allocated " + withDecode + " bytes over 10k batches");
            assertEquals(30_000, pipeline.counters().applied());
            assertEquals(0, index.treeSize(1, 0));
        }
    }

    static int[] tokens(final int blocks, final int base)
    {
        final int[] tokens = new int[blocks * BS];
        for (int i = 0; i < tokens.length; i++)
        {
            tokens[i] = base * 1000 + i;
        }
        return tokens;
    }

    /**
     * One block per step, each continuing the previous one, then a removal of the second half: applied out of
     * order, stores would miss their parent and the removal would find nothing.
     */
    private static List<byte[]> chain(final long workerId, final int steps)
    {
        final List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < steps; i++)
        {
            final Long parent = 0 == i ? null : hash(workerId, i - 1);
            payloads.add(arrayBatch(null, List.of(stored(
                uint64List(hash(workerId, i)), parent, tokens(1, (int)workerId * 100_000 + i), BS))));
        }
        payloads.add(arrayBatch(null, List.of(removed(uint64List(hash(workerId, steps / 2))))));
        return payloads;
    }

    private static long hash(final long workerId, final int step)
    {
        return (workerId << 32) | (step + 1);
    }

    private static void offerAll(final IngestPipeline pipeline, final List<byte[]> payloads, final long workerId)
    {
        final KvEventBatchDecoder decoder = new KvEventBatchDecoder();
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        for (final byte[] payload : payloads)
        {
            while (!offer(pipeline, decoder, payload, workerId))
            {
                assertTrue(System.nanoTime() < deadline, "ring stayed full");
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
            }
        }
    }

    private static boolean offer(
        final IngestPipeline pipeline, final KvEventBatchDecoder decoder, final byte[] payload, final long workerId)
    {
        final long sequence = pipeline.tryClaim();
        if (sequence < 0)
        {
            return false;
        }
        final IngestSlot slot = pipeline.slot(sequence).skip();
        try
        {
            if (DecodeStatus.OK == decoder.decode(payload, 0, payload.length, slot.batch()))
            {
                slot.engineBatch(KEY, workerId, 0, BS);
            }
        }
        finally
        {
            pipeline.publish(sequence);
        }
        return true;
    }

    private static void publishAndApply(
        final IngestPipeline pipeline,
        final KvEventBatchDecoder decoder,
        final byte[] store,
        final byte[] remove,
        final int batches)
    {
        for (int i = 0; i < batches; i++)
        {
            final byte[] payload = 0 == (i & 1) ? store : remove;
            if (null == decoder)
            {
                republish(pipeline);
            }
            else if (!offer(pipeline, decoder, payload, 1))
            {
                throw new IllegalStateException("ring full");
            }
            if (31 == (i & 31))
            {
                pipeline.writer().doWork();
            }
        }
        pipeline.writer().doWork();
    }

    /**
     * Claim, mark and publish a slot still holding the batch decoded into it one lap before (the ring size is even,
     * so the store and remove payloads keep alternating).
     */
    private static void republish(final IngestPipeline pipeline)
    {
        final long sequence = pipeline.tryClaim();
        if (sequence < 0)
        {
            throw new IllegalStateException("ring full");
        }
        pipeline.slot(sequence).engineBatch(KEY, 1, 0, BS);
        pipeline.publish(sequence);
    }

    private static void feedDirect(final BlockIndex index, final List<byte[]> payloads, final long workerId)
    {
        final KvEventBatchDecoder decoder = new KvEventBatchDecoder();
        final EngineEventApplier applier = new EngineEventApplier(index, BS, KvEventBatchDecoder.DEFAULT_MAX_MM_HASHES);
        final DecodedBatch batch = new DecodedBatch();
        for (final byte[] payload : payloads)
        {
            assertEquals(DecodeStatus.OK, decoder.decode(payload, 0, payload.length, batch));
            applier.apply(batch, workerId, 0);
        }
    }

    private static void awaitTrue(final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "timed out");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static IdleStrategy sleeping(final long micros)
    {
        return new SleepingIdleStrategy(TimeUnit.MICROSECONDS.toNanos(micros));
    }

    /**
     * A writer slowed down: it parks after every duty cycle, busy or not.
     */
    private static IdleStrategy alwaysPark(final long micros)
    {
        return new IdleStrategy()
        {
            public void idle(final int workCount)
            {
                idle();
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
