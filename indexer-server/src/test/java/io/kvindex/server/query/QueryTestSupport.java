package io.kvindex.server.query;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.kvindex.client.IndexerClientContext;
import io.kvindex.index.OffHeapBlockIndex;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Settings every query test shares: unique Aeron directories, small terms, SHARED drivers and agents that park
 * rather than spin, so that tests stay light on a 2-core machine.
 */
final class QueryTestSupport
{
    static final int TERM_LENGTH = 64 * 1024;

    private QueryTestSupport()
    {
    }

    /**
     * Wait, bounded, until a server counter reaches {@code expected}: the agent counts an answer just after it
     * offers it, so a client can see the answer first.
     *
     * @return the counter's value when it reached the value or the time ran out.
     */
    static long awaitCounter(final QueryServer server, final int counter, final long expected)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long value;
        while ((value = server.counters().get(counter)) < expected && System.nanoTime() - deadlineNs < 0)
        {
            Thread.yield();
        }
        return value;
    }

    static String uniqueAeronDir()
    {
        final Path shm = Path.of("/dev/shm");
        final Path base = Files.isDirectory(shm) && Files.isWritable(shm) ?
            shm : Path.of(System.getProperty("java.io.tmpdir"));
        return base.resolve("kvindex-query-test-" + ProcessHandle.current().pid() + "-" +
            Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0xFFFFFF)).toString();
    }

    static IdleStrategy parkingIdle()
    {
        return new BackoffIdleStrategy(1, 1, 1_000, TimeUnit.MICROSECONDS.toNanos(100));
    }

    static MediaDriver.Context driverContext(final String aeronDir)
    {
        return new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(parkingIdle())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .publicationTermBufferLength(TERM_LENGTH)
            .ipcTermBufferLength(TERM_LENGTH);
    }

    static QueryServer.Context serverContext(final String aeronDir, final IndexRegistry registry)
    {
        return new QueryServer.Context()
            .aeronDirectoryName(aeronDir)
            .termLength(TERM_LENGTH)
            .registry(registry)
            .maxOwners(256)
            .maxQueryBlocks(512)
            .idleStrategy(parkingIdle())
            .errorHandler(Throwable::printStackTrace);
    }

    static IndexerClientContext clientContext(final String aeronDir)
    {
        return new IndexerClientContext()
            .aeronDirectoryName(aeronDir)
            .blockSize(QueryCorpus.BLOCK_SIZE)
            .timeoutNs(TimeUnit.SECONDS.toNanos(2))
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(2))
            .idleStrategy(parkingIdle());
    }

    static OffHeapBlockIndex newOffHeapIndex()
    {
        return new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(1 << 16).maxOwners(256));
    }

    static int freeUdpPort()
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
}
