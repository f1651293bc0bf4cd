package io.kvindex.router.api;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.kvindex.router.PotentialLoads;
import io.kvindex.router.RouteOverrides;
import io.kvindex.router.Router;
import io.kvindex.router.RouterContext;
import io.kvindex.router.RoutingDecision;
import io.kvindex.router.RoutingStatus;
import io.kvindex.router.Worker;
import io.kvindex.router.WorkerSet;
import io.kvindex.router.codecs.RouterStatus;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class RouterClientTest
{
    static final int BLOCK_SIZE = 4;
    private static final int TERM_LENGTH = 64 * 1024;

    @TempDir
    Path tempDir;

    private MediaDriver driver;
    private Aeron aeron;
    private RouterService serviceA;
    private RouterService serviceB;
    private RouterClient clientA;
    private RouterClient clientB;
    private Router direct;

    @BeforeEach
    void before()
    {
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(tempDir.resolve("aeron").toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .ipcTermBufferLength(TERM_LENGTH)
            .publicationTermBufferLength(TERM_LENGTH));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
    }

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(clientA, clientB, serviceA, serviceB, direct, aeron, driver);
    }

    static RouterContext approximateContext(final WorkerSet workers)
    {
        return new RouterContext()
            .kvEvents(false)
            .blockSize(BLOCK_SIZE)
            .workerSet(workers)
            .random(new SplittableRandom(7));
    }

    static WorkerSet workers(final long... ids)
    {
        final WorkerSet set = new WorkerSet();
        for (final long id : ids)
        {
            set.add(Worker.of(id, 0));
        }
        return set;
    }

    static int[] prompt(final int family, final int tokens)
    {
        final int[] prompt = new int[tokens];
        for (int i = 0; i < tokens; i++)
        {
            prompt[i] = family * 1000 + i;
        }
        return prompt;
    }

    private RouterService launch(final int streamId, final WorkerSet workers)
    {
        return RouterService.launch(new RouterServiceContext()
            .aeron(aeron)
            .requestStreamId(streamId)
            .idleStrategy(new SleepingMillisIdleStrategy(1))
            .routerContext(approximateContext(workers)));
    }

    private RouterClient connect(final int requestStreamId, final int responseStreamId)
    {
        return RouterClient.connect(new RouterClientContext()
            .aeron(aeron)
            .requestStreamId(requestStreamId)
            .responseStreamId(responseStreamId)
            .timeoutNs(TimeUnit.SECONDS.toNanos(5)));
    }

    @Test
    void shouldAnswerBestWorkerAsADirectRouterCall()
    {
        serviceA = launch(2001, workers(1, 2, 3));
        clientA = connect(2001, 2002);
        direct = Router.launch(approximateContext(workers(1, 2, 3)));
        final RouteResult result = new RouteResult();
        final RoutingDecision decision = new RoutingDecision();
        final RouteOverrides overrides = new RouteOverrides();
        for (int i = 0; i < 20; i++)
        {
            final int[] tokens = prompt(i % 4, 8 + 4 * i);
            final String id = 0 == i % 3 ? null : "r" + i;
            overrides.reset().overlapScoreWeight(0 == i % 5 ? 0.5 : Double.NaN);
            assertEquals(RouterStatus.OK, clientA.bestWorker(tokens, tokens.length, overrides, id, result));
            assertEquals(RoutingStatus.ROUTED, direct.bestWorker(tokens, tokens.length, overrides, id, decision));
            assertEquals(decision.workerId(), result.workerId(), decision::explanation);
            assertEquals(decision.overlapBlocks(), result.overlapBlocks());
            assertEquals(null != id, result.booked());
        }
        final long[] hashes = {11L, 12L, 13L};
        assertEquals(RouterStatus.OK, clientA.bestWorkerForHashes(hashes, 3, 12, null, null, result));
        direct.bestWorkerForHashes(hashes, 3, 12, null, null, decision);
        assertEquals(decision.workerId(), result.workerId());
    }

    @Test
    void shouldBookAndFreeAndReportLoadsAndDump()
    {
        serviceA = launch(2001, workers(1, 2));
        clientA = connect(2001, 2002);
        final RouteResult result = new RouteResult();
        final int[] tokens = prompt(1, 16);
        final RouteOverrides forced = new RouteOverrides().forceWorker(2, 0);
        assertEquals(RouterStatus.OK, clientA.bestWorker(tokens, tokens.length, forced, "a", result));
        assertEquals(2, result.workerId());
        assertTrue(result.booked());
        assertEquals(RouterStatus.DUPLICATE_REQUEST, clientA.bestWorker(tokens, tokens.length, null, "a", result));
        assertEquals(RouterStatus.UNKNOWN_WORKER,
            clientA.bestWorker(tokens, tokens.length, new RouteOverrides().forceWorker(9, 0), null, result));

        final PotentialLoads loads = new PotentialLoads();
        assertEquals(RouterStatus.OK, clientA.potentialLoads(tokens, tokens.length, null, loads));
        assertEquals(2, loads.size());
        assertEquals(16, prefillOf(loads, 2), "worker 2 holds a's 16 prefill tokens; the prompt is cached there");
        assertEquals(RouterStatus.OK, clientA.markPrefillComplete("a"));
        clientA.potentialLoads(tokens, tokens.length, null, loads);
        assertEquals(0, prefillOf(loads, 2));
        assertEquals(RouterStatus.OK, clientA.free("a"));
        assertEquals(RouterStatus.UNKNOWN_REQUEST, clientA.free("a"));
        assertEquals(0, serviceA.call(Router::activeRequests).join());

        final long[] blocks = new long[1];
        assertEquals(RouterStatus.OK, clientA.dumpEvents((w, dp, hasParent, parent, engine, local, n) ->
        {
            assertEquals(2, w);
            blocks[0] += n;
        }));
        assertEquals(4, blocks[0]);
        assertTrue(clientA.dumpEventCount() >= 1);
    }

    @Test
    void shouldKeepTwoRoutersInOneJvmApart()
    {
        serviceA = launch(2001, workers(1));
        serviceB = launch(2011, workers(5));
        clientA = connect(2001, 2002);
        clientB = connect(2011, 2012);
        final RouteResult result = new RouteResult();
        final int[] tokens = prompt(3, 12);
        assertEquals(RouterStatus.OK, clientA.bestWorker(tokens, tokens.length, null, "x", result));
        assertEquals(1, result.workerId());
        assertEquals(RouterStatus.OK, clientB.bestWorker(tokens, tokens.length, null, "x", result));
        assertEquals(5, result.workerId());
        assertEquals(RouterStatus.OK, clientA.free("x"));
        assertEquals(0, serviceA.call(Router::activeRequests).join());
        assertEquals(1, serviceB.call(Router::activeRequests).join());
        assertFalse(serviceA.roleName().equals(serviceB.roleName()));
    }

    @Test
    void shouldTimeOutWhenTheRouterStops()
    {
        serviceA = launch(2001, workers(1));
        clientA = RouterClient.connect(new RouterClientContext().aeron(aeron).requestStreamId(2001)
            .responseStreamId(2002).timeoutNs(TimeUnit.MILLISECONDS.toNanos(300)));
        serviceA.close();
        final RouteResult result = new RouteResult();
        final RouterStatus status = clientA.bestWorker(prompt(1, 8), 8, null, null, result);
        assertTrue(RouterStatus.TIMEOUT == status || RouterStatus.NOT_CONNECTED == status, status::toString);
        assertEquals(status, result.status());
    }

    private static long prefillOf(final PotentialLoads loads, final long workerId)
    {
        for (int i = 0; i < loads.size(); i++)
        {
            if (loads.workerId(i) == workerId)
            {
                return loads.potentialPrefillTokens(i);
            }
        }
        return -1;
    }
}
