package io.kvindex.router;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.kvindex.client.ConnectionState;
import io.kvindex.client.IndexerClient;
import io.kvindex.client.IndexerClientContext;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.server.IndexerServer;
import io.kvindex.server.IndexerServerContext;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.kvindex.router.Prompts.prompt;
import static io.kvindex.router.Prompts.store;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A router asking a real indexer server over Aeron IPC through a real {@link IndexerClient}: it scores as a router over
 * the same index in process, and when the indexer is down, or goes away mid-way, it routes on load alone, counts the
 * fallbacks and keeps serving.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class IndexerFallbackTest
{
    private static final String MODEL = "llama";
    private static final int TERM_LENGTH = 64 * 1024;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path tempDir;

    private final WorkerSet workers = new WorkerSet().add(Worker.of(1, 0)).add(Worker.of(2, 0)).add(Worker.of(3, 0));
    private final RoutingDecision decision = new RoutingDecision();
    private final RoutingDecision local = new RoutingDecision();
    private MediaDriver driver;
    private IndexerServer server;
    private IndexerClient client;
    private Router router;
    private Router localRouter;

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(router, localRouter, client, server, driver);
    }

    @Test
    void shouldScoreWithTheIndexersOverlapsAsWithTheSameIndexInProcess()
    {
        server = IndexerServer.launch(serverContext().aeronDirectoryName(tempDir.resolve("aeron").toString()));
        final OffHeapBlockIndex index = server.registerIndex(MODEL, null, Prompts.BLOCK_SIZE);
        store(index, 1, 0, prompt(7, 10), 6);
        store(index, 2, 0, prompt(7, 10), 2);
        store(index, 2, 0, prompt(8, 10), 9);
        client = connect(server.aeronDirectoryName(), true);
        router = Router.launch(context(new IndexerOverlapSource(client, MODEL, null,
            TimeUnit.SECONDS.toNanos(2), SystemNanoClock.INSTANCE, parkingIdle(), 64)));
        localRouter = Router.launch(context(new LocalIndexOverlapSource(index)));

        for (int family = 6; family <= 9; family++)
        {
            final int[] tokens = prompt(family, 10, 1);
            router.bestWorker(tokens, tokens.length, null, "r" + family, decision);
            localRouter.bestWorker(tokens, tokens.length, null, "r" + family, local);
            assertTrue(decision.queried());
            assertFalse(decision.fellBack(), decision::explanation);
            assertEquals(local.explanation(), decision.explanation());
        }
        assertEquals(0, router.counters().get(RouterCounters.INDEXER_FALLBACKS));
        router.bestWorker(prompt(7, 10), 40, null, null, decision);
        assertEquals(6, decision.candidateOverlapBlocks(0));
    }

    @Test
    void shouldRouteOnLoadWhileTheIndexerIsDownAndUseItOnceUp()
    {
        driver = MediaDriver.launch(driverContext());
        client = connect(driver.aeronDirectoryName(), false);
        router = Router.launch(context(new IndexerOverlapSource(client, MODEL, null,
            TimeUnit.SECONDS.toNanos(2), SystemNanoClock.INSTANCE, parkingIdle(), 64)));

        final long startNs = System.nanoTime();
        for (int i = 0; i < 30; i++)
        {
            assertEquals(RoutingStatus.ROUTED, router.bestWorker(prompt(7, 10), 40, null, "down" + i, decision));
            assertTrue(decision.fellBack());
        }
        assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(2), "no waiting while the indexer is down");
        assertEquals(30, router.counters().get(RouterCounters.INDEXER_FALLBACKS));
        assertEquals(30, router.activeRequests());

        server = IndexerServer.launch(serverContext().embeddedDriver(false)
            .aeronDirectoryName(driver.aeronDirectoryName()));
        store(server.registerIndex(MODEL, null, Prompts.BLOCK_SIZE), 2, 0, prompt(9, 10), 10);
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        final IdleStrategy idle = parkingIdle();
        while (ConnectionState.CONNECTED != client.state() && System.nanoTime() - deadlineNs < 0)
        {
            idle.idle(router.doWork());
        }

        router.bestWorker(prompt(9, 10), 40, null, null, decision);
        assertFalse(decision.fellBack(), decision::explanation);
        assertEquals(10, decision.candidateOverlapBlocks(1));
    }

    @Test
    void shouldKeepServingWhenTheIndexerClosesMidWay()
    {
        driver = MediaDriver.launch(driverContext());
        server = IndexerServer.launch(serverContext().embeddedDriver(false)
            .aeronDirectoryName(driver.aeronDirectoryName()));
        store(server.registerIndex(MODEL, null, Prompts.BLOCK_SIZE), 3, 0, prompt(7, 10), 8);
        client = connect(driver.aeronDirectoryName(), true);
        router = Router.launch(context(new IndexerOverlapSource(client, MODEL, null,
            TimeUnit.MILLISECONDS.toNanos(200), SystemNanoClock.INSTANCE, parkingIdle(), 64)));
        for (int i = 0; i < 5; i++)
        {
            router.bestWorker(prompt(7, 10), 40, null, "before" + i, decision);
            assertFalse(decision.fellBack());
            assertEquals(8, decision.candidateOverlapBlocks(2));
            router.free("before" + i);
        }

        server.close();
        server = null;

        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        int routed = 0;
        while (0 == router.counters().get(RouterCounters.INDEXER_FALLBACKS) && System.nanoTime() - deadlineNs < 0)
        {
            assertEquals(RoutingStatus.ROUTED, router.bestWorker(prompt(7, 10), 40, null, null, decision));
            routed++;
        }
        final int before = routed;
        assertTrue(decision.fellBack(), () -> "no fallback after " + before + " decisions: " + client);
        for (int i = 0; i < 20; i++)
        {
            assertEquals(RoutingStatus.ROUTED, router.bestWorker(prompt(7, 10), 40, null, "after" + i, decision));
            assertEquals(0, decision.overlapBlocks());
        }
        assertEquals(20, router.activeRequests());
        assertTrue(router.counters().get(RouterCounters.INDEXER_FALLBACKS) >= 20);
    }

    private RouterContext context(final OverlapSource source)
    {
        return new RouterContext()
            .blockSize(Prompts.BLOCK_SIZE)
            .overlapSource(source)
            .workerSet(workers)
            .random(new SplittableRandom(17));
    }

    private IndexerClient connect(final String aeronDir, final boolean awaitConnected)
    {
        final IndexerClient connected = IndexerClient.connect(new IndexerClientContext()
            .aeronDirectoryName(aeronDir)
            .blockSize(Prompts.BLOCK_SIZE)
            .timeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
            .connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
            .idleStrategy(parkingIdle()));
        if (awaitConnected)
        {
            assertTrue(connected.awaitConnected(DEADLINE_NS), connected::toString);
        }
        return connected;
    }

    private IndexerServerContext serverContext()
    {
        return new IndexerServerContext()
            .maxBlocks(1 << 14)
            .maxOwners(64)
            .termLength(TERM_LENGTH)
            .driverIdleStrategy(parkingIdle())
            .queryIdleStrategy(parkingIdle());
    }

    private MediaDriver.Context driverContext()
    {
        return new MediaDriver.Context()
            .aeronDirectoryName(tempDir.resolve("driver").toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(parkingIdle())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .ipcTermBufferLength(TERM_LENGTH)
            .publicationTermBufferLength(TERM_LENGTH);
    }

    private static IdleStrategy parkingIdle()
    {
        return new BackoffIdleStrategy(1, 1, 1_000, TimeUnit.MICROSECONDS.toNanos(100));
    }
}
