package io.kvindex.server.stat;

import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The server's counters in a memory-mapped file, so tools read them from outside the process while it runs, as
 * AeronStat reads a media driver's. Agrona's {@link CountersManager} lays out the metadata and values sections;
 * the header in front says whose file it is.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        Magic 'KVST'                           |
 *  +---------------------------------------------------------------+
 *  |                          Version                              |
 *  +---------------------------------------------------------------+
 *  |                   Process Id of the server                    |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Start Time (epoch ms)                        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Metadata Section Length                    |
 *  +---------------------------------------------------------------+
 *  |                     Values Section Length                     |
 *  +---------------------------------------------------------------+
 *  |     State (1 running, 2 closed), written last with release    |
 *  +---------------------------------------------------------------+
 *  |                    Reserved up to byte 128                   ...
 *  +---------------------------------------------------------------+
 *  |        Metadata Section (CountersReader.METADATA_LENGTH        |
 *  |                        per counter)                          ...
 *  +---------------------------------------------------------------+
 *  |        Values Section (CountersReader.COUNTER_LENGTH           |
 *  |                        per counter)                          ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Counters are allocated when the components that own them start (not on a hot path); each is written by one thread
 * with release semantics ({@code AtomicCounter.incrementRelease()}), which costs a plain store on x86.
 */
public final class CountersFile implements AutoCloseable
{
    /** File name inside the server's data directory. */
    public static final String FILE_NAME = "counters.dat";
    /** Default number of counters the file has room for. */
    public static final int DEFAULT_MAX_COUNTERS = 2048;

    static final int MAGIC = 0x5453564B;
    static final int VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int PID_OFFSET = 8;
    static final int START_TIME_OFFSET = 16;
    static final int METADATA_LENGTH_OFFSET = 24;
    static final int VALUES_LENGTH_OFFSET = 28;
    static final int STATE_OFFSET = 32;
    static final int HEADER_LENGTH = 128;
    static final int STATE_RUNNING = 1;
    static final int STATE_CLOSED = 2;

    private final File file;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final CountersManager manager;
    private boolean closed;

    /**
     * Create (or replace) the counters file in a directory.
     *
     * @param dir         the server's data directory.
     * @param maxCounters room for this many counters.
     */
    public CountersFile(final Path dir, final int maxCounters)
    {
        if (maxCounters < 1)
        {
            throw new IllegalArgumentException("maxCounters must be >= 1: " + maxCounters);
        }
        final int valuesLength = maxCounters * CountersReader.COUNTER_LENGTH;
        final int metadataLength = maxCounters * CountersReader.METADATA_LENGTH;
        file = dir.resolve(FILE_NAME).toFile();
        IoUtil.deleteIfExists(file);
        mapped = IoUtil.mapNewFile(file, (long)HEADER_LENGTH + metadataLength + valuesLength);
        header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        final AtomicBuffer metadata = new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength);
        final AtomicBuffer values = new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength);
        manager = new CountersManager(metadata, values, StandardCharsets.US_ASCII, SystemEpochClock.INSTANCE, 0);
        header.putInt(MAGIC_OFFSET, MAGIC);
        header.putInt(VERSION_OFFSET, VERSION);
        header.putLong(PID_OFFSET, ProcessHandle.current().pid());
        header.putLong(START_TIME_OFFSET, System.currentTimeMillis());
        header.putInt(METADATA_LENGTH_OFFSET, metadataLength);
        header.putInt(VALUES_LENGTH_OFFSET, valuesLength);
        header.putIntRelease(STATE_OFFSET, STATE_RUNNING);
    }

    /**
     * Allocator of the counters in this file; allocation is synchronized here, as components start on any thread.
     *
     * @return the manager.
     */
    public CountersManager manager()
    {
        return manager;
    }

    /**
     * The file.
     *
     * @return its path.
     */
    public Path path()
    {
        return file.toPath();
    }

    /**
     * Mark the file closed (readers then say the server stopped) and unmap it; the file stays for post-mortems
     * until its directory is deleted.
     */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            header.putIntRelease(STATE_OFFSET, STATE_CLOSED);
            IoUtil.unmap(mapped);
        }
    }
}
