package io.kvindex.server.feed;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Settings the event feed and relay tests share: unique Aeron directories, small terms, SHARED drivers and agents
 * that park rather than spin, so that tests stay light on a 2-core machine.
 */
public final class EventTestSupport
{
    /** Term length of the test drivers: messages up to 8 KiB. */
    public static final int TERM_LENGTH = 64 * 1024;

    /** How long a test waits for a condition. */
    public static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    private EventTestSupport()
    {
    }

    /**
     * A directory for a media driver no other test uses, in /dev/shm when possible.
     *
     * @param name part of the directory name.
     * @return the path.
     */
    public static String uniqueAeronDir(final String name)
    {
        final Path shm = Path.of("/dev/shm");
        final Path base = Files.isDirectory(shm) && Files.isWritable(shm) ?
            shm : Path.of(System.getProperty("java.io.tmpdir"));
        return base.resolve("kvindex-" + name + "-test-" + ProcessHandle.current().pid() + "-" +
            Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0xFFFFFF)).toString();
    }

    /**
     * An idle strategy that parks from the start, up to 100 µs.
     *
     * @return a new strategy.
     */
    public static IdleStrategy parkingIdle()
    {
        return new BackoffIdleStrategy(1, 1, 1_000, TimeUnit.MICROSECONDS.toNanos(100));
    }

    /**
     * An embedded driver's context: SHARED, parking, small terms, its directory deleted on start and shutdown.
     *
     * @param aeronDir the directory.
     * @return a new context.
     */
    public static MediaDriver.Context driverContext(final String aeronDir)
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

    /**
     * Wait, bounded, until a condition holds; fails with a message when the time runs out.
     *
     * @param condition the condition.
     * @param message   what was awaited, evaluated on failure.
     */
    public static void awaitTrue(final BooleanSupplier condition, final Supplier<String> message)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                assertTrue(condition.getAsBoolean(), message);
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
