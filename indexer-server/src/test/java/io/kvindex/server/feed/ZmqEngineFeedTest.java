package io.kvindex.server.feed;

import io.kvindex.client.BlockHasher;
import io.kvindex.index.IndexEquivalence;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.index.ReferenceBlockIndex;
import io.kvindex.server.pipeline.IngestPipeline;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.kvindex.server.feed.EngineEventApplierTest.tokens;
import static io.kvindex.server.feed.EnginePayloads.arrayBatch;
import static io.kvindex.server.feed.EnginePayloads.removed;
import static io.kvindex.server.feed.EnginePayloads.stored;
import static io.kvindex.server.feed.EnginePayloads.uint64List;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A real JeroMQ publisher on 127.0.0.1 feeding a {@link ZmqEngineFeed} stepped by hand: good batches are applied,
 * bad frames and payloads are counted, and batches that find the ring full are held until it has room.
 */
class ZmqEngineFeedTest
{
    private static final int BS = 4;
    private static final long WORKER = 9;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    @Test
    void shouldApplyBatchesFromSocketAndCountBadMessages()
    {
        try (ZContext context = new ZContext(1);
            OffHeapBlockIndex index = new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(1024));
            ReferenceBlockIndex expected = new ReferenceBlockIndex())
        {
            final ZMQ.Socket publisher = context.createSocket(SocketType.XPUB);
            publisher.setLinger(0);
            final int port = publisher.bindToRandomPort("tcp://127.0.0.1");
            try (ZmqEngineFeed feed = new ZmqEngineFeed(context, "tcp://127.0.0.1:" + port, false, "", WORKER, 0,
                new KvEventBatchDecoder(), new EngineEventApplier(index, BS, 16)))
            {
                FakeEngine.awaitSubscription(publisher, feed::doWork);

                send(publisher, 0, arrayBatch(null, List.of(stored(uint64List(1L, 2L), null, tokens(2, 1), BS))));
                send(publisher, 1, arrayBatch(null, List.of(removed(uint64List(2L)))));
                publisher.sendMore(new byte[0]);
                publisher.send(seq(2));
                publisher.sendMore(new byte[0]);
                publisher.sendMore(seq(2));
                publisher.sendMore(new byte[]{ (byte)0x90 });
                publisher.send(new byte[0]);
                publisher.sendMore(new byte[0]);
                publisher.sendMore(new byte[4]);
                publisher.send(new byte[]{ (byte)0x90 });
                send(publisher, 2, new byte[]{ (byte)0x93, 1, (byte)0xc1 });
                send(publisher, 3, arrayBatch(1, List.of(stored(uint64List(3L), null, tokens(1, 3), BS))));
                send(publisher, 4, arrayBatch(null, List.of(stored(uint64List(4L), 1L, tokens(1, 4), BS))));

                final long deadline = System.nanoTime() + TIMEOUT_NS;
                while (feed.messages() < 8 && System.nanoTime() < deadline)
                {
                    if (0 == feed.doWork())
                    {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    }
                }

                assertEquals(8, feed.messages());
                assertEquals(3, feed.malformedFrames());
                assertEquals(0, feed.seqGaps());
                assertEquals(0, feed.missedBatches());
                assertEquals(0, feed.seqRestarts());
                assertEquals(0, feed.lateJoins());
                assertEquals(4, feed.lastSeq());
                assertEquals(1, feed.decoder().batchCount(DecodeStatus.MALFORMED));
                assertEquals(4, feed.decoder().batchCount(DecodeStatus.OK));
            }

            final BlockHasher hasher = new BlockHasher(BS);
            expected.store(WORKER, 0, false, 0, new long[]{ 1, 2 }, local(hasher, tokens(2, 1)), 2);
            expected.remove(WORKER, 0, new long[]{ 2 }, 1);
            expected.store(WORKER, 1, false, 0, new long[]{ 3 }, local(hasher, tokens(1, 3)), 1);
            expected.store(WORKER, 0, true, 1, new long[]{ 4 }, local(hasher, tokens(1, 4)), 1);
            IndexEquivalence.assertEquivalent(expected, index);
        }
    }

    @Test
    void shouldDecodeIntoPipelineSlotsSkipBadPayloadsAndHoldWhileTheRingIsFull()
    {
        try (ZContext context = new ZContext(1);
            OffHeapBlockIndex index = new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(1024));
            ReferenceBlockIndex expected = new ReferenceBlockIndex();
            IngestPipeline pipeline = new IngestPipeline(new IngestPipeline.Context().addIndex(index, BS).ringSize(4)))
        {
            final ZMQ.Socket publisher = context.createSocket(SocketType.XPUB);
            publisher.setLinger(0);
            final int port = publisher.bindToRandomPort("tcp://127.0.0.1");
            try (ZmqEngineFeed feed = new ZmqEngineFeed(context, "tcp://127.0.0.1:" + port, false, "", WORKER, 0,
                new KvEventBatchDecoder(), pipeline, 0))
            {
                FakeEngine.awaitSubscription(publisher, feed::doWork);
                send(publisher, 0, arrayBatch(null, List.of(stored(uint64List(1L, 2L), null, tokens(2, 1), BS))));
                send(publisher, 1, new byte[]{ (byte)0x93, 1, (byte)0xc1 });
                send(publisher, 2, arrayBatch(null, List.of(removed(uint64List(2L)))));
                send(publisher, 3, arrayBatch(1, List.of(stored(uint64List(3L), null, tokens(1, 3), BS))));
                send(publisher, 4, arrayBatch(null, List.of(stored(uint64List(5L), null, tokens(1, 5), BS))));
                send(publisher, 5, arrayBatch(null, List.of(stored(uint64List(6L), null, tokens(1, 6), BS))));

                final long deadline = System.nanoTime() + TIMEOUT_NS;
                while (feed.messages() < 6 && System.nanoTime() < deadline)
                {
                    if (0 == feed.doWork())
                    {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    }
                }

                assertEquals(6, feed.messages());
                assertEquals(1, feed.overflows());
                assertEquals(2, feed.heldBatches());
                assertEquals(0, index.treeSize(WORKER, 0));
                assertEquals(4, pipeline.writer().doWork());
                assertEquals(3, pipeline.counters().applied());
                assertEquals(1, pipeline.counters().skipped());
                assertEquals(4, pipeline.remainingCapacity());
                assertEquals(2, feed.doWork());
                assertEquals(2, pipeline.writer().doWork());
                assertEquals(0, feed.heldBatches());
                assertEquals(5, feed.lastSeq());
                assertEquals(0, feed.seqGaps());
            }

            final BlockHasher hasher = new BlockHasher(BS);
            expected.store(WORKER, 0, false, 0, new long[]{ 1, 2 }, local(hasher, tokens(2, 1)), 2);
            expected.remove(WORKER, 0, new long[]{ 2 }, 1);
            expected.store(WORKER, 1, false, 0, new long[]{ 3 }, local(hasher, tokens(1, 3)), 1);
            expected.store(WORKER, 0, false, 0, new long[]{ 5 }, local(hasher, tokens(1, 5)), 1);
            expected.store(WORKER, 0, false, 0, new long[]{ 6 }, local(hasher, tokens(1, 6)), 1);
            IndexEquivalence.assertEquivalent(expected, index);
        }
    }

    private static void send(final ZMQ.Socket publisher, final long seq, final byte[] payload)
    {
        publisher.sendMore(new byte[0]);
        publisher.sendMore(seq(seq));
        publisher.send(payload);
    }

    private static byte[] seq(final long seq)
    {
        return ByteBuffer.allocate(Long.BYTES).putLong(seq).array();
    }

    private static long[] local(final BlockHasher hasher, final int[] tokens)
    {
        final long[] hashes = new long[tokens.length / BS];
        hasher.localHashes(tokens, tokens.length, hashes);
        return hashes;
    }
}
