package io.kvindex.tools;

import io.kvindex.router.QueuePolicy;
import io.kvindex.router.RouterContext;
import io.kvindex.router.RouterMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class RouterLiteMainTest
{
    @TempDir
    Path tempDir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void shouldListEveryOptionWithItsDefaultAndEnvironmentVariable()
    {
        assertEquals(RouterLiteMain.EXIT_OK, RouterLiteMain.run(Map.of(), new String[]{"--help"}, out, err));
        final String help = outBytes.toString(StandardCharsets.UTF_8);
        for (final String flag : RouterOptions.flagNames())
        {
            assertTrue(help.contains("  " + flag), flag);
            if (!"--help".equals(flag))
            {
                assertTrue(help.contains("env: " + RouterOptions.envName(flag)), flag);
            }
        }
        assertTrue(help.contains("--router-kv-events, --no-router-kv-events"), help);
        assertTrue(help.contains("DYN_KV_CACHE_BLOCK_SIZE") && help.contains("DYN_KV_OVERLAP_SCORE_WEIGHT"), help);
        assertTrue(help.contains("(default: 8080)") && help.contains("(env: DYN_HTTP_PORT)"), help);
        assertTrue(help.contains("--no-router-track-active-blocks") && help.contains("Disaggregated"), help);
    }

    @Test
    void shouldTakeFlagsOverEnvironmentOverDefaults()
    {
        final RouterContext defaults = RouterOptions.parse(Map.of()).routerContext();
        assertEquals(RouterMode.KV, defaults.mode());
        assertEquals(16, defaults.blockSize());
        assertFalse(defaults.kvEvents(), "approximate mode without an indexer");
        final Map<String, String> env = Map.of("DYN_ROUTER_MODE", "round-robin", "DYN_KV_CACHE_BLOCK_SIZE", "32",
            "DYN_KV_OVERLAP_SCORE_WEIGHT", "0.5", "DYN_ROUTER_TEMPERATURE", "0.25",
            "DYN_ROUTER_TRACK_ACTIVE_BLOCKS", "false", "DYN_ROUTER_QUEUE_POLICY", "wspt");
        final RouterContext fromEnv = RouterOptions.parse(env).routerContext();
        assertEquals(RouterMode.ROUND_ROBIN, fromEnv.mode());
        assertEquals(32, fromEnv.blockSize());
        assertEquals(0.5, fromEnv.overlapScoreWeight());
        assertEquals(0.25, fromEnv.temperature());
        assertFalse(fromEnv.trackActiveBlocks());
        assertEquals(QueuePolicy.WSPT, fromEnv.queuePolicy());
        final RouterContext fromFlags = RouterOptions.parse(env, "--router-mode", "random", "--router-block-size=64",
            "--router-track-active-blocks", "--no-router-track-prefill-tokens", "--router-ttl-secs", "5")
            .routerContext();
        assertEquals(RouterMode.RANDOM, fromFlags.mode());
        assertEquals(64, fromFlags.blockSize());
        assertTrue(fromFlags.trackActiveBlocks());
        assertFalse(fromFlags.trackPrefillTokens());
        assertEquals(5_000_000_000L, fromFlags.ttlNs());
        assertEquals(8081, RouterOptions.parse(Map.of("DYN_HTTP_PORT", "8081"))
            .longValue(RouterOptions.HTTP_PORT, 0, 65535));
    }

    @Test
    void shouldRefuseBadCommandLines()
    {
        assertEquals(RouterLiteMain.EXIT_USAGE, RouterLiteMain.run(Map.of(), new String[]{"--nope"}, out, err));
        assertEquals(RouterLiteMain.EXIT_USAGE,
            RouterLiteMain.run(Map.of(), new String[]{"--router-mode", "best"}, out, err));
        assertEquals(RouterLiteMain.EXIT_USAGE,
            RouterLiteMain.run(Map.of(), new String[]{"--router-kv-events"}, out, err));
        assertEquals(RouterLiteMain.EXIT_USAGE,
            RouterLiteMain.run(Map.of("DYN_ROUTER_TEMPERATURE", "hot"), new String[0], out, err));
        final String errors = errBytes.toString(StandardCharsets.UTF_8);
        assertTrue(errors.contains("unknown option: --nope") && errors.contains("KV events need an indexer"), errors);
    }

    @Test
    void shouldStartServeAndStopAfterExitAfterMs() throws Exception
    {
        final Path workersFile = tempDir.resolve("workers.txt");
        Files.writeString(workersFile, "2=http://127.0.0.1:9/\n");
        final AtomicInteger exitCode = new AtomicInteger(-1);
        final Thread main = new Thread(() -> exitCode.set(RouterLiteMain.run(Map.of(), new String[]{
            "--http-port", "0", "--aeron-dir", tempDir.resolve("aeron").toString(), "--router-block-size", "4",
            "--workers", "1=http://127.0.0.1:9/", "--workers-file", workersFile.toString(),
            "--status-interval-ms", "200", "--exit-after-ms", "3000"}, out, err)));
        main.start();
        final Pattern url = Pattern.compile("\nhttp (http://127\\.0\\.0\\.1:\\d+) ");
        Matcher matcher = url.matcher(output());
        while (!matcher.find() && main.isAlive())
        {
            Thread.sleep(20);
            matcher = url.matcher(output());
        }
        final HttpClient http = HttpClient.newHttpClient();
        final HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(matcher.group(1) + "/health"))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(health.body().contains("\"workers\":2"), health.body());
        final HttpResponse<String> routed = http.send(HttpRequest.newBuilder(URI.create(matcher.group(1) +
            "/best_worker")).POST(HttpRequest.BodyPublishers.ofString("{\"token_ids\":[1,2,3,4,5]}")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, routed.statusCode(), routed.body());
        main.join();
        final String output = output();
        assertEquals(RouterLiteMain.EXIT_OK, exitCode.get(), output + errBytes.toString(StandardCharsets.UTF_8));
        assertTrue(output.contains("router-lite started: mode kv, approximate (no KV events"), output);
        assertTrue(output.contains("aeron api aeron:ipc stream 1101, aeron dir " + tempDir.resolve("aeron") +
            " (embedded driver)"), output);
        assertTrue(output.contains("status: workers 2, routed 1"), output);
        assertTrue(output.endsWith("router-lite stopped\n"), output);
        assertFalse(Files.exists(tempDir.resolve("aeron")), "the embedded driver's dir is deleted");
    }

    private String output()
    {
        return outBytes.toString(StandardCharsets.UTF_8);
    }
}
