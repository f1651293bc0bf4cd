package io.kvindex.router.metrics;

import io.kvindex.router.RouteOverrides;
import io.kvindex.router.Router;
import io.kvindex.router.RouterContext;
import io.kvindex.router.RoutingDecision;
import io.kvindex.router.Worker;
import io.kvindex.router.WorkerSet;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Router metrics after real decisions in approximate mode: values parsed back from the text exposition, and the text
 * checked by {@code promtool check metrics} when promtool is on the PATH.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class RouterMetricsTest
{
    private static final int BLOCK_SIZE = 4;

    @TempDir
    Path tempDir;

    private final WorkerSet workers = new WorkerSet().add(Worker.of(1, 0)).add(Worker.of(7, 1));
    private final RoutingDecision decision = new RoutingDecision();
    private final RouteOverrides overrides = new RouteOverrides();
    private final RouterMetrics metrics = new RouterMetrics(0);
    private Router router;

    @AfterEach
    void after()
    {
        CloseHelper.close(router);
    }

    @Test
    void shouldRenderRecordedDecisionsAndWorkerLoads() throws Exception
    {
        router = Router.launch(new RouterContext()
            .blockSize(BLOCK_SIZE)
            .kvEvents(false)
            .workerSet(workers)
            .random(new SplittableRandom(5))
            .routerMetrics(metrics));
        router.bestWorker(prompt(1, 4), 16, overrides.reset().forceWorker(1, 0), "a", decision);
        router.bestWorker(prompt(1, 4), 16, overrides.reset().forceWorker(1, 0), "b", decision);
        router.bestWorker(prompt(1, 8), 32, overrides.reset().forceWorker(1, 0), null, decision);
        router.markPrefillComplete("a");
        router.doWork();

        final String text = metrics.metricsText();
        final Map<String, Double> values = parse(text);
        assertEquals(3.0, values.get("router_requests_total"));
        assertEquals(3.0, values.get("router_kv_hit_rate_count"));
        assertEquals(1.0, values.get("router_kv_hit_rate_bucket{le=\"0.0\"}"), "the first decision found nothing");
        assertEquals(2.0, values.get("router_kv_hit_rate_bucket{le=\"0.5\"}"), "a query for 8 blocks, 4 cached: 0.5");
        assertEquals(3.0, values.get("router_kv_hit_rate_bucket{le=\"+Inf\"}"));
        assertEquals(0.0 + 1.0 + 0.5, values.get("router_kv_hit_rate_sum"), 1e-9);
        for (final String part : new String[]{ "block_hashing", "indexer_find_matches", "scheduling", "total" })
        {
            assertEquals(3.0, values.get("router_overhead_" + part + "_ms_count"), part);
            assertTrue(values.get("router_overhead_" + part + "_ms_sum") >= 0, part);
        }
        assertTrue(values.get("router_overhead_total_ms_sum") >= values.get("router_overhead_scheduling_ms_sum"));
        assertEquals(0.0, values.get("router_queue_pending_requests"));
        assertEquals(4.0, values.get("worker_active_decode_blocks{worker_id=\"1\",dp_rank=\"0\"}"));
        assertEquals(0.0, values.get("worker_active_decode_blocks{worker_id=\"7\",dp_rank=\"1\"}"));
        assertEquals(0.0, values.get("worker_active_prefill_tokens{worker_id=\"1\",dp_rank=\"0\"}"),
            "a completed; b found all 4 blocks cached and adds no prefill");
        promtoolCheck(text);
    }

    private void promtoolCheck(final String text) throws Exception
    {
        final String promtool = findOnPath("promtool");
        if (null == promtool)
        {
            return;
        }
        final Path file = tempDir.resolve("metrics.txt");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        final Process process = new ProcessBuilder(promtool, "check", "metrics")
            .redirectInput(file.toFile())
            .redirectErrorStream(true)
            .start();
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "promtool finished");
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // The spec's names end in _ms (as Dynamo's do), which promtool's linter flags; that is the only complaint
        // accepted. A parse error or any other lint problem fails.
        for (final String line : output.split("\n"))
        {
            assertTrue(line.isBlank() || line.matches(
                "router_overhead_[a-z_]+_ms metric names should not contain abbreviated units"), output);
        }
    }

    private static String findOnPath(final String name)
    {
        final String path = System.getenv("PATH");
        if (null != path)
        {
            for (final String dir : path.split(File.pathSeparator))
            {
                final File file = new File(dir, name);
                if (file.canExecute())
                {
                    return file.getPath();
                }
            }
        }
        return null;
    }

    private static Map<String, Double> parse(final String text)
    {
        final Map<String, Double> values = new HashMap<>();
        for (final String line : text.split("\n"))
        {
            if (!line.startsWith("#") && !line.isBlank())
            {
                final int space = line.lastIndexOf(' ');
                values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return values;
    }

    private static int[] prompt(final int family, final int blocks)
    {
        final int[] tokens = new int[blocks * BLOCK_SIZE];
        for (int i = 0; i < tokens.length; i++)
        {
            tokens[i] = family * 1_000 + i;
        }
        return tokens;
    }
}
