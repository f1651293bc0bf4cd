package io.kvindex.server.http;

import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.server.IndexerServer;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.kvindex.server.http.HttpTestSupport.get;
import static io.kvindex.server.http.HttpTestSupport.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /metrics} carries the names of {@code spec/dynamo-compat.md} §5 with the values of what happened, parses as
 * Prometheus text, and passes {@code promtool check metrics} when promtool is installed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class HttpMetricsTest
{
    @TempDir
    Path tempDir;

    private IndexerServer server;

    @AfterEach
    void close()
    {
        CloseHelper.close(server);
    }

    @Test
    void shouldExportEventsRequestsErrorsWorkersAndListeners()
    {
        final String metrics = exercisedMetrics();

        assertEquals(3.0, value(metrics, "kv_cache_events_applied_total{event_type=\"stored\",model=\"llama\"," +
            "status=\"ok\",tenant=\"default\"}"), metrics);
        assertEquals(1.0, value(metrics, "kv_cache_events_applied_total{event_type=\"stored\",model=\"llama\"," +
            "status=\"parent_block_not_found\",tenant=\"default\"}"));
        assertEquals(1.0, value(metrics, "kv_cache_events_applied_total{event_type=\"removed\",model=\"llama\"," +
            "status=\"block_not_found\",tenant=\"default\"}"));
        assertEquals(1.0, value(metrics, "kv_cache_events_applied_total{event_type=\"cleared\",model=\"llama\"," +
            "status=\"ok\",tenant=\"default\"}"));
        assertEquals(2.0, value(metrics, "kvindexer_requests_total{endpoint=\"/query\",method=\"POST\"}"));
        assertEquals(1.0, value(metrics, "kvindexer_requests_total{endpoint=\"/register\",method=\"POST\"}"));
        assertEquals(1.0, value(metrics, "kvindexer_errors_total{endpoint=\"/query\",status_class=\"4xx\"}"));
        assertEquals(1.0, value(metrics, "kvindexer_errors_total{endpoint=\"unknown\",status_class=\"4xx\"}"));
        assertEquals(2.0, value(metrics, "kvindexer_request_duration_seconds_count{endpoint=\"/query\"}"));
        assertTrue(metrics.contains("kvindexer_request_duration_seconds_bucket{endpoint=\"/query\",le=\"+Inf\"} 2"),
            metrics);
        assertEquals(1.0, value(metrics, "kvindexer_workers"));
        assertEquals(1.0, value(metrics, "kvindexer_listeners{status=\"pending\"}"));
        assertEquals(0.0, value(metrics, "kvindexer_listeners{status=\"failed\"}"));
        assertEquals(1.0, value(metrics, "kvindexer_models"));
        assertEquals(2.0, value(metrics, "kvindexer_index_blocks{model=\"llama\",tenant=\"default\"}"));
        assertEquals(0.0, value(metrics, "kvindexer_aeron_query_requests_total"));
        assertTrue(value(metrics, "process_cpu_seconds_total") > 0, metrics);
        assertTrue(value(metrics, "jvm_memory_used_bytes{area=\"heap\"}") > 0, metrics);
        assertTrue(metrics.contains("# TYPE kvindexer_request_duration_seconds histogram"), metrics);
        assertTrue(metrics.contains("# TYPE kv_cache_events_applied_total counter"), metrics);
    }

    @Test
    void shouldPassPromtoolCheckMetrics() throws IOException, InterruptedException
    {
        final Path promtool = findPromtool();
        Assumptions.assumeTrue(null != promtool,
            "promtool not installed (Debian: apt-get install prometheus): promtool check skipped");
        final String metrics = exercisedMetrics();
        final Process process = new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectErrorStream(true)
            .start();
        try (OutputStream in = process.getOutputStream())
        {
            in.write(metrics.getBytes(StandardCharsets.UTF_8));
        }
        final String output;
        try (InputStream out = process.getInputStream())
        {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, process.exitValue(), output + "\n" + metrics);
        assertEquals("", output.trim(), "promtool findings:\n" + output);
    }

    private String exercisedMetrics()
    {
        server = HttpTestSupport.launch(tempDir);
        final OffHeapBlockIndex index = server.registerIndex("llama", null, 16);
        index.store(1, 0, false, 0, new long[]{ 11, 12 }, new long[]{ 21, 22 }, 2);
        index.store(1, 0, false, 0, new long[]{ 11, 12 }, new long[]{ 21, 22 }, 2);
        index.store(2, 0, false, 0, new long[]{ 31 }, new long[]{ 21 }, 1);
        index.store(1, 0, true, 99, new long[]{ 13 }, new long[]{ 23 }, 1);
        index.remove(1, 0, new long[]{ 77 }, 1);
        index.clear(2);
        assertEquals(201, post(server, "/register", "{\"instance_id\": 1, \"endpoint\": \"tcp://127.0.0.1:5557\", " +
            "\"model_name\": \"llama\", \"block_size\": 16}").statusCode());
        assertEquals(200, post(server, "/query", "{\"model_name\": \"llama\", \"token_ids\": [1, 2]}").statusCode());
        assertEquals(400, post(server, "/query", "{\"model_name\": \"llama\"}").statusCode());
        assertEquals(404, get(server, "/nope").statusCode());
        final HttpResponse<String> response = get(server, "/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
            response.headers().toString());
        return response.body();
    }

    private static double value(final String metrics, final String series)
    {
        final Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
        assertTrue(matcher.find(), series + " missing from\n" + metrics);
        return Double.parseDouble(matcher.group(1));
    }

    private static Path findPromtool()
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(":"))
        {
            final Path candidate = Path.of(dir.isEmpty() ? "." : dir, "promtool");
            if (Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
