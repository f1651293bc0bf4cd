package io.kvindex.server.stat;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A read-only view of a running (or stopped) server's {@link CountersFile}, for tools outside the process.
 */
public final class CountersFileReader implements AutoCloseable
{
    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final CountersReader reader;

    /**
     * Map a counters file read-only and check its header.
     *
     * @param path the file, usually {@code <data dir>/counters.dat}.
     * @throws IllegalStateException when the file is not a counters file of this version.
     */
    public CountersFileReader(final Path path)
    {
        this.path = path;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size < CountersFile.HEADER_LENGTH)
            {
                throw new IllegalStateException("not a kvindex counters file (too short): " + path);
            }
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open counters file " + path, ex);
        }
        header = new UnsafeBuffer(mapped, 0, CountersFile.HEADER_LENGTH);
        if (CountersFile.MAGIC != header.getInt(CountersFile.MAGIC_OFFSET))
        {
            close();
            throw new IllegalStateException("not a kvindex counters file (bad magic): " + path);
        }
        if (CountersFile.VERSION != header.getInt(CountersFile.VERSION_OFFSET))
        {
            close();
            throw new IllegalStateException("counters file version " + header.getInt(CountersFile.VERSION_OFFSET) +
                " is not " + CountersFile.VERSION + ": " + path);
        }
        final int metadataLength = header.getInt(CountersFile.METADATA_LENGTH_OFFSET);
        final int valuesLength = header.getInt(CountersFile.VALUES_LENGTH_OFFSET);
        if ((long)CountersFile.HEADER_LENGTH + metadataLength + valuesLength > mapped.capacity())
        {
            close();
            throw new IllegalStateException("counters file truncated: " + path);
        }
        reader = new CountersReader(
            new UnsafeBuffer(mapped, CountersFile.HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(mapped, CountersFile.HEADER_LENGTH + metadataLength, valuesLength),
            StandardCharsets.US_ASCII);
    }

    /**
     * Counters files of the servers whose data directories sit in a directory, such as the temporary directories
     * ({@code kvindex-data-*}) that servers without a configured data directory make.
     *
     * @param parent the directory to look in.
     * @return the files found, newest first.
     */
    public static List<Path> find(final Path parent)
    {
        final List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, "kvindex-*"))
        {
            for (final Path dir : dirs)
            {
                final Path file = dir.resolve(CountersFile.FILE_NAME);
                if (Files.isReadable(file))
                {
                    found.add(file);
                }
            }
        }
        catch (final IOException ex)
        {
            return found;
        }
        found.sort((a, b) -> Long.compare(lastModified(b), lastModified(a)));
        return found;
    }

    private static long lastModified(final Path path)
    {
        try
        {
            return Files.getLastModifiedTime(path).toMillis();
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    /**
     * The counters.
     *
     * @return a reader over the mapped sections.
     */
    public CountersReader counters()
    {
        return reader;
    }

    /**
     * Process id of the server that wrote the file.
     *
     * @return the pid.
     */
    public long pid()
    {
        return header.getLong(CountersFile.PID_OFFSET);
    }

    /**
     * When the server started.
     *
     * @return epoch milliseconds.
     */
    public long startTimeMs()
    {
        return header.getLong(CountersFile.START_TIME_OFFSET);
    }

    /**
     * Whether the server is running: it has not closed the file and its process is alive.
     *
     * @return true while the server runs.
     */
    public boolean isRunning()
    {
        return CountersFile.STATE_RUNNING == header.getIntVolatile(CountersFile.STATE_OFFSET) &&
            ProcessHandle.of(pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * The file read.
     *
     * @return its path.
     */
    public Path path()
    {
        return path;
    }

    /**
     * Unmap the file.
     */
    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
