package io.kvindex.router.sync;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.kvindex.router.PotentialLoads;
import io.kvindex.router.RouteOverrides;
import io.kvindex.router.Router;
import io.kvindex.router.RouterContext;
import io.kvindex.router.RoutingDecision;
import io.kvindex.router.Worker;
import io.kvindex.router.WorkerSet;
import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Router replicas in one JVM syncing over Aeron IPC through a real embedded media driver: bookings, prefill completion
 * and frees show in the other replica's loads, a late replica gets a snapshot, a vanished replica's bookings expire.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ReplicaSyncTest
{
    private static final int BLOCK_SIZE = 4;
    private static final int TERM_LENGTH = 64 * 1024;
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);

    @TempDir
    Path tempDir;

    private final WorkerSet workers = new WorkerSet().add(Worker.of(1, 0)).add(Worker.of(2, 0));
    private final CachedNanoClock clock = new CachedNanoClock();
    private final RoutingDecision decision = new RoutingDecision();
    private final RouteOverrides overrides = new RouteOverrides();
    private final List<Router> routers = new ArrayList<>();
    private MediaDriver driver;
    private Aeron aeron;

    @BeforeEach
    void before()
    {
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(tempDir.resolve("driver").toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .ipcTermBufferLength(TERM_LENGTH)
            .publicationTermBufferLength(TERM_LENGTH));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        clock.update(1_000 * SECOND_NS);
    }

    @AfterEach
    void after()
    {
        routers.forEach(CloseHelper::quietClose);
        CloseHelper.closeAll(aeron, driver);
    }

    @Test
    void shouldShowOneReplicasBookingsInTheOthersLoadsUntilFreed()
    {
        final Router a = launch(1, SECOND_NS);
        final Router b = launch(2, SECOND_NS);
        startAll();

        a.bestWorker(prompt(1, 5), 20, overrides.reset().forceWorker(1, 0), "r1", decision);
        await(() -> 5 == b.activeBlocks(1, 0));
        assertEquals(20, b.activePrefillTokens(1, 0));
        assertEquals(1, b.replicaLoads().requests(1));
        assertEquals(0, b.activeRequests(), "a replica's bookings are not the router's own");

        final PotentialLoads loads = new PotentialLoads();
        b.potentialLoads(prompt(1, 5), 20, null, loads);
        assertEquals(5, decodeBlocksOf(loads, 1), "the peer's blocks are active, the prompt adds none");
        assertEquals(20 + 20, prefillTokensOf(loads, 1));
        assertEquals(5, decodeBlocksOf(loads, 2));

        b.bestWorker(prompt(1, 6), 24, overrides.reset().forceWorker(1, 0), "r1", decision);
        assertEquals(6, b.activeBlocks(1, 0), "blocks shared across replicas count once");
        await(() -> 6 == a.activeBlocks(1, 0));

        assertTrue(a.markPrefillComplete("r1"));
        await(() -> 24 == b.activePrefillTokens(1, 0));
        assertTrue(a.free("r1"));
        await(() -> 0 == b.replicaLoads().requests(1));
        assertEquals(6, b.activeBlocks(1, 0), "b's own request still holds its blocks");
        assertTrue(b.free("r1"));
        await(() -> 0 == a.activeBlocks(1, 0));
        assertEquals(0, b.activeBlocks(1, 0));
        assertEquals(0, a.activePrefillTokens(1, 0));
    }

    @Test
    void shouldGiveALateReplicaItsPeersBookingsBeforeItServes()
    {
        final Router a = launch(1, SECOND_NS);
        final Router b = launch(2, SECOND_NS);
        startAll();
        a.bestWorker(prompt(1, 3), 12, overrides.reset().forceWorker(1, 0), "a1", decision);
        a.bestWorker(prompt(2, 4), 16, overrides.reset().forceWorker(2, 0), "a2", decision);
        a.markPrefillComplete("a2");
        b.bestWorker(prompt(3, 2), 8, overrides.reset().forceWorker(2, 0), "b1", decision);
        await(() -> 2 == b.replicaLoads().requests(1) && 1 == a.replicaLoads().requests(2));

        final Router late = launch(3, 60 * SECOND_NS);
        final ReplicaSync sync = late.replicaSync();
        assertFalse(sync.isSynced());
        await(() -> sync.isSynced() && 2 == sync.peers() && 1 == late.replicaLoads().requests(2));
        assertEquals(2, late.replicaLoads().requests(1));
        assertEquals(1, late.replicaLoads().requests(2));
        assertEquals(3, late.activeBlocks(1, 0));
        assertEquals(12, late.activePrefillTokens(1, 0));
        assertEquals(4 + 2, late.activeBlocks(2, 0));
        assertEquals(8, late.activePrefillTokens(2, 0), "a2 completed its prefill before the snapshot");

        a.free("a1");
        await(() -> 0 == late.activeBlocks(1, 0));
    }

    @Test
    void shouldExpireTheBookingsOfAVanishedReplica()
    {
        final Router a = launch(1, SECOND_NS);
        final Router b = launch(2, SECOND_NS);
        startAll();
        a.bestWorker(prompt(1, 5), 20, overrides.reset().forceWorker(2, 0), "r", decision);
        await(() -> 5 == b.activeBlocks(2, 0));

        routers.remove(a);
        a.close();
        clock.advance(3 * SECOND_NS);
        pump();
        assertEquals(5, b.activeBlocks(2, 0), "within the timeout the bookings stay");

        clock.advance(3 * SECOND_NS);
        pump();
        assertEquals(0, b.activeBlocks(2, 0));
        assertEquals(0, b.activePrefillTokens(2, 0));
        assertEquals(1, b.replicaSync().peersExpired());
        assertEquals(0, b.replicaSync().peers());
    }

    private Router launch(final long routerId, final long snapshotWaitNs)
    {
        final Router router = Router.launch(new RouterContext()
            .blockSize(BLOCK_SIZE)
            .overlapScoreWeight(0)
            .workerSet(workers)
            .nanoClock(clock)
            .random(new SplittableRandom(routerId))
            .replicaSync(true)
            .replicaSyncContext(new ReplicaSyncContext()
                .aeron(aeron)
                .channel("aeron:ipc?term-length=64k")
                .streamId(4242)
                .routerId(routerId)
                .heartbeatIntervalNs(SECOND_NS)
                .peerTimeoutNs(5 * SECOND_NS)
                .snapshotWaitNs(snapshotWaitNs)));
        routers.add(router);
        return router;
    }

    private void startAll()
    {
        pump();
        clock.advance(2 * SECOND_NS);
        await(() -> routers.stream().allMatch(r -> r.replicaSync().isSynced() &&
            r.replicaSync().peers() == routers.size() - 1));
    }

    private void pump()
    {
        for (int i = 0; i < 20; i++)
        {
            routers.forEach(Router::doWork);
            Thread.yield();
        }
    }

    private void await(final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("condition not met in time");
            }
            routers.forEach(Router::doWork);
            Thread.yield();
        }
    }

    private static long decodeBlocksOf(final PotentialLoads loads, final long workerId)
    {
        for (int i = 0; i < loads.size(); i++)
        {
            if (loads.workerId(i) == workerId)
            {
                return loads.potentialDecodeBlocks(i);
            }
        }
        throw new AssertionError("no worker " + workerId);
    }

    private static long prefillTokensOf(final PotentialLoads loads, final long workerId)
    {
        for (int i = 0; i < loads.size(); i++)
        {
            if (loads.workerId(i) == workerId)
            {
                return loads.potentialPrefillTokens(i);
            }
        }
        throw new AssertionError("no worker " + workerId);
    }

    private static int[] prompt(final int family, final int blocks)
    {
        final int[] tokens = new int[blocks * BLOCK_SIZE];
        for (int i = 0; i < tokens.length; i++)
        {
            tokens[i] = family * 1_000 + i;
        }
        return tokens;
    }
}
