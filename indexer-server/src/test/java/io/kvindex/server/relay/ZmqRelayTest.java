package io.kvindex.server.relay;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.kvindex.client.KvEventPublisher;
import io.kvindex.index.BlockIndex;
import io.kvindex.index.IndexEquivalence;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.index.OverlapScores;
import io.kvindex.index.ReferenceBlockIndex;
import io.kvindex.server.feed.AeronEventFeed;
import io.kvindex.server.feed.AeronFeedCounters;
import io.kvindex.server.feed.ZmqEngineFeed;
import io.kvindex.server.pipeline.IngestPipeline;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.kvindex.server.feed.EventTestSupport.awaitTrue;
import static io.kvindex.server.feed.EventTestSupport.driverContext;
import static io.kvindex.server.feed.EventTestSupport.parkingIdle;
import static io.kvindex.server.feed.EventTestSupport.uniqueAeronDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Real JeroMQ publishers on 127.0.0.1 sending vLLM-format batches to a {@link ZmqRelay}, which republishes them
 * over Aeron to {@link AeronEventFeed}s: over IPC to one indexer, and over UDP multi-destination-cast to two indexer
 * replicas with their own media drivers. Every index ends equal to the reference fed the same batches through the
 * indexer's own decoder and applier, and answers the same queries.
 */
class ZmqRelayTest
{
    private static final int BS = 4;
    private static final String MODEL = "llama";
    private static final int BATCHES = 1500;
    private static final long[] WORKERS = { 11, 0xFFFF_0000_0000_0012L };
    private static final int[] RANKS = { 0, 3 };

    @Test
    @Timeout(120)
    void shouldRelayEngineBatchesOverIpcIntoAnIndexEqualToTheReference()
    {
        final String dir = uniqueAeronDir("relay");
        try (MediaDriver driver = MediaDriver.launch(driverContext(dir));
            ZContext zmq = new ZContext(1);
            Replica replica = new Replica(driver.aeronDirectoryName(), "aeron:ipc");
            ReferenceBlockIndex expected = new ReferenceBlockIndex())
        {
            final List<ZMQ.Socket> engines = bindEngines(zmq);
            final ZmqRelay.Context ctx = relayContext(engines, "aeron:ipc")
                .embeddedDriver(false).aeronDirectoryName(driver.aeronDirectoryName());
            try (ZmqRelay relay = ZmqRelay.launch(ctx))
            {
                relayAndCompare(relay, engines, List.of(replica), expected);
            }
        }
    }

    @Test
    @Timeout(120)
    void shouldRelayToTwoReplicasOverUdpMultiDestinationCast()
    {
        final String control = "127.0.0.1:" + freeUdpPort();
        final String relayChannel = "aeron:udp?control=" + control + "|control-mode=dynamic|fc=min";
        try (ZContext zmq = new ZContext(1);
            MediaDriver driverA = MediaDriver.launch(driverContext(uniqueAeronDir("replica-a")));
            MediaDriver driverB = MediaDriver.launch(driverContext(uniqueAeronDir("replica-b")));
            Replica a = new Replica(driverA.aeronDirectoryName(), replicaChannel(control));
            Replica b = new Replica(driverB.aeronDirectoryName(), replicaChannel(control));
            ReferenceBlockIndex expected = new ReferenceBlockIndex())
        {
            final List<ZMQ.Socket> engines = bindEngines(zmq);
            final ZmqRelay.Context ctx = relayContext(engines, relayChannel)
                .aeronDirectoryName(uniqueAeronDir("relay")).termLength(64 * 1024);
            try (ZmqRelay relay = ZmqRelay.launch(ctx))
            {
                relayAndCompare(relay, engines, List.of(a, b), expected);
            }
        }
    }

