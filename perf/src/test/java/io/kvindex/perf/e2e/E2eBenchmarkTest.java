package io.kvindex.perf.e2e;

import io.kvindex.server.IndexerServer;
import io.kvindex.server.IndexerServerContext;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bounded smoke runs of the harness (a few hundred queries per phase, a small index, agents that back off), over
 * IPC and UDP on 127.0.0.1, embedded and against a running server: every query answered and counted, the JSON
 * complete. No latency is asserted; numbers come from {@code tools/perf e2e}, never from tests.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class E2eBenchmarkTest
{
    private static final String[] JSON_KEYS = {
        "p50_us", "p90_us", "p99_us", "p999_us", "max_us", "achieved_rate", "offered_rate", "transport",
        "echo_p50_us", "echo_p99_us", "overhead_p50_us", "jdk", "cores", "errors", "timeouts", "unanswered",
        "mismatched_answers", "empty_answers", "echo_timeouts", "ingest_events", "ingest_failed", "clean" };

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);

    private static E2eContext smallRun(final E2eTransport transport)
    {
        return new E2eContext()
            .transport(transport)
            .rate(1000)
            .seconds(0.4)
            .warmupSeconds(0.2)
            .blocks(20_000)
            .serverIdle(E2eContext.IDLE_BACKOFF)
            .timeoutMs(5000)
            .progressIntervalMs(100);
    }

    @Test
    void shouldAnswerEveryQueryOverIpcWithTheExpectedMatchesAndEchoOfTheSameSizes(@TempDir final Path hgrm)
        throws IOException
    {
        final E2eReport report = E2eBenchmark.run(smallRun(E2eTransport.IPC).hgrmDir(hgrm), log);

        assertCleanEmbedded(report);
        assertJson(report.toJson(), "\"transport\":\"ipc\"");
        assertEquals(2, report.hgrmFiles().size());
        for (final Path file : report.hgrmFiles())
        {
            assertTrue(Files.readString(file).contains("#[Max"), file.toString());
        }
        assertTrue(logBytes.toString(StandardCharsets.UTF_8).contains("perf e2e: query"), "progress lines");
        assertTrue(report.toTable().contains("overhead (query - echo)"));
    }

    @Test
    void shouldAnswerEveryQueryOverUdpWhileIngesting() throws IOException
    {
        final E2eReport report = E2eBenchmark.run(smallRun(E2eTransport.UDP).ingestRate(20_000), log);

        assertCleanEmbedded(report);
        final String json = report.toJson();
        assertJson(json, "\"transport\":\"udp\"");
        assertFalse(json.contains("\"ingest_events\":0,"), json);
        assertTrue(json.contains("\"ingest_failed\":0,"), json);
    }

    @Test
    void shouldTargetARunningServerByItsAeronDir() throws IOException
    {
        try (IndexerServer server = IndexerServer.launch(new IndexerServerContext()
            .maxBlocks(1024)
            .maxOwners(16)
            .termLength(64 * 1024)
            .queryIdleStrategy(new BackoffIdleStrategy(1, 1, 1_000, TimeUnit.MICROSECONDS.toNanos(100)))))
        {
            server.registerIndex("served", null, 16);
            final E2eReport report = E2eBenchmark.run(smallRun(E2eTransport.IPC)
                .server(server.aeronDirectoryName())
                .model("served"), log);

            final PhaseResult query = report.query();
            assertTrue(query.sent() > 0);
            assertEquals(query.sent(), query.ok(), "every answer OK");
            assertEquals(query.sent(), query.empty(), "the served index is empty");
            assertTrue(report.echo().clean());
            assertJson(report.toJson(), "\"server\":\"" + server.aeronDirectoryName() + "\"");
        }
    }

    @Test
    void shouldCountUnknownIndexAnswersAsErrors() throws IOException
    {
        try (IndexerServer server = IndexerServer.launch(new IndexerServerContext()
            .maxBlocks(1024)
            .termLength(64 * 1024)
            .queryIdleStrategy(new BackoffIdleStrategy(1, 1, 1_000, TimeUnit.MICROSECONDS.toNanos(100)))))
        {
            final E2eReport report = E2eBenchmark.run(smallRun(E2eTransport.IPC)
                .server(server.aeronDirectoryName())
                .echo(false), log);

            final PhaseResult query = report.query();
            assertTrue(query.sent() > 0);
            assertEquals(query.sent(), query.unknownIndex());
            assertEquals(query.sent(), query.errors());
            assertFalse(report.clean());
            assertNull(report.echo());
            assertTrue(report.toJson().contains("\"echo_p50_us\":null"));
        }
    }

    @Test
    void shouldAnswerEveryQueryOverHttpWithTheExpectedMatches() throws IOException
    {
        final E2eReport report = E2eBenchmark.run(smallRun(E2eTransport.HTTP), log);

        assertCleanEmbedded(report);
        assertJson(report.toJson(), "\"transport\":\"http\"");
    }

    @Test
    void shouldReadTheCommandLine()
    {
        final E2eContext ctx = E2eCommandLine.parse(new String[]{ "--transport", "udp", "--rate", "50_000",
            "--seconds", "2.5", "--warmup-seconds", "0", "--ingest-rate", "100000", "--json", "--no-echo",
            "--server-idle", "yield", "--driver-idle", "yield", "--hgrm", "out" }).conclude();

        assertEquals(E2eTransport.UDP, ctx.transport());
        assertEquals(50_000, ctx.rate());
        assertEquals(2.5, ctx.seconds());
        assertEquals(0, ctx.warmupSeconds());
        assertEquals(100_000, ctx.ingestRate());
        assertTrue(ctx.json());
        assertFalse(ctx.echo());
        assertEquals(Path.of("out"), ctx.hgrmDir());
        assertNotNull(ctx.newServerIdleStrategy());
        assertNotNull(ctx.newDriverIdleStrategy());
        assertTrue(E2eCommandLine.wantsHelp(new String[]{ "--rate", "1", "--help" }));
        assertTrue(E2eCommandLine.HELP.contains("--ingest-rate"));
    }

    @Test
    void shouldRejectInconsistentCommandLines()
    {
        assertThrows(IllegalArgumentException.class, () -> E2eCommandLine.parse(new String[]{ "--rate" }));
        assertThrows(IllegalArgumentException.class, () -> E2eCommandLine.parse(new String[]{ "--rate", "x" }));
        assertThrows(IllegalArgumentException.class, () -> E2eCommandLine.parse(new String[]{ "--bogus", "1" }));
        assertThrows(IllegalArgumentException.class,
            () -> E2eCommandLine.parse(new String[]{ "--transport", "tcp" }));
        assertThrows(IllegalArgumentException.class,
            () -> E2eCommandLine.parse(new String[]{ "--server", "/dev/shm/x", "--ingest-rate", "10" }).conclude());
        assertThrows(IllegalArgumentException.class, () -> E2eCommandLine.parse(
            new String[]{ "--transport", "udp", "--server", "/dev/shm/x" }).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> E2eCommandLine.parse(new String[]{ "--server-idle", "nap" }).conclude());
    }

    private static void assertCleanEmbedded(final E2eReport report)
    {
        final PhaseResult query = report.query();
        final PhaseResult echo = report.echo();
        assertTrue(query.sent() >= 400, "sent " + query.sent());
        assertEquals(query.sent(), query.ok(), "every query answered OK");
        assertEquals(0, query.mismatched(), "every answer's longest match is what the workload stored");
        assertTrue(query.empty() < query.ok() / 2, "a few queries are misses by design: " + query.empty());
        assertEquals(0, query.timeouts() + query.unanswered() + query.unsent());
        assertEquals(query.sent(), echo.sent(), "same rate and time in both phases");
        assertEquals(echo.sent(), echo.ok());
        assertEquals(0, echo.mismatched(), "echo answers have the real answers' sizes");
        assertEquals(0, echo.timeouts() + echo.unanswered() + echo.unsent());
        assertTrue(report.clean());
        assertTrue(report.p50Us() > 0);
    }

    private static void assertJson(final String json, final String expected)
    {
        assertTrue(json.startsWith("{") && json.endsWith("}") && !json.contains("\n"), json);
        for (final String key : JSON_KEYS)
        {
            assertTrue(json.contains("\"" + key + "\":"), key + " missing: " + json);
        }
        assertTrue(json.contains(expected), expected + " missing: " + json);
    }
}
