package io.kvindex.tools;

import io.kvindex.server.registry.WorkerRegistration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldFillDefaultsForEmptyCommandLine()
    {
        final Options options = Options.parse();

        assertFalse(options.help());
        assertNull(options.dataDir());
        assertEquals(1_000_000L, options.maxBlocks());
        assertEquals(4096, options.maxOwners());
        assertNull(options.aeronDir());
        assertEquals(5000L, options.statusIntervalMs());
        assertEquals(0L, options.exitAfterMs());
        assertNull(options.model());
        assertEquals("default", options.tenant());
        assertEquals(16, options.blockSize());
        assertEquals("aeron:ipc", options.queryChannel());
        assertEquals(1001, options.queryStreamId());
        assertFalse(options.allowRemote());
        assertFalse(options.externalDriver());
    }

    @Test
    void shouldParseEveryFlagInBothForms()
    {
        final Options options = Options.parse(
            "--data-dir", "/tmp/kv data", "--max-blocks=123", "--max-owners", "7", "--aeron-dir=/dev/shm/x",
            "--status-interval-ms", "0", "--exit-after-ms=2_500", "--model", "llama", "--tenant=acme",
            "--block-size", "32", "--query-channel", "aeron:udp?endpoint=127.0.0.1:40456", "--query-stream-id=7",
            "--allow-remote", "--external-driver");

        assertEquals(Path.of("/tmp/kv data"), options.dataDir());
        assertEquals(123L, options.maxBlocks());
        assertEquals(7, options.maxOwners());
        assertEquals("/dev/shm/x", options.aeronDir());
        assertEquals(0L, options.statusIntervalMs());
        assertEquals(2500L, options.exitAfterMs());
        assertEquals("llama", options.model());
        assertEquals("acme", options.tenant());
        assertEquals(32, options.blockSize());
        assertEquals("aeron:udp?endpoint=127.0.0.1:40456", options.queryChannel());
        assertEquals(7, options.queryStreamId());
        assertTrue(options.allowRemote());
        assertTrue(options.externalDriver());
    }

    @Test
    void shouldTakeFlagOverEnvironmentOverConfigFileOverDefault() throws IOException
    {
        final Path file = tempDir.resolve("kvindex.properties");
        Files.writeString(file, "# a comment\nmax-blocks=111\nmax-owners = 222\nmodel=from-file\n" +
            "block-size=8\nexternal-driver=true\n");
        final Map<String, String> env = Map.of(
            "KVINDEX_CONFIG", file.toString(), "KVINDEX_MAX_OWNERS", "333", "KVINDEX_MODEL", "from-env",
            "KVINDEX_EXTERNAL_DRIVER", "false", "KVINDEX_JAVA_OPTS", "-Xmx1g");

        final Options options = Options.parse(env, "--model", "from-flag");

        assertEquals(111, options.maxBlocks());
        assertEquals(333, options.maxOwners());
        assertEquals("from-flag", options.model());
        assertEquals(8, options.blockSize());
        assertFalse(options.externalDriver());
        assertEquals(4096, Options.parse(Map.of(), "--config", file.toString(), "--max-owners", "4096").maxOwners());
    }

    @Test
    void shouldPreferConfigFlagOverConfigEnvironmentVariable() throws IOException
    {
        final Path flagFile = Files.writeString(tempDir.resolve("flag.properties"), "max-blocks=5\n");
        final Path envFile = Files.writeString(tempDir.resolve("env.properties"), "max-blocks=6\n");

        final Options options =
            Options.parse(Map.of("KVINDEX_CONFIG", envFile.toString()), "--config", flagFile.toString());

        assertEquals(5, options.maxBlocks());
    }

    @Test
    void shouldNameTheSourceOfABadValue() throws IOException
    {
        final Path file = Files.writeString(tempDir.resolve("bad.properties"), "max-blocks=lots\n");
        assertEquals("max-blocks in " + file + " needs an integer in [1, 2147483647], got 'lots'", assertThrows(
            UsageException.class, () -> Options.parse("--config", file.toString())).getMessage());
        assertEquals("KVINDEX_BLOCK_SIZE needs an integer in [1, 2147483647], got '0'", assertThrows(
            UsageException.class, () -> Options.parse(Map.of("KVINDEX_BLOCK_SIZE", "0"))).getMessage());
        assertEquals("KVINDEX_ALLOW_REMOTE needs true or false, got 'yes'", assertThrows(
            UsageException.class, () -> Options.parse(Map.of("KVINDEX_ALLOW_REMOTE", "yes"))).getMessage());
    }

    @Test
    void shouldRejectUnknownConfigFileEntryAndMissingFile() throws IOException
    {
        final Path file = Files.writeString(tempDir.resolve("typo.properties"), "max-blokcs=5\n");
        assertEquals("unknown option in config file " + file + ": max-blokcs", assertThrows(
            UsageException.class, () -> Options.parse("--config", file.toString())).getMessage());
        final Path missing = tempDir.resolve("missing.properties");
        assertTrue(assertThrows(UsageException.class, () -> Options.parse("--config", missing.toString()))
            .getMessage().startsWith("cannot read config file " + missing), missing.toString());
        final Path help = Files.writeString(tempDir.resolve("help.properties"), "help=true\n");
        assertThrows(UsageException.class, () -> Options.parse("--config", help.toString()));
    }

    @Test
    void shouldKeepLastValueOfRepeatedFlag()
    {
        assertEquals(9L, Options.parse("--max-blocks", "3", "--max-blocks", "9").maxBlocks());
    }

    @Test
    void shouldCollectWorkersFromRepeatedFlagsEnvironmentAndFile() throws IOException
    {
        final Path file = tempDir.resolve("workers.jsonl");
        Files.writeString(file, "{\"instance_id\": 3, \"endpoint\": \"tcp://c:1\", \"model_name\": \"qwen\"}\n");

        final Options options = Options.parse(Map.of("KVINDEX_RESET_STATE", "true"), "--model", "llama",
            "--block-size", "32", "--workers", "1@tcp://a:1,replay=tcp://a:2", "--workers=2@tcp://b:1,dp=1",
            "--workers-file", file.toString());

        assertEquals(List.of(
            new WorkerRegistration(1, 0, "tcp://a:1", "tcp://a:2", 32, "llama", null),
            new WorkerRegistration(2, 1, "tcp://b:1", null, 32, "llama", null),
            new WorkerRegistration(3, 0, "tcp://c:1", null, 32, "qwen", null)), options.workers());
        assertTrue(options.resetState());
        assertTrue(Options.parse().workers().isEmpty());
        assertFalse(Options.parse().resetState());
        assertEquals(1, Options.parse(Map.of("KVINDEX_WORKERS", "5@tcp://e:1,model=m")).workers().size());
    }

    @Test
    void shouldReportABadWorkerSpecAsAUsageError()
    {
        final UsageException ex = assertThrows(UsageException.class,
            () -> Options.parse("--workers", "1@tcp://a:1"));
        assertEquals("option --workers: worker 1 names no model: add model=NAME or give --model", ex.getMessage());
        final UsageException missing = assertThrows(UsageException.class,
            () -> Options.parse("--workers-file", tempDir.resolve("none").toString()));
        assertTrue(missing.getMessage().startsWith("--workers-file: cannot read workers file "), missing.getMessage());
    }

    @Test
    void shouldListEveryOptionWithItsDefaultInHelp()
    {
        final String help = Options.helpText();
        final List<String> names = Options.flagNames();

        assertEquals(List.of("--config", "--data-dir", "--max-blocks", "--max-owners", "--model", "--tenant",
            "--block-size", "--query-channel", "--query-stream-id", "--allow-remote", "--aeron-dir",
            "--external-driver", "--http-host", "--http-port", "--http-token", "--http-threads", "--peers",
            "--status-interval-ms", "--exit-after-ms", "--workers", "--workers-file", "--reset-state", "--help"),
            names);
        for (final String name : names)
        {
            assertTrue(help.contains("  " + name), name + " missing from help:\n" + help);
            if (!"--help".equals(name))
            {
                assertTrue(help.contains("(env: " + Options.envName(name) + ")"), name + " env missing:\n" + help);
            }
        }
        assertTrue(help.contains("(default: 1000000)"), help);
        assertTrue(help.contains("(default: 4096)"), help);
        assertTrue(help.contains("(default: 5000)"), help);
        assertTrue(help.contains("(default: 0)"), help);
        assertTrue(help.contains("(default: a fresh temp dir, deleted on exit)"), help);
        assertTrue(help.contains("(default: embedded: a unique dir in /dev/shm"), help);
        assertTrue(help.contains("(default: aeron:ipc)"), help);
        assertTrue(help.contains("(default: 1001)"), help);
        assertTrue(help.contains("(default: 16)"), help);
        assertTrue(help.contains("Precedence: flag > environment variable > config file > default."), help);
        assertTrue(help.contains("HTTP API"), help);
        assertTrue(help.contains("INSTANCE_ID@ENDPOINT[,replay=ENDPOINT][,dp=N][,block_size=N][,model=NAME]"), help);
        assertTrue(help.contains("\"instance_id\": 7"), help);
        assertEquals(22, help.split("\\(default: ", -1).length - 1, help);
        for (final String line : help.split("\n"))
        {
            assertTrue(line.length() <= 120, line);
        }
    }

    @Test
    void shouldRecogniseHelp()
    {
        assertTrue(Options.parse("--help").help());
        assertTrue(Options.parse("--max-blocks", "5", "--help").help());
    }

    @Test
    void shouldRejectUnknownFlag()
    {
        final UsageException ex = assertThrows(
            UsageException.class, () -> Options.parse("--max-blocks", "5", "--max-blokcs=6"));
        assertEquals("unknown option: --max-blokcs", ex.getMessage());
        assertEquals("unknown option: -x", assertThrows(
            UsageException.class, () -> Options.parse("-x")).getMessage());
    }

    @Test
    void shouldRejectStrayArgument()
    {
        assertEquals("unexpected argument: data", assertThrows(
            UsageException.class, () -> Options.parse("data")).getMessage());
    }

    @Test
    void shouldRejectMissingOrEmptyValue()
    {
        final UsageException ex = assertThrows(
            UsageException.class, () -> Options.parse("--data-dir"));
        assertTrue(ex.getMessage().contains("--data-dir needs a value"), ex.getMessage());
        assertThrows(UsageException.class, () -> Options.parse("--aeron-dir="));
        assertThrows(UsageException.class, () -> Options.parse("--help=yes"));
    }

    @Test
    void shouldRejectMalformedOrOutOfRangeNumbers()
    {
        final String[][] bad =
        {
            { "--max-blocks", "many" },
            { "--max-blocks", "0" },
            { "--max-owners", "-1" },
            { "--max-owners", "4294967296" },
            { "--max-blocks", "2147483648" },
            { "--block-size", "0" },
            { "--query-stream-id", "x" },
            { "--status-interval-ms", "-5" },
            { "--exit-after-ms", "1.5" },
        };
        for (final String[] args : bad)
        {
            final UsageException ex = assertThrows(UsageException.class, () -> Options.parse(args));
            assertTrue(ex.getMessage().startsWith("option " + args[0] + " needs an integer in ["), ex.getMessage());
            assertTrue(ex.getMessage().endsWith("got '" + args[1] + "'"), ex.getMessage());
        }
    }

    @Test
    void shouldParseHttpOptionsWithLoopbackDefaultsAndTokenFromEnvironment()
    {
        final Options defaults = Options.parse();
        assertEquals("127.0.0.1", defaults.httpHost());
        assertEquals(8090, defaults.httpPort());
        assertEquals(4, defaults.httpThreads());
        assertNull(defaults.httpToken());
        assertEquals(List.of(), defaults.peers());

        final Options options = Options.parse(Map.of("KVINDEX_HTTP_TOKEN", "t0k", "KVINDEX_PEERS", "http://a:1"),
            "--http-host", "::1", "--http-port=0", "--http-threads", "2", "--peers", "http://a:1, http://b:2/,");
        assertEquals("::1", options.httpHost());
        assertEquals(0, options.httpPort());
        assertEquals(2, options.httpThreads());
        assertEquals("t0k", options.httpToken());
        assertEquals(List.of("http://a:1", "http://b:2/"), options.peers());
        assertThrows(UsageException.class, () -> Options.parse("--http-port", "65536"));
        assertThrows(UsageException.class, () -> Options.parse("--http-threads", "0"));
    }
}