    private static void relayAndCompare(
        final ZmqRelay relay, final List<ZMQ.Socket> engines, final List<Replica> replicas, final BlockIndex expected)
    {
        for (final ZMQ.Socket engine : engines)
        {
            assertNotNull(engine.recv(), "the relay never subscribed");
        }
        for (final Replica replica : replicas)
        {
            awaitTrue(replica.feed::isConnected, () -> "replica never connected");
        }
        final KvEventPublisher publisher = relay.publisher();
        awaitTrue(publisher::isConnected, () -> "relay publication never connected");

        final List<EngineBatchStream> streams = new ArrayList<>();
        long events = 0;
        for (int e = 0; e < engines.size(); e++)
        {
            final EngineBatchStream stream = new EngineBatchStream(e + 1, BS, BATCHES);
            events += stream.applyTo(expected, WORKERS[e], RANKS[e]);
            streams.add(stream);
        }
        for (int i = 0; i < BATCHES; i++)
        {
            for (int e = 0; e < engines.size(); e++)
            {
                send(engines.get(e), i, streams.get(e).payloads().get(i));
            }
            if (99 == i % 100)
            {
                final long sent = i + 1;
                for (final ZmqEngineFeed feed : relay.feeds())
                {
                    awaitTrue(() -> feed.messages() == sent, () -> "relay received " + feed.messages());
                }
            }
        }

        final long published = events;
        awaitTrue(() -> publisher.publishedCount() == published, () -> "relay published " +
            publisher.publishedCount() + " of " + published);
        for (final Replica replica : replicas)
        {
            awaitTrue(() -> replica.events() == published && replica.pipeline.counters().applied() == published,
                () -> "replica has " + replica.feed.counters() + " of " + published + " published events");
            IndexEquivalence.assertEquivalent(expected, replica.index);
            assertSameAnswers(expected, replica.index);
        }
        assertEquals(0, publisher.failureCount(KvEventPublisher.NOT_CONNECTED) +
            publisher.failureCount(KvEventPublisher.BACK_PRESSURED));
        for (final ZmqEngineFeed feed : relay.feeds())
        {
            assertEquals(0, feed.seqGaps() + feed.malformedFrames());
        }
    }

    private static void assertSameAnswers(final BlockIndex expected, final BlockIndex actual)
    {
        final OverlapScores want = new OverlapScores(64);
        final OverlapScores got = new OverlapScores(64);
        expected.dump((workerId, dpRank, hasParent, parent, engineHashes, localHashes, count) ->
        {
            if (!hasParent)
            {
                expected.findMatches(localHashes, count, want);
                actual.findMatches(localHashes, count, got);
                assertEquals(want.size(), got.size());
                for (int i = 0; i < want.size(); i++)
                {
                    assertEquals(want.matchedBlocks(i), got.matchedBlocks(want.workerId(i), want.dpRank(i)));
                }
            }
        });
    }

    private static ZmqRelay.Context relayContext(final List<ZMQ.Socket> engines, final String channel)
    {
        final ZmqRelay.Context ctx = new ZmqRelay.Context()
            .model(MODEL)
            .blockSize(BS)
            .channel(channel)
            .offerTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .idleStrategy(parkingIdle());
        for (int e = 0; e < engines.size(); e++)
        {
            ctx.addEngine(engines.get(e).getLastEndpoint(), WORKERS[e], RANKS[e]);
        }
        return ctx;
    }

    private static List<ZMQ.Socket> bindEngines(final ZContext zmq)
    {
        final List<ZMQ.Socket> engines = new ArrayList<>();
        for (int e = 0; e < WORKERS.length; e++)
        {
            final ZMQ.Socket engine = zmq.createSocket(SocketType.XPUB);
            engine.setLinger(0);
            engine.setReceiveTimeOut((int)TimeUnit.SECONDS.toMillis(10));
            engine.bindToRandomPort("tcp://127.0.0.1");
            engines.add(engine);
        }
        return engines;
    }

    private static void send(final ZMQ.Socket engine, final long seq, final byte[] payload)
    {
        engine.sendMore(new byte[0]);
        engine.sendMore(ByteBuffer.allocate(Long.BYTES).putLong(seq).array());
        engine.send(payload);
    }

    private static String replicaChannel(final String control)
    {
        return "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort() + "|control=" + control + "|control-mode=dynamic";
    }

    private static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * One indexer: an Aeron client on its driver, an index, a pipeline and an Aeron event feed.
     */
    private static final class Replica implements AutoCloseable
    {
        final Aeron aeron;
        final OffHeapBlockIndex index;
        final IngestPipeline pipeline;
        final AeronEventFeed feed;

        Replica(final String aeronDir, final String channel)
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
            index = new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(1 << 16).maxOwners(16));
            pipeline = new IngestPipeline(new IngestPipeline.Context()
                .addIndex(index, BS).ringSize(256).idleStrategy(parkingIdle())).start();
            feed = AeronEventFeed.launch(new AeronEventFeed.Context()
                .aeron(aeron).channel(channel).pipeline(pipeline).addRoute(MODEL, "", 0).idleStrategy(parkingIdle()));
        }

        long events()
        {
            final AeronFeedCounters counters = feed.counters();
            return counters.get(AeronFeedCounters.STORED) + counters.get(AeronFeedCounters.REMOVED) +
                counters.get(AeronFeedCounters.CLEARED);
        }

        @Override
        public void close()
        {
            CloseHelper.closeAll(feed, pipeline, index, aeron);
        }
    }
}
