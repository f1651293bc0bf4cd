package io.kvindex.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class IndexerServerMainTest
{
    private static final Pattern DATA_DIR = Pattern.compile("data dir (\\S+) \\(temporary\\)");

    @TempDir
    Path tempDir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void shouldStartPrintStateAndExitCleanlyAfterExitAfterMs() throws IOException
    {
        final Path aeronDir = tempDir.resolve("aeron");
        final Path dataDir = tempDir.resolve("data");

        final int exitCode = run("--exit-after-ms", "400", "--status-interval-ms", "100",
            "--aeron-dir", aeronDir.toString(), "--data-dir", dataDir.toString(), "--max-blocks", "5000",
            "--model", "llama", "--block-size", "32");

        final String output = output();
        assertEquals(IndexerServerMain.EXIT_OK, exitCode, output + errors());
        assertEquals("", errors());
        assertTrue(output.contains("started: aeron dir " + aeronDir + " (embedded driver), data dir " + dataDir +
            ", capacity per index 5000 blocks, 4096 owners"), output);
        assertTrue(output.contains("\nquery channel aeron:ipc stream 1001; "), output);
        assertTrue(Pattern.compile("\nhttp http://127\\.0\\.0\\.1:\\d+ \\(Dynamo-compatible API, /metrics\\)\n")
            .matcher(output).find(), output);
        assertTrue(output.contains(
            "\nindex llama:default block size 32: owners 0, blocks 0, memberships 0, used 40 B, reserved "), output);
        assertTrue(Pattern.compile("\nstatus: up \\d+\\.\\ds, queries: requests 0, answered 0, ").matcher(output)
            .find(), output);
        assertTrue(output.contains("\nstatus: index llama:default block size 32: owners 0, blocks 0, "), output);
        assertTrue(output.contains("--exit-after-ms 400 elapsed, stopping"), output);
        assertTrue(output.endsWith("indexer-server stopped\n"), output);
        assertFalse(Files.exists(aeronDir), "media driver directory deleted on shutdown");
        assertTrue(Files.isDirectory(dataDir), "a given data dir is kept");
    }

    @Test
    void shouldRegisterWorkersAndRestoreThemAtTheNextStart()
    {
        final Path dataDir = tempDir.resolve("data");
        final String[] common = { "--exit-after-ms", "200", "--status-interval-ms", "100", "--aeron-dir",
            tempDir.resolve("aeron").toString(), "--data-dir", dataDir.toString() };

        final int first = run(concat(common, "--model", "llama", "--block-size", "32", "--workers",
            "7@tcp://127.0.0.1:1,replay=tcp://127.0.0.1:2,8@tcp://127.0.0.1:3,dp=1"));
        final String firstOutput = output();
        assertEquals(IndexerServerMain.EXIT_OK, first, firstOutput + errors());
        assertTrue(firstOutput.contains("\nworker 7 dp 0 llama:default block size 32 <- tcp://127.0.0.1:1 replay " +
            "tcp://127.0.0.1:2\n"), firstOutput);
        assertTrue(firstOutput.contains("\nworker 8 dp 1 llama:default block size 32 <- tcp://127.0.0.1:3 " +
            "(no replay)\n"), firstOutput);
        assertTrue(firstOutput.contains(", workers 2 (active 0, idle 0, failed 0)"), firstOutput);

        outBytes.reset();
        assertEquals(IndexerServerMain.EXIT_OK, run(common));
        assertTrue(output().contains("\nworkers: 2 stream(s) restored from " + dataDir), output());
        assertTrue(output().contains("\nindex llama:default block size 32: owners 0"), output());

        outBytes.reset();
        assertEquals(IndexerServerMain.EXIT_OK, run(concat(common, "--reset-state")));
        assertFalse(output().contains("restored"), output());
        assertFalse(output().contains("index llama"), output());
    }

    private static String[] concat(final String[] first, final String... more)
    {
        final String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    @Test
    void shouldDeleteTemporaryDataDirOnExit()
    {
        final int exitCode = run("--exit-after-ms", "50", "--aeron-dir", tempDir.resolve("aeron").toString());

        final String output = output();
        assertEquals(IndexerServerMain.EXIT_OK, exitCode, output + errors());
        final Matcher matcher = DATA_DIR.matcher(output);
        assertTrue(matcher.find(), output);
        assertFalse(Files.exists(Path.of(matcher.group(1))), output);
        assertFalse(output.contains("status:"), "no status line before the first interval: " + output);
    }

    @Test
    void shouldTakeOptionsFromEnvironmentAndSayWhenNoIndexIsRegistered()
    {
        final int exitCode = IndexerServerMain.run(
            Map.of("KVINDEX_MAX_BLOCKS", "777", "KVINDEX_QUERY_STREAM_ID", "4242", "KVINDEX_EXIT_AFTER_MS", "50",
                "KVINDEX_HTTP_PORT", "0"),
            new String[]{ "--aeron-dir", tempDir.resolve("aeron").toString() }, out, err);

        final String output = output();
        assertEquals(IndexerServerMain.EXIT_OK, exitCode, output + errors());
        assertTrue(output.contains("capacity per index 777 blocks"), output);
        assertTrue(output.contains("\nquery channel aeron:ipc stream 4242; "), output);
        assertTrue(output.contains("\nindex: none registered (start with --model NAME to register one)\n"), output);
    }

    @Test
    void shouldRefuseNonLoopbackQueryChannelWithoutAllowRemote()
    {
        final int exitCode = run("--exit-after-ms", "10", "--aeron-dir", tempDir.resolve("aeron").toString(),
            "--query-channel", "aeron:udp?endpoint=0.0.0.0:40456");

        assertEquals(IndexerServerMain.EXIT_FAILURE, exitCode, output());
        assertTrue(errors().contains("non-loopback address 0.0.0.0"), errors());
        assertTrue(errors().contains("--allow-remote"), errors());
    }

    @Test
    void shouldPrintHelpAndExitZero()
    {
        assertEquals(IndexerServerMain.EXIT_OK, run("--help"));
        assertEquals(Options.helpText(), output());
        assertEquals("", errors());
    }

    @Test
    void shouldReportUnknownFlagOnStderrWithExitCodeTwo()
    {
        assertEquals(IndexerServerMain.EXIT_USAGE, run("--exit-after-ms", "10", "--bogus"));
        assertEquals("", output());
        assertTrue(errors().startsWith("indexer-server: unknown option: --bogus\n"), errors());
        assertTrue(errors().contains("--help"), errors());
    }

    @Test
    void shouldFailWithExitCodeOneWhenDataDirCannotBeCreated() throws IOException
    {
        final Path file = Files.createFile(tempDir.resolve("not-a-dir"));

        final int exitCode = run("--exit-after-ms", "10", "--data-dir", file.resolve("data").toString(),
            "--aeron-dir", tempDir.resolve("aeron").toString());

        assertEquals(IndexerServerMain.EXIT_FAILURE, exitCode, output());
        assertTrue(errors().startsWith("indexer-server: failed: "), errors());
        assertTrue(output().endsWith("indexer-server stopped\n"), output());
    }

    @Test
    void shouldServeHttpWhileRunning() throws Exception
    {
        final Thread main = new Thread(() -> assertEquals(IndexerServerMain.EXIT_OK,
            run("--exit-after-ms", "3000", "--aeron-dir", tempDir.resolve("aeron").toString())));
        main.start();
        final Pattern url = Pattern.compile("\nhttp (http://127\\.0\\.0\\.1:\\d+) ");
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Matcher matcher = url.matcher(output());
        while (!matcher.find() && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(10);
            matcher = url.matcher(output());
        }
        final HttpResponse<String> health = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(matcher.group(1) + "/health")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        main.join(TimeUnit.SECONDS.toMillis(15));
        assertFalse(main.isAlive());
        assertTrue(output().endsWith("indexer-server stopped\n"), output());
    }

    @Test
    void shouldRefuseNonLoopbackHttpWithoutToken()
    {
        final int exitCode = run("--exit-after-ms", "10", "--aeron-dir", tempDir.resolve("aeron").toString(),
            "--http-host", "0.0.0.0", "--allow-remote");

        assertEquals(IndexerServerMain.EXIT_FAILURE, exitCode, output());
        assertTrue(errors().contains("a bearer token is required (--http-token or KVINDEX_HTTP_TOKEN)"), errors());
    }

    private int run(final String... args)
    {
        return IndexerServerMain.run(Map.of("KVINDEX_HTTP_PORT", "0"), args, out, err);
    }

    private String output()
    {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String errors()
    {
        return errBytes.toString(StandardCharsets.UTF_8);
    }
}
