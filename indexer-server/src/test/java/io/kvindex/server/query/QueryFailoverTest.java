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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two replicas with the same data on one external media driver; one is closed while queries are in flight and the
 * client keeps answering through the other.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class QueryFailoverTest
{
    private static final String MODEL = "llama";
    private static final int IN_FLIGHT = 16;
    private static final int QUERIES = 1_000;
    private static final int CLOSE_AFTER = 300;

    private final String aeronDir = QueryTestSupport.uniqueAeronDir();
    private final ReferenceBlockIndex reference = new ReferenceBlockIndex();
    private final OffHeapBlockIndex indexA = QueryTestSupport.newOffHeapIndex();
    private final OffHeapBlockIndex indexB = QueryTestSupport.newOffHeapIndex();
    private final QueryCorpus corpus = new QueryCorpus(11, 48, 16);
    private MediaDriver driver;
    private QueryServer serverA;
    private QueryServer serverB;
    private IndexerClient client;
    private int answeredSoFar;

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(client, serverA, serverB, driver, indexA, indexB);
        IoUtil.delete(new File(aeronDir), true);
    }

    @Test
    void shouldKeepAnsweringThroughTheOtherReplicaWhenOneCloses()
    {
        corpus.populate(1_500, 8, reference, indexA, indexB);
        final IndexRegistry registryA = new IndexRegistry();
        registryA.register(MODEL, null, indexA, QueryCorpus.BLOCK_SIZE);
        final IndexRegistry registryB = new IndexRegistry();
        registryB.register(MODEL, null, indexB, QueryCorpus.BLOCK_SIZE);

        driver = MediaDriver.launch(QueryTestSupport.driverContext(aeronDir));
        serverA = QueryServer.launch(
            QueryTestSupport.serverContext(aeronDir, registryA).embeddedDriver(false).requestStreamId(1001));
        serverB = QueryServer.launch(
            QueryTestSupport.serverContext(aeronDir, registryB).embeddedDriver(false).requestStreamId(2001));
        client = IndexerClient.connect(QueryTestSupport.clientContext(aeronDir)
            .endpoints("1001@aeron:ipc,2001@aeron:ipc")
            .timeoutNs(TimeUnit.SECONDS.toNanos(1))
            .connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
            .maxAttempts(4));
        assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(5)));
        assertEquals(0, client.endpointIndex());

        final int answered = runQueries();

        assertEquals(QUERIES, answered);
        assertEquals(1, client.endpointIndex());
        assertTrue(client.failoverCount() >= 1, "failovers " + client.failoverCount());
        final long answeredA = serverA.counters().get(QueryCounters.ANSWERED);
        final long answeredB = QueryTestSupport.awaitCounter(serverB, QueryCounters.ANSWERED, QUERIES - answeredA);
        assertTrue(answeredA > 0 && answeredB > 0 && answeredA + answeredB >= QUERIES,
            () -> "A " + serverA.counters() + ", B " + serverB.counters());
    }

    private int runQueries()
    {
        final OverlapResult[] results = new OverlapResult[IN_FLIGHT];
        final int[] prompts = new int[IN_FLIGHT];
        final long[][] hashes = new long[IN_FLIGHT][64];
        final int[] counts = new int[IN_FLIGHT];
        for (int i = 0; i < IN_FLIGHT; i++)
        {
            results[i] = new OverlapResult();
            prompts[i] = -1;
        }
        final SplittableRandom random = new SplittableRandom(3);
        final IdleStrategy idle = QueryTestSupport.parkingIdle();
        int offered = 0;
        int answered = 0;
        while (answered < QUERIES)
        {
            for (int i = 0; i < IN_FLIGHT; i++)
            {
                if (prompts[i] >= 0 && results[i].isDone())
                {
                    assertEquals(OverlapStatus.OK, results[i].status(), () -> "answered " + answeredSoFar +
                        ", client " + client + ", A " + serverA.counters() + ", B " + serverB.counters());
                    corpus.assertSameAnswer(reference, hashes[i], counts[i], results[i]);
                    prompts[i] = -1;
                    answeredSoFar = answered + 1;
                    if (++answered == CLOSE_AFTER)
                    {
                        serverA.close();
                    }
                }
                if (prompts[i] < 0 && offered < QUERIES)
                {
                    prompts[i] = random.nextInt(corpus.promptCount());
                    counts[i] = corpus.localHashes(prompts[i], hashes[i]);
                    final int[] tokens = corpus.prompt(prompts[i]);
                    assertTrue(client.offerTokenIds(
                        MODEL, null, corpus.loraName(prompts[i]), tokens, tokens.length, results[i]) > 0);
                    offered++;
                }
            }
            idle.idle(client.poll());
        }
        return answered;
    }
}
