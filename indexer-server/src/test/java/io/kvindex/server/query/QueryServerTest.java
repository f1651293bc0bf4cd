package io.kvindex.server.query;

import io.aeron.driver.MediaDriver;
import io.kvindex.client.IndexerClient;
import io.kvindex.client.OverlapResult;
import io.kvindex.client.OverlapStatus;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.index.ReferenceBlockIndex;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real query server with an embedded media driver answers IndexerClient queries over IPC and UDP exactly as the
 * reference model answers the same events.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class QueryServerTest
{
    private static final String MODEL = "llama";
    private static final String TENANT = "acme";
    private static final int QUERIES = 400;

    private final String serverDir = QueryTestSupport.uniqueAeronDir();
    private final String clientDir = QueryTestSupport.uniqueAeronDir();
    private final ReferenceBlockIndex reference = new ReferenceBlockIndex();
    private final OffHeapBlockIndex offHeap = QueryTestSupport.newOffHeapIndex();
    private final QueryCorpus corpus = new QueryCorpus(42, 64, 24);
    private final IndexRegistry registry = new IndexRegistry();
    private QueryServer server;
    private MediaDriver clientDriver;
    private IndexerClient client;

    @BeforeEach
    void populate()
    {
        corpus.populate(2_000, 12, reference, offHeap);
        registry.register(MODEL, TENANT, offHeap, QueryCorpus.BLOCK_SIZE);
    }

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(client, server, clientDriver, offHeap);
        IoUtil.delete(new File(serverDir), true);
        IoUtil.delete(new File(clientDir), true);
    }

    @Test
    void shouldAnswerAsTheReferenceOverIpc()
    {
        server = QueryServer.launch(QueryTestSupport.serverContext(serverDir, registry));
        client = IndexerClient.connect(QueryTestSupport.clientContext(serverDir));
        assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(5)));

        queryAndCompare();
        assertEquals(QUERIES * 3L, QueryTestSupport.awaitCounter(server, QueryCounters.ANSWERED, QUERIES * 3L));
    }

    @Test
    void shouldAnswerAsTheReferenceOverUdp()
    {
        final String requestChannel = "aeron:udp?endpoint=127.0.0.1:" + QueryTestSupport.freeUdpPort();
        server = QueryServer.launch(QueryTestSupport.serverContext(serverDir, registry).requestChannel(requestChannel));
        clientDriver = MediaDriver.launch(QueryTestSupport.driverContext(clientDir));
        client = IndexerClient.connect(QueryTestSupport.clientContext(clientDir)
            .endpoints(requestChannel)
            .responseChannel("aeron:udp?endpoint=127.0.0.1:0"));
        assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(5)));
        assertTrue(!client.responseChannel().endsWith(":0"), client.responseChannel());

        queryAndCompare();
    }

    @Test
    void shouldAnswerUnknownIndexForAnotherModelOrTenant()
    {
        server = QueryServer.launch(QueryTestSupport.serverContext(serverDir, registry));
        client = IndexerClient.connect(QueryTestSupport.clientContext(serverDir));
        final OverlapResult result = new OverlapResult();
        final long[] hashes = new long[64];
        final int count = corpus.localHashes(0, hashes);

        assertEquals(OverlapStatus.UNKNOWN_INDEX, client.query("other", TENANT, null, hashes, count, result));
        assertEquals(OverlapStatus.UNKNOWN_INDEX, client.query(MODEL, "other", null, hashes, count, result));
        assertEquals(OverlapStatus.UNKNOWN_INDEX, client.query(MODEL, null, null, hashes, count, result));
        assertEquals(OverlapStatus.OK, client.query(MODEL, TENANT, null, hashes, count, result));
        assertEquals(3, QueryTestSupport.awaitCounter(server, QueryCounters.UNKNOWN_INDEX, 3));
        assertEquals(3, client.errorResponseCount());
    }

    @Test
    void shouldShedWithOverloadWhenBacklogged()
    {
        server = QueryServer.launch(QueryTestSupport.serverContext(serverDir, registry).overloadDutyCycles(0));
        client = IndexerClient.connect(QueryTestSupport.clientContext(serverDir));
        final OverlapResult result = new OverlapResult();
        final long[] hashes = new long[64];
        final int count = corpus.localHashes(0, hashes);

        assertEquals(OverlapStatus.OVERLOAD, client.query(MODEL, TENANT, null, hashes, count, result));
        assertEquals(1, QueryTestSupport.awaitCounter(server, QueryCounters.OVERLOADED, 1));
    }

    @Test
    void shouldTimeOutWhenNoServerAnswers()
    {
        clientDriver = MediaDriver.launch(QueryTestSupport.driverContext(clientDir));
        client = IndexerClient.connect(QueryTestSupport.clientContext(clientDir)
            .timeoutNs(TimeUnit.MILLISECONDS.toNanos(50))
            .connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(50)));
        final OverlapResult result = new OverlapResult();

        assertEquals(OverlapStatus.TIMEOUT, client.query(MODEL, TENANT, null, new long[]{1, 2}, 2, result));
        assertEquals(1, client.timeoutCount());
        assertEquals(0, client.sentCount());
    }

    private void queryAndCompare()
    {
        final OverlapResult result = new OverlapResult(4);
        final OverlapResult[] async = new OverlapResult[16];
        for (int i = 0; i < async.length; i++)
        {
            async[i] = new OverlapResult();
        }
        final long[] hashes = new long[64];
        final SplittableRandom random = new SplittableRandom(7);
        final IdleStrategy idle = QueryTestSupport.parkingIdle();
        int nonEmpty = 0;
        for (int q = 0; q < QUERIES; q++)
        {
            final int p = random.nextInt(corpus.promptCount());
            final int[] tokens = corpus.prompt(p);
            final int count = corpus.localHashes(p, hashes);
            final String lora = corpus.loraName(p);

            assertEquals(OverlapStatus.OK, client.query(MODEL, TENANT, lora, hashes, count, result),
                () -> "query " + result + ", " + client + ", server " + server.counters());
            corpus.assertSameAnswer(reference, hashes, count, result);

            assertEquals(OverlapStatus.OK, client.queryTokens(MODEL, TENANT, lora, tokens, tokens.length, result));
            corpus.assertSameAnswer(reference, hashes, count, result);

            final OverlapResult holder = async[q % async.length];
            assertTrue(client.offerTokenIds(MODEL, TENANT, lora, tokens, tokens.length, holder) > 0);
            idle.reset();
            while (!holder.isDone())
            {
                idle.idle(client.poll());
            }
            assertEquals(OverlapStatus.OK, holder.status());
            corpus.assertSameAnswer(reference, hashes, count, holder);
            nonEmpty += holder.size() > 0 ? 1 : 0;
        }
        assertTrue(nonEmpty > QUERIES / 2, "answers with owners: " + nonEmpty);
        assertEquals(QUERIES * 3L, client.answeredCount());
        assertEquals(0, client.timeoutCount());
    }
}
