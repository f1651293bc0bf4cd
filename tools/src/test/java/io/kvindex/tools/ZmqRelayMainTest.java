package io.kvindex.tools;

import io.kvindex.server.relay.ZmqRelay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class ZmqRelayMainTest
{
    @TempDir
    Path tempDir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void shouldListEveryOptionWithDefaultAndEnvironmentVariableInHelp()
    {
        assertEquals(ZmqRelayMain.EXIT_OK, run(Map.of(), "--help"));
        final String help = output();
        for (final OptionTable.Flag flag : ZmqRelayOptions.TABLE.flags())
        {
            assertTrue(help.contains("\n  " + flag.name()), flag.name() + " missing: " + help);
            if (!OptionTable.HELP.equals(flag.name()))
            {
                assertTrue(help.contains("(env: " + Options.envName(flag.name()) + ")"), flag.name());
            }
        }
        assertTrue(help.contains("(default: aeron:ipc)"), help);
        assertTrue(help.contains("(default: 1003)"), help);
        assertTrue(help.contains("(default: 16)"), help);
        assertTrue(help.contains("(repeatable)"), help);
        assertEquals("", errors());
    }

    @Test
    void shouldRefuseMissingOrMalformedEngines()
    {
        assertEquals(ZmqRelayMain.EXIT_USAGE, run(Map.of(), "--model", "llama"));
        assertTrue(errors().contains("at least one --engine and a --model are required"), errors());
        assertEquals(ZmqRelayMain.EXIT_USAGE, run(Map.of(), "--model", "llama", "--engine", "tcp://h:1"));
        assertEquals(ZmqRelayMain.EXIT_USAGE, run(Map.of(), "--model", "llama", "--engine", "tcp://h:1@x"));
        assertEquals(ZmqRelayMain.EXIT_USAGE, run(Map.of(), "--model", "m", "--engine", "tcp://h:1@1", "--bogus"));
        assertTrue(errors().contains("unknown option: --bogus"), errors());
        assertThrows(UsageException.class, () -> ZmqRelayOptions.parseEngine("tcp://h:1@1:-2"));
    }

    @Test
    void shouldParseEnginesFromFlagsOrEnvironmentAndFillTheRelayContext()
    {
        assertEquals(new ZmqRelay.Engine("tcp://10.0.0.5:5557", -1L, 3),
            ZmqRelayOptions.parseEngine("tcp://10.0.0.5:5557@18446744073709551615:3"));
        assertEquals(new ZmqRelay.Engine("ipc:///tmp/engine@dp", 5, 0),
            ZmqRelayOptions.parseEngine("ipc:///tmp/engine@dp@5"));

        final ZmqRelayOptions fromEnv = ZmqRelayOptions.parse(Map.of(
            "KVINDEX_ENGINE", "tcp://a:1@1, tcp://b:2@2:1", "KVINDEX_MODEL", "llama", "KVINDEX_BLOCK_SIZE", "32"));
        assertEquals(List.of(new ZmqRelay.Engine("tcp://a:1", 1, 0), new ZmqRelay.Engine("tcp://b:2", 2, 1)),
            fromEnv.engines());
        final ZmqRelay.Context ctx = fromEnv.relayContext();
        assertEquals(32, ctx.blockSize());
        assertEquals("default", ctx.tenant());

        final ZmqRelayOptions fromFlags = ZmqRelayOptions.parse(Map.of("KVINDEX_ENGINE", "tcp://a:1@1"),
            "--engine", "tcp://c:3@3", "--engine=tcp://d:4@4:2", "--model", "m", "--channel", "aeron:udp?endpoint=x:1",
            "--stream-id", "77");
        assertEquals(List.of(new ZmqRelay.Engine("tcp://c:3", 3, 0), new ZmqRelay.Engine("tcp://d:4", 4, 2)),
            fromFlags.engines());
        assertEquals("aeron:udp?endpoint=x:1", fromFlags.relayContext().channel());
        assertEquals(77, fromFlags.relayContext().streamId());
    }

    @Test
    void shouldRunAgainstAnEngineAndStopCleanly() throws IOException
    {
        final Path aeronDir = tempDir.resolve("aeron");
        try (ZContext zmq = new ZContext(1))
        {
            final ZMQ.Socket engine = zmq.createSocket(SocketType.PUB);
            engine.setLinger(0);
            final int port = engine.bindToRandomPort("tcp://127.0.0.1");
            final int exitCode = run(Map.of(), "--engine", "tcp://127.0.0.1:" + port + "@42:1", "--model", "llama",
                "--aeron-dir", aeronDir.toString(), "--term-length", "65536", "--status-interval-ms", "100",
                "--exit-after-ms", "600");

            final String output = output();
            assertEquals(ZmqRelayMain.EXIT_OK, exitCode, output + errors());
            assertTrue(output.startsWith("zmq-relay started: aeron dir " + aeronDir + " (embedded driver), " +
                "publishing llama:default block size 16 on aeron:ipc stream 1003\n"), output);
            assertTrue(output.contains("\nengine tcp://127.0.0.1:" + port + " worker 42 dp rank 1\n"), output);
            assertTrue(Pattern.compile("\nstatus: up \\d+\\.\\ds, events published 0, not connected 0, " +
                "back pressured 0, too large 0, NO INDEXER\n").matcher(output).find(), output);
            assertTrue(output.contains("status: engine tcp://127.0.0.1:" + port + ": batches 0, decoded 0, "), output);
            assertTrue(output.endsWith("zmq-relay stopped\n"), output);
            assertFalse(Files.exists(aeronDir), "media driver directory deleted on shutdown");
        }
    }

    private int run(final Map<String, String> env, final String... args)
    {
        return ZmqRelayMain.run(env, args, out, err);
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
