package io.kvindex.server.stat;

import io.kvindex.index.EventStatus;
import io.kvindex.index.EventType;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.server.IndexerServer;
import io.kvindex.server.IndexerServerContext;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A running server's counters, read through a separate read-only mapping of its counters file as a tool would.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class CountersFileTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldExposeIndexAndQueryCountersInTheMappedFile()
    {
        final Path dataDir = tempDir.resolve("kvindex-data-test");
        final Path file;
        try (IndexerServer server = IndexerServer.launch(new IndexerServerContext()
            .dataDir(dataDir)
            .aeronDirectoryName(tempDir.resolve("aeron").toString())
            .maxBlocks(1024)
            .maxOwners(16)
            .termLength(64 * 1024)
            .driverIdleStrategy(new BackoffIdleStrategy(1, 1, 1_000, 100_000))
            .queryIdleStrategy(new BackoffIdleStrategy(1, 1, 1_000, 100_000))))
        {
            final OffHeapBlockIndex index = server.registerIndex("llama", null, 16);
            index.store(7, 0, false, 0, new long[]{ 1, 2 }, new long[]{ 11, 12 }, 2);
            index.store(7, 0, true, 99, new long[]{ 3 }, new long[]{ 13 }, 1);
            assertEquals(1, index.counters().get(EventType.STORED, EventStatus.PARENT_BLOCK_NOT_FOUND));

            file = dataDir.resolve(CountersFile.FILE_NAME);
            try (CountersFileReader reader = new CountersFileReader(file))
            {
                assertTrue(reader.isRunning());
                assertEquals(ProcessHandle.current().pid(), reader.pid());
                final Map<String, Long> values = values(reader);
                assertEquals(1L, values.get("events applied: stored ok - llama:default"));
                assertEquals(1L, values.get("events applied: stored parent_block_not_found - llama:default"));
                assertEquals(0L, values.get("queries: requests"));
            }
            assertEquals(List.of(file), CountersFileReader.find(tempDir));
        }
        try (CountersFileReader reader = new CountersFileReader(file))
        {
            assertFalse(reader.isRunning());
        }
    }

    @Test
    void shouldRefuseAFileThatIsNotACountersFile() throws Exception
    {
        final Path bogus = Files.write(tempDir.resolve("bogus.dat"), new byte[4096]);
        final IllegalStateException ex =
            assertThrows(IllegalStateException.class, () -> new CountersFileReader(bogus));
        assertTrue(ex.getMessage().contains("bad magic"), ex.getMessage());
        final Path shortFile = Files.write(tempDir.resolve("short.dat"), new byte[8]);
        assertThrows(IllegalStateException.class, () -> new CountersFileReader(shortFile));
    }

    private static Map<String, Long> values(final CountersFileReader reader)
    {
        final Map<String, Long> values = new HashMap<>();
        reader.counters().forEach((value, id, label) -> values.put(label, value));
        return values;
    }
}
