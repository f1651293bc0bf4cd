package io.kvindex.server;

import io.kvindex.client.BlockHasher;
import io.kvindex.client.IndexerClient;
import io.kvindex.client.IndexerClientContext;
import io.kvindex.client.OverlapResult;
import io.kvindex.client.OverlapStatus;
import io.kvindex.index.IndexEquivalence;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.index.OverlapScores;
import io.kvindex.index.ReferenceBlockIndex;
import io.kvindex.server.feed.EnginePayloads;
import io.kvindex.server.feed.FakeEngine;
import io.kvindex.server.registry.BlockSizeConflictException;
import io.kvindex.server.registry.ListenerStatus;
import io.kvindex.server.registry.ListenerView;
import io.kvindex.server.registry.WorkerRegistration;
import io.kvindex.server.registry.WorkerRegistry;
import io.kvindex.server.registry.WorkerStore;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real {@link IndexerServer} (embedded driver) fed by {@link FakeEngine}s over ZMQ on 127.0.0.1 through
 * {@link IndexerServer#register}: client queries answer as the reference model fed the same events; unregistering
 * removes the worker's blocks; a restart on the same data dir restores the registrations (readable meanwhile from
 * another JVM) and re-learns by replay; dumps are consistent and load back.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class IndexerServerIngestTest
{
    private static final String MODEL = "llama";
    private static final int BS = 4;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(15);
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long[] WORKERS = { 11, 12 };

    @TempDir
    Path tempDir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final BlockHasher hasher = new BlockHasher(BS);
    private final ReferenceBlockIndex reference = new ReferenceBlockIndex();
    private final FakeEngine[] engines = { new FakeEngine(10_000), new FakeEngine(10_000) };
    private final int[][] prompts = prompts(new SplittableRandom(5), 30);
    private final long[] lastStored = new long[WORKERS.length];
    private IndexerServer server;

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(closeables);
        CloseHelper.closeAll(server);
        CloseHelper.closeAll(engines);
        reference.close();
    }

    @Test
    void shouldFollowRegisteredEnginesAndAnswerAsTheReference()
    {
        server = IndexerServer.launch(context(tempDir.resolve("data")));
        registerAll();
        publishPrompts(0, prompts.length);
        awaitApplied(prompts.length - 1);

        assertQueriesMatchReference();
        for (final ListenerView view : server.listeners())
        {
            assertEquals(ListenerStatus.ACTIVE, view.status(), view.registration().toString());
            assertEquals(prompts.length - 1, view.lastSeq());
            assertTrue(view.lastEventEpochMs() > 0);
            assertFalse(view.idle());
            assertNull(view.lastError());
        }

        final WorkerRegistration conflicting = new WorkerRegistration(
            13, 0, engines[0].endpoint(), null, BS * 2, MODEL, null);
        assertThrows(BlockSizeConflictException.class, () -> server.register(conflicting));
        assertEquals(2, server.listeners().size());
    }

    @Test
    void shouldRemoveTheBlocksOfAnUnregisteredWorker()
    {
        server = IndexerServer.launch(context(tempDir.resolve("data")));
        registerAll();
        publishPrompts(0, prompts.length);
        awaitApplied(prompts.length - 1);
        final OffHeapBlockIndex index = server.index(MODEL, null);
        assertTrue(index.treeSize(WORKERS[0], 0) > 0);

        assertEquals(1, server.unregister(WORKERS[0], MODEL, null, WorkerRegistry.ALL_RANKS).size());
        reference.removeWorker(WORKERS[0]);
        awaitCondition(() -> !server.removalsPending() && 0 == index.treeSize(WORKERS[0], 0) && writerIdle());

        IndexEquivalence.assertSameBlocks(reference, index);
        assertEquals(1, server.listeners().size());
        engines[0].publish(EnginePayloads.arrayBatch(null, List.of(EnginePayloads.stored(
            EnginePayloads.uint64List(1L), null, new int[BS], BS))));
        engines[1].publish(batchFor(1, 0));
        awaitApplied(1, prompts.length);
        IndexEquivalence.assertSameBlocks(reference, index);
    }

    @Test
    void shouldRestoreRegistrationsAfterRestartAndRelearnByReplay() throws Exception
    {
        final Path dataDir = tempDir.resolve("data");
        server = IndexerServer.launch(context(dataDir));
        registerAll();
        publishPrompts(0, prompts.length / 2);
        awaitApplied(prompts.length / 2 - 1);

        final List<String> lines = readStoreFromAnotherJvm(dataDir);
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("instance_id=11 dp_rank=0 model_name=llama tenant_id=default"), lines.get(0));
        assertTrue(lines.get(0).contains("replay_endpoint=" + engines[0].replayEndpoint()), lines.get(0));
        server.close();
        server = null;
        try (WorkerStore store = WorkerStore.openExisting(dataDir.resolve(WorkerStore.FILE_NAME)))
        {
            assertEquals(prompts.length / 2 - 1, store.entries().get(0).lastSeq());
        }

        publishPrompts(prompts.length / 2, prompts.length);
        server = IndexerServer.launch(context(dataDir));
        assertEquals(2, server.listeners().size());
        awaitApplied(prompts.length - 1);

        assertQueriesMatchReference();
        assertTrue(engines[0].replayedOnlyFrom(0), engines[0].replayStarts().toString());
        assertTrue(engines[1].replayedOnlyFrom(0), engines[1].replayStarts().toString());
        IndexEquivalence.assertSameBlocks(reference, server.index(MODEL, null));
    }

    @Test
    void shouldResumeFromTheSavedSeqWhenAsked()
    {
        final Path dataDir = tempDir.resolve("data");
        server = IndexerServer.launch(context(dataDir));
        registerAll();
        publishPrompts(0, 4);
        awaitApplied(3);
        server.close();

        publishPrompts(4, 6);
        server = IndexerServer.launch(context(dataDir).resumeFromSavedSeq(true));

        awaitApplied(5);
        assertTrue(engines[0].replayedOnlyFrom(4), engines[0].replayStarts().toString());
        assertTrue(engines[1].replayedOnlyFrom(4), engines[1].replayStarts().toString());
    }

    @Test
    void shouldResetStateLoudlyAndFlagIdleStreams()
    {
        final Path dataDir = tempDir.resolve("data");
        server = IndexerServer.launch(context(dataDir).feedIdleMs(100));
        registerAll();
        awaitCondition(() -> server.listeners().stream().allMatch(ListenerView::idle));
        assertEquals(ListenerStatus.PENDING, server.listeners().get(0).status());
        server.close();

        server = IndexerServer.launch(context(dataDir).resetState(true));
        assertTrue(server.listeners().isEmpty());
    }

    @Test
    void shouldShowAFeedThatCannotOpenAsFailed()
    {
        server = IndexerServer.launch(context(tempDir.resolve("data")));
        server.register(new WorkerRegistration(21, 0, "tcp://no-such-host.invalid:5557", null, BS, MODEL, null));

        awaitCondition(() -> ListenerStatus.FAILED == server.listeners().get(0).status());
        final String error = server.listeners().get(0).lastError();
        assertTrue(error.startsWith("cannot open tcp://no-such-host.invalid:5557 ("), error);
        assertTrue(error.endsWith("retrying every 5 s"), error);
        assertEquals(1, server.unregister(21, MODEL, null, 0).size());
        awaitCondition(() -> !server.removalsPending());
    }

    @Test
    void shouldDumpConsistentlyAndLoadTheDumpIntoAnotherServer()
    {
        server = IndexerServer.launch(context(tempDir.resolve("data")));
        registerAll();
        publishPrompts(0, prompts.length);
        awaitApplied(prompts.length - 1);
        final List<Object[]> events = new ArrayList<>();
        server.dump(MODEL, null, (workerId, dpRank, hasParent, parent, engine, local, count) -> events.add(
            new Object[]{ workerId, dpRank, hasParent, parent, engine.clone(), local.clone(), count }), TIMEOUT_NS);
        assertTrue(events.size() > 10);

        final IndexerServer peer = IndexerServer.launch(context(tempDir.resolve("peer")));
        closeables.add(peer);
        peer.registerIndex(MODEL, null, BS);
        final long loaded = peer.loadStored(MODEL, null, (listener) ->
        {
            for (final Object[] e : events)
            {
                listener.onStored((long)e[0], (int)e[1], (boolean)e[2], (long)e[3], (long[])e[4], (long[])e[5],
                    (int)e[6]);
            }
        }, TIMEOUT_NS);

        assertEquals(events.size(), loaded);
        IndexEquivalence.assertSameBlocks(reference, peer.index(MODEL, null));
        assertThrows(IllegalArgumentException.class, () -> peer.dump("other", null, (a, b, c, d, e, f, g) ->
        {
        }, TIMEOUT_NS));
    }

    private IndexerServerContext context(final Path dataDir)
    {
        return new IndexerServerContext()
            .dataDir(dataDir)
            .aeronDirectoryName(tempDir.resolve("aeron-" + dataDir.getFileName()).toString())
            .maxBlocks(1 << 14)
            .maxOwners(64)
            .termLength(64 * 1024)
            .driverIdleStrategy(parkingIdle())
            .queryIdleStrategy(parkingIdle())
            .ingestIdleStrategy(parkingIdle());
    }

    private void registerAll()
    {
        for (int w = 0; w < WORKERS.length; w++)
        {
            assertTrue(server.register(new WorkerRegistration(
                WORKERS[w], 0, engines[w].endpoint(), engines[w].replayEndpoint(), BS, MODEL, null)));
        }
        for (final FakeEngine engine : engines)
        {
            engine.awaitSubscriber();
        }
    }

    /**
     * Step p of worker w: every fifth step removes the last block the worker stored before; otherwise it stores
     * prompt p from the root, whole on one worker and its first half on the other, so that they partly overlap.
     */
    private void publishPrompts(final int from, final int to)
    {
        for (int p = from; p < to; p++)
        {
            for (int w = 0; w < WORKERS.length; w++)
            {
                engines[w].publish(batchFor(w, p));
            }
        }
    }

    private byte[] batchFor(final int w, final int p)
    {
        if (4 == p % 5)
        {
            final long[] last = { lastStored[w] };
            reference.remove(WORKERS[w], 0, last, 1);
            return EnginePayloads.arrayBatch(null, List.of(EnginePayloads.removed(EnginePayloads.uint64List(last))));
        }
        final int[] tokens = prompts[p];
        final int all = tokens.length / BS;
        final int blocks = (p + w) % 2 == 0 ? all : Math.max(1, all / 2);
        final long[] local = new long[all];
        hasher.localHashes(tokens, tokens.length, local);
        final long[] engine = Arrays.copyOf(engineHashes(w, local), blocks);
        reference.store(WORKERS[w], 0, false, 0, engine, local, blocks);
        lastStored[w] = engine[blocks - 1];
        return EnginePayloads.arrayBatch(null, List.of(EnginePayloads.stored(
            EnginePayloads.uint64List(engine), null, Arrays.copyOf(tokens, blocks * BS), BS)));
    }

    private static long[] engineHashes(final int w, final long[] local)
    {
        final long[] engine = new long[local.length];
        long previous = 0x9E3779B97F4A7C15L * (w + 1);
        for (int i = 0; i < local.length; i++)
        {
            previous = previous * 31 + local[i];
            engine[i] = previous;
        }
        return engine;
    }

    private void awaitApplied(final long lastSeq)
    {
        awaitApplied(WORKERS.length, lastSeq);
    }

    private void awaitApplied(final int streams, final long lastSeq)
    {
        awaitCondition(() -> server.listeners().size() == streams &&
            server.listeners().stream().allMatch((v) -> lastSeq == v.lastSeq()) && writerIdle());
    }

    private boolean writerIdle()
    {
        final var counters = server.ingestCounters();
        return counters.published() == counters.applied() + counters.skipped() + counters.rejected() +
            counters.failed();
    }

    private void awaitCondition(final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        final IdleStrategy idle = parkingIdle();
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, () -> "condition not reached; listeners " +
                server.listeners().stream().map((v) -> v.status() + "/" + v.lastSeq() + "/" + v.lastError()).toList());
            idle.idle();
        }
    }

    private void assertQueriesMatchReference()
    {
        final IndexerClient client = IndexerClient.connect(new IndexerClientContext()
            .aeronDirectoryName(server.aeronDirectoryName())
            .blockSize(BS)
            .timeoutNs(TimeUnit.SECONDS.toNanos(2))
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(2))
            .idleStrategy(parkingIdle()));
        closeables.add(client);
        assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(5)));
        final OverlapResult result = new OverlapResult();
        final OverlapScores expected = new OverlapScores(64);
        final long[] local = new long[64];
        int withOwners = 0;
        for (final int[] prompt : prompts)
        {
            assertEquals(OverlapStatus.OK, client.queryTokens(MODEL, null, null, prompt, prompt.length, result));
            reference.findMatches(local, hasher.localHashes(prompt, prompt.length, local), expected);
            assertEquals(expected.size(), result.size(), () -> "expected " + expected + " but was " + result);
            for (int i = 0; i < result.size(); i++)
            {
                assertEquals(expected.matchedBlocks(result.workerId(i), result.dpRank(i)), result.matchedBlocks(i));
                assertEquals(reference.treeSize(result.workerId(i), result.dpRank(i)), result.treeSize(i));
            }
            withOwners += result.size() > 0 ? 1 : 0;
        }
        assertTrue(withOwners > prompts.length / 2, "answers with owners: " + withOwners);
    }

    private static List<String> readStoreFromAnotherJvm(final Path dataDir) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--") || arg.startsWith("-D") || arg.startsWith("-XX"))
            {
                command.add(arg);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), WorkerStore.class.getName(),
            dataDir.toString()));
        final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "reader JVM did not end");
        assertEquals(0, process.exitValue(), out);
        return out.lines().toList();
    }

    private static IdleStrategy parkingIdle()
    {
        return new BackoffIdleStrategy(1, 1, 1_000, TimeUnit.MICROSECONDS.toNanos(100));
    }

    private static int[][] prompts(final SplittableRandom random, final int count)
    {
        final int[][] prompts = new int[count][];
        for (int p = 0; p < count; p++)
        {
            final int[] tokens = new int[(2 + random.nextInt(8)) * BS];
            final int shared = p > 0 ? Math.min(tokens.length, random.nextInt(prompts[p - 1].length + 1)) : 0;
            for (int i = 0; i < tokens.length; i++)
            {
                tokens[i] = i < shared ? prompts[p - 1][i] : random.nextInt();
            }
            prompts[p] = tokens;
        }
        return prompts;
    }

}
