package io.kvindex.server;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.kvindex.client.BlockHasher;
import io.kvindex.client.IndexerClient;
import io.kvindex.client.IndexerClientContext;
import io.kvindex.client.OverlapResult;
import io.kvindex.client.OverlapStatus;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.index.OverlapScores;
import io.kvindex.index.ReferenceBlockIndex;
import io.kvindex.server.query.QueryCounters;
import io.kvindex.server.registry.BlockSizeConflictException;
import io.kvindex.server.registry.ListenerStatus;
import io.kvindex.server.registry.WorkerRegistration;
import io.kvindex.server.registry.WorkerRegistry;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An indexer server launched in process with an embedded driver answers a real {@link IndexerClient} over IPC as
 * the reference model answers the same events, and releases everything it created on close.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class IndexerServerTest
{
    private static final String MODEL = "llama";
    private static final int BLOCK_SIZE = 4;
    private static final int TERM_LENGTH = 64 * 1024;

    @TempDir
    Path tempDir;

    private IndexerServer server;
    private IndexerClient client;

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(client, server);
    }

    @Test
    void shouldAnswerClientQueriesAsTheReference()
    {
        server = IndexerServer.launch(context());
        final OffHeapBlockIndex index = server.registerIndex(MODEL, null, BLOCK_SIZE);
        final ReferenceBlockIndex reference = new ReferenceBlockIndex();
        final int[][] prompts = prompts(new SplittableRandom(11), 40);
        final BlockHasher hasher = new BlockHasher(BLOCK_SIZE);
        final long[] localHashes = new long[64];
        final long[] engineHashes = new long[64];
        long nextEngineHash = 1;
        for (int p = 0; p < prompts.length; p++)
        {
            final int count = hasher.localHashes(prompts[p], prompts[p].length, localHashes) - p % 3;
            for (int i = 0; i < count; i++)
            {
                engineHashes[i] = nextEngineHash++;
            }
            index.store(100 + p % 5, p % 2, false, 0, engineHashes, localHashes, count);
            reference.store(100 + p % 5, p % 2, false, 0, engineHashes, localHashes, count);
        }

        client = IndexerClient.connect(clientContext(server.aeronDirectoryName()));
        assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(5)));
        final OverlapResult result = new OverlapResult();
        final OverlapScores expected = new OverlapScores(64);
        int nonEmpty = 0;
        for (final int[] prompt : prompts)
        {
            assertEquals(OverlapStatus.OK, client.queryTokens(MODEL, null, null, prompt, prompt.length, result));
            final int count = hasher.localHashes(prompt, prompt.length, localHashes);
            reference.findMatches(localHashes, count, expected);
            assertEquals(expected.size(), result.size(), () -> "expected " + expected + " but was " + result);
            for (int i = 0; i < result.size(); i++)
            {
                assertEquals(expected.matchedBlocks(result.workerId(i), result.dpRank(i)), result.matchedBlocks(i));
                assertEquals(reference.treeSize(result.workerId(i), result.dpRank(i)), result.treeSize(i));
            }
            nonEmpty += result.size() > 0 ? 1 : 0;
        }
        assertTrue(nonEmpty > prompts.length / 2, "answers with owners: " + nonEmpty);
        reference.close();
        // The agent counts an answer just after offering it: the last count may trail the client by a moment.
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        final IdleStrategy idle = parkingIdle();
        while (server.queryCounters().get(QueryCounters.ANSWERED) < prompts.length && System.nanoTime() < deadlineNs)
        {
            idle.idle();
        }
        assertEquals(prompts.length, server.queryCounters().get(QueryCounters.ANSWERED));
    }

    @Test
    void shouldReturnExistingIndexForSameBlockSizeAndRejectAnother()
    {
        server = IndexerServer.launch(context());
        final OffHeapBlockIndex index = server.registerIndex(MODEL, "acme", 16);

        assertSame(index, server.registerIndex(MODEL, "acme", 16));
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> server.registerIndex(MODEL, "acme", 32));
        assertEquals("index llama:acme is registered with block size 16, not 32", ex.getMessage());
        assertSame(index, server.index(MODEL, "acme"));
        assertNull(server.index(MODEL, null));
        assertEquals(1, server.registry().size());
    }

    @Test
    void shouldDeleteTemporaryDataDirAndAeronDirOnClose()
    {
        server = IndexerServer.launch(context());
        final Path dataDir = server.dataDir();
        final Path aeronDir = Path.of(server.aeronDirectoryName());
        assertTrue(server.context().temporaryDataDir());
        assertTrue(Files.isDirectory(dataDir));
        assertTrue(Files.isDirectory(aeronDir));

        server.close();

        assertFalse(Files.exists(dataDir), dataDir.toString());
        assertFalse(Files.exists(aeronDir), aeronDir.toString());
        assertThrows(IllegalStateException.class, () -> server.registerIndex(MODEL, null, BLOCK_SIZE));
    }

    @Test
    void shouldUseAnExternalDriverAndLeaveItRunning()
    {
        final Path aeronDir = tempDir.resolve("external");
        try (MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(aeronDir.toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(parkingIdle())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .ipcTermBufferLength(TERM_LENGTH)
            .publicationTermBufferLength(TERM_LENGTH)))
        {
            server = IndexerServer.launch(context().embeddedDriver(false).aeronDirectoryName(aeronDir.toString()));
            server.registerIndex(MODEL, null, BLOCK_SIZE);
            client = IndexerClient.connect(clientContext(aeronDir.toString()));
            final OverlapResult result = new OverlapResult();

            assertEquals(OverlapStatus.OK, client.query(MODEL, null, null, new long[]{1, 2}, 2, result));
            assertEquals(0, result.size());
            CloseHelper.closeAll(client, server);
            client = null;
            server = null;

            assertTrue(Files.isDirectory(aeronDir), "an external driver's dir is left alone");
            assertTrue(driver.context().cncFile().exists());
        }
    }

    @Test
    void shouldRefuseNonLoopbackQueryChannelUnlessAllowed()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> IndexerServer.launch(context().queryChannel("aeron:udp?endpoint=0.0.0.0:40456")));
        assertTrue(ex.getMessage().contains("non-loopback address 0.0.0.0"), ex.getMessage());

        final IndexerServerContext loopback = context().queryChannel("aeron:udp?endpoint=localhost:0").conclude();
        assertEquals("aeron:udp?endpoint=localhost:0", loopback.queryChannel());
        loopback.deleteTemporaryDataDir();
    }

    @Test
    void shouldRegisterStreamsAndRefuseABlockSizeConflict()
    {
        server = IndexerServer.launch(context());
        final WorkerRegistration w1 = new WorkerRegistration(
            1, 0, "tcp://127.0.0.1:5557", null, BLOCK_SIZE, MODEL, null);
        assertTrue(server.register(w1));
        assertFalse(server.register(w1));
        assertEquals(BLOCK_SIZE, server.registry().find(MODEL, "default").blockSize());

        final WorkerRegistration conflicting = new WorkerRegistration(
            2, 0, "tcp://127.0.0.1:6557", null, BLOCK_SIZE * 2, MODEL, "default");
        final BlockSizeConflictException ex =
            assertThrows(BlockSizeConflictException.class, () -> server.register(conflicting));
        assertTrue(ex.getMessage().contains("block_size " + BLOCK_SIZE), ex.getMessage());
        assertEquals(1, server.listeners().size());
        assertEquals(ListenerStatus.PENDING, server.listeners().get(0).status());

        assertTrue(server.register(new WorkerRegistration(
            2, 0, "tcp://127.0.0.1:6557", null, BLOCK_SIZE * 2, MODEL, "other")));
        assertEquals(List.of(w1), server.unregister(1, MODEL, null, WorkerRegistry.ALL_RANKS));
        assertTrue(server.unregister(1, MODEL, null, WorkerRegistry.ALL_RANKS).isEmpty());
        assertEquals(1, server.listeners().size());
    }

    private IndexerServerContext context()
    {
        return new IndexerServerContext()
            .aeronDirectoryName(tempDir.resolve("aeron").toString())
            .maxBlocks(1 << 14)
            .maxOwners(64)
            .termLength(TERM_LENGTH)
            .driverIdleStrategy(parkingIdle())
            .queryIdleStrategy(parkingIdle());
    }

    private static IndexerClientContext clientContext(final String aeronDir)
    {
        return new IndexerClientContext()
            .aeronDirectoryName(aeronDir)
            .blockSize(BLOCK_SIZE)
            .timeoutNs(TimeUnit.SECONDS.toNanos(2))
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(2))
            .idleStrategy(parkingIdle());
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
            final int[] tokens = new int[(4 + random.nextInt(12)) * BLOCK_SIZE + random.nextInt(BLOCK_SIZE)];
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
