package io.kvindex.perf;

import io.kvindex.client.IndexerClient;
import io.kvindex.client.IndexerClientContext;
import io.kvindex.client.OverlapResult;
import io.kvindex.client.OverlapStatus;
import io.kvindex.client.QueryProtocol;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.server.IndexerServer;
import io.kvindex.server.IndexerServerContext;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/**
 * One blocking overlap query through the whole query path in this JVM: {@link IndexerClient} encodes the request,
 * Aeron (IPC, or UDP on 127.0.0.1) carries it to an {@link IndexerServer} (embedded SHARED driver that parks, query
 * agent that busy spins) whose agent decodes it, runs {@code findMatches} on a warm {@link SharingWorkload} index of
 * about 1M blocks and answers; the client decodes the answer into a reused {@link OverlapResult}. Two threads spin:
 * this one and the query agent. The time is a back-to-back round trip (no fixed rate: see {@code tools/perf e2e} for
 * latency at an offered rate). With {@code -prof gc}, {@code gc.alloc.rate.norm} counts the bytes every thread of the
 * JVM allocated (client, query agent, driver, Aeron conductors) per query. Not final: JMH subclasses benchmark classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 2, jvmArgs = { "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch" })
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class QueryRoundTripBenchmark
{
    private static final String MODEL = "kvindex-bench";
    private static final int BLOCK_SIZE = 16;

    /** Blocks (nodes) of the warm index. */
    @Param({ "1000000" })
    public int blocks;

    /** {@code ipc} or {@code udp} (127.0.0.1). */
    @Param({ "ipc", "udp" })
    public String transport;

    private IndexerServer server;
    private IndexerClient client;
    private long[][] queries;
    private int queryBlocks;
    private int queryMask;
    private int next;
    private final OverlapResult result = new OverlapResult(64);

    /**
     * Start the server, warm its index, connect the client and check every query is answered OK.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final SharingWorkload workload = new SharingWorkload(Workloads.context(blocks, Workloads.SHARED_ENGINE_HASHES));
        queries = workload.queries();
        queryBlocks = workload.context().queryBlocks();
        queryMask = Workloads.powerOfTwoMask(queries.length);
        final boolean udp = "udp".equals(transport);
        if (!udp && !"ipc".equals(transport))
        {
            throw new IllegalArgumentException("transport: ipc or udp, not " + transport);
        }
        final String channel = udp ? "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort() : "aeron:ipc";
        server = IndexerServer.launch(new IndexerServerContext()
            .maxBlocks(Math.toIntExact(workload.capacityHint()))
            .maxOwners(workload.owners())
            .queryChannel(channel)
            .queryIdleStrategy(new BusySpinIdleStrategy()));
        final OffHeapBlockIndex index = server.registerIndex(MODEL, null, BLOCK_SIZE);
        workload.populate(index);
        client = IndexerClient.connect(new IndexerClientContext()
            .aeronDirectoryName(server.aeronDirectoryName())
            .addEndpoint(channel, server.context().queryStreamId())
            .responseChannel(udp ? "aeron:udp?endpoint=127.0.0.1:0" : QueryProtocol.DEFAULT_RESPONSE_CHANNEL)
            .idleStrategy(new BusySpinIdleStrategy()));
        if (!client.awaitConnected(TimeUnit.SECONDS.toNanos(10)))
        {
            throw new IllegalStateException("client not connected: " + client);
        }
        for (int q = 0; q < queries.length; q++)
        {
            if (OverlapStatus.OK != client.query(MODEL, null, null, queries[q], queryBlocks, result))
            {
                throw new IllegalStateException("query " + q + ": " + result);
            }
        }
        System.out.printf("%n%s: %s%n", transport, workload.describe());
    }

    /**
     * Close the client and the server.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        CloseHelper.closeAll(client, server);
    }

    /**
     * One query and its answer.
     *
     * @return owners in the answer, for the blackhole.
     */
    @Benchmark
    public int query()
    {
        final int q = next;
        next = (q + 1) & queryMask;
        client.query(MODEL, null, null, queries[q], queryBlocks, result);
        return result.size();
    }

    private static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getByName("127.0.0.1")))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
