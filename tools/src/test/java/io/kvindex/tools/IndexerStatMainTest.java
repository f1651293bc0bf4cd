package io.kvindex.tools;

import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.server.IndexerServer;
import io.kvindex.server.IndexerServerContext;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code indexer-stat} reads a running server's counters from another JVM, and explains what it cannot find.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class IndexerStatMainTest
{
    @TempDir
    Path tempDir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void shouldPrintARunningServersCountersFromAnotherProcess() throws Exception
    {
        final Path dataDir = tempDir.resolve("data");
        try (IndexerServer server = IndexerServer.launch(new IndexerServerContext()
            .dataDir(dataDir)
            .aeronDirectoryName(tempDir.resolve("aeron").toString())
            .maxBlocks(1024)
            .maxOwners(16)
            .termLength(64 * 1024)
            .driverIdleStrategy(new BackoffIdleStrategy(1, 1, 1_000, 100_000))
            .queryIdleStrategy(new BackoffIdleStrategy(1, 1, 1_000, 100_000))))
        {
            final OffHeapBlockIndex index = server.registerIndex("llama", "acme", 16);
            index.store(7, 0, false, 0, new long[]{ 1, 2 }, new long[]{ 11, 12 }, 2);

            final List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter((arg) -> arg.startsWith("--add-") || arg.startsWith("-D")).toList());
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), IndexerStatMain.class.getName(),
                "--once", "--data-dir", dataDir.toString(), "--filter", "stored ok|queries: requests"));
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), output);
            assertEquals(IndexerStatMain.EXIT_OK, process.exitValue(), output);
            assertTrue(output.contains("kvindex server pid " + ProcessHandle.current().pid() + ", running"), output);
            assertTrue(output.matches("(?s).*\\s+1 - events applied: stored ok - llama:acme\n.*"), output);
            assertTrue(output.matches("(?s).*\\s+0 - queries: requests\n.*"), output);
            assertTrue(!output.contains("removed"), output);
        }
    }

    @Test
    void shouldExplainAMissingFileAndABadCommandLine()
    {
        assertEquals(IndexerStatMain.EXIT_NOT_FOUND,
            IndexerStatMain.run(Map.of(), out, err, "--once", "--data-dir", tempDir.toString()));
        assertTrue(errors().contains("no counters file at " + tempDir.resolve("counters.dat")), errors());

        assertEquals(IndexerStatMain.EXIT_USAGE, IndexerStatMain.run(Map.of(), out, err, "--interval-ms", "0"));
        assertTrue(errors().contains("--interval-ms must be >= 1"), errors());
        assertEquals(IndexerStatMain.EXIT_USAGE, IndexerStatMain.run(Map.of(), out, err, "--bogus"));
        assertTrue(errors().contains("unknown option '--bogus'"), errors());

        assertEquals(IndexerStatMain.EXIT_OK, IndexerStatMain.run(Map.of(), out, err, "--help"));
        assertTrue(outBytes.toString(StandardCharsets.UTF_8).contains("--once"));
    }

    private String errors()
    {
        return errBytes.toString(StandardCharsets.UTF_8);
    }
}
