package io.kvindex.tools;

import io.kvindex.mockengine.EventFormat;
import io.kvindex.mockengine.HashFormat;
import io.kvindex.mockengine.MockEngineContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class MockEngineMainTest
{
    @TempDir
    Path tempDir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void shouldListEveryOptionWithItsDefaultInHelp()
    {
        assertEquals(MockEngineMain.EXIT_OK, run("--help"));
        final String help = output();
        final List<String> names = MockEngineOptions.flagNames();
        assertEquals(List.of("--config", "--pub-endpoint", "--replay-endpoint", "--topic", "--replay-topic-frame",
            "--shared-stream", "--http-host", "--http-port", "--model-name", "--block-size", "--capacity-blocks",
            "--dp-ranks", "--worker-id", "--prefill-us-per-token", "--decode-us-per-token", "--time-scale",
            "--event-format", "--hash-format", "--step-us", "--removed-events", "--buffer-steps", "--pub-hwm",
            "--seed", "--trace", "--trace-rate", "--exit-after-trace", "--status-interval-ms", "--exit-after-ms",
            "--help"), names);
        for (final String name : names)
        {
            assertTrue(help.contains("  " + name), name + " missing from help:\n" + help);
        }
        assertEquals(names.size() - 1, help.split("\\(default: ", -1).length - 1, help);
        assertEquals(names.size() - 1, help.split("\\(env: KVINDEX_", -1).length - 1, help);
        for (final String expected : new String[]{ "(default: tcp://127.0.0.1:5557)", "(default: tcp://127.0.0.1:5558)",
            "(default: 16)", "(default: 16384)", "(default: 10000)", "(default: 20)", "(default: 1)", "(default: map)",
            "(default: uint64)", "(default: random per process, as vLLM's)", "(env: KVINDEX_TRACE_RATE)" })
        {
            assertTrue(help.contains(expected), expected + " missing from help:\n" + help);
        }
        for (final String line : help.split("\n"))
        {
            assertTrue(line.length() <= 120, line);
        }
    }

    @Test
    void shouldMapOptionsOntoTheEngineContext()
    {
        final MockEngineOptions defaults = MockEngineOptions.parse(Map.of());
        final MockEngineContext ctx = defaults.context();
        assertEquals(MockEngineContext.PUB_ENDPOINT_DEFAULT, ctx.pubEndpoint());
        assertEquals(16, ctx.blockSize());
        assertEquals(EventFormat.MAP, ctx.eventFormat());
        assertTrue(ctx.removedPerBlock());
        assertNull(defaults.trace());

        final MockEngineOptions options = MockEngineOptions.parse(Map.of("KVINDEX_DP_RANKS", "3"),
            "--replay-endpoint", "none", "--event-format=ARRAY", "--hash-format", "int64", "--time-scale", "0.5",
            "--removed-events", "grouped", "--seed", "-7", "--http-port", "-1", "--shared-stream", "--topic", "kv");
        final MockEngineContext custom = options.context();
        assertNull(custom.replayEndpoint());
        assertEquals(3, custom.dpRanks());
        assertEquals(EventFormat.ARRAY, custom.eventFormat());
        assertEquals(HashFormat.INT64, custom.hashFormat());
        assertEquals(0.5, custom.timeScale());
        assertFalse(custom.removedPerBlock());
        assertEquals(-7, custom.seed());
        assertEquals(-1, custom.httpPort());
        assertTrue(custom.sharedStream());
        assertEquals("kv", custom.topic());

        assertEquals("option --event-format needs one of map, array, got 'json'", assertThrows(
            UsageException.class, () -> MockEngineOptions.parse(Map.of(), "--event-format", "json"))
            .getMessage());
        assertEquals("KVINDEX_TIME_SCALE needs a number in [0.0, 1000000.0], got '-1'", assertThrows(
            UsageException.class, () -> MockEngineOptions.parse(Map.of("KVINDEX_TIME_SCALE", "-1")))
            .getMessage());
    }

    @Test
    void shouldStartPrintEndpointsReplayATraceAndExitCleanly() throws IOException
    {
        final Path trace = Files.writeString(tempDir.resolve("trace.jsonl"),
            "{\"timestamp\": 0, \"input_length\": 1100, \"output_length\": 3, \"hash_ids\": [0, 1, 2]}\n" +
            "{\"timestamp\": 5, \"input_length\": 1600, \"output_length\": 3, \"hash_ids\": [0, 1, 2, 3]}\n");
        final int exitCode = run("--pub-endpoint", "tcp://127.0.0.1:0", "--replay-endpoint", "tcp://127.0.0.1:0",
            "--dp-ranks", "2", "--time-scale", "0", "--trace", trace.toString(), "--trace-rate", "0",
            "--status-interval-ms", "100", "--exit-after-trace", "--exit-after-ms", "20000", "--seed", "5");

        final String output = output();
        assertEquals(MockEngineMain.EXIT_OK, exitCode, output + errors());
        assertEquals("", errors());
        assertTrue(output.contains("mock-engine started: worker 0, 2 dp rank(s), block size 16, capacity 16384 " +
            "blocks per rank, events map / uint64, seed 5, time scale 0.0"), output);
        assertTrue(Pattern.compile("\nrank 0: events tcp://127\\.0\\.0\\.1:\\d+, replay tcp://127\\.0\\.0\\.1:\\d+\n")
            .matcher(output).find(), output);
        assertTrue(output.contains("\nrank 1: events tcp://127.0.0.1:"), output);
        assertTrue(Pattern.compile("\nhttp: http://127\\.0\\.0\\.1:\\d+/v1/completions\n").matcher(output).find(),
            output);
        assertTrue(output.contains("trace: replaying " + trace + " at rate 0.0"), output);
        assertTrue(output.contains("requests 2, running 0,"), output);
        assertTrue(output.contains("trace submitted 2, admitted 2, malformed lines 0 (done)"), output);
        assertTrue(output.contains("mock-engine: trace replayed, stopping"), output);
        assertTrue(output.endsWith("mock-engine stopped\n"), output);
    }

    @Test
    void shouldRejectBadCommandLinesWithUsage()
    {
        assertEquals(MockEngineMain.EXIT_USAGE, run("--capacity-blocks", "0"));
        assertTrue(errors().contains("--capacity-blocks needs an integer"), errors());
        assertEquals(MockEngineMain.EXIT_USAGE, run("--trace", tempDir.resolve("missing.jsonl").toString()));
        assertTrue(errors().contains("trace file not found"), errors());
        assertEquals(MockEngineMain.EXIT_USAGE, run("--exit-after-trace"));
        assertTrue(errors().contains("--exit-after-trace needs --trace"), errors());
        assertEquals(MockEngineMain.EXIT_FAILURE, run("--pub-endpoint", "udp://127.0.0.1:1", "--exit-after-ms", "1"));
        assertTrue(errors().contains("failed: endpoint must be tcp://"), errors());
    }

    private int run(final String... args)
    {
        return MockEngineMain.run(Map.of(), args, out, err);
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
