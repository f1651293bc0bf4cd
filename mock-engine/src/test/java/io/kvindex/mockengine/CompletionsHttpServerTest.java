package io.kvindex.mockengine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.kvindex.mockengine.EngineSimulationTest.tokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The completions API over real HTTP with {@link HttpClient}: answers, streams, timing and errors.
 */
@Timeout(60)
class CompletionsHttpServerTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int BS = 4;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private MockEngine engine;

    @AfterEach
    void close()
    {
        if (null != engine)
        {
            engine.close();
        }
    }

    @Test
    void shouldAnswerAfterTheSimulatedTimeAndReportCacheHits() throws Exception
    {
        engine = launch(context().prefillUsPerToken(1000).decodeUsPerToken(2000).timeScale(1).workerId(42));
        final int[] prompt = tokens(1, 10 * BS + 1);

        final long start = System.nanoTime();
        final HttpResponse<String> first = post("/v1/completions", body(prompt, 3, false));
        final long firstNs = System.nanoTime() - start;
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("application/json", first.headers().firstValue("Content-Type").orElse(""));
        final JsonNode json = MAPPER.readTree(first.body());
        assertEquals("text_completion", json.get("object").asText());
        assertEquals("cmpl-42-1", json.get("id").asText());
        assertEquals("mock-model", json.get("model").asText());
        assertEquals(" t0 t1 t2", json.get("choices").get(0).get("text").asText());
        assertEquals("length", json.get("choices").get(0).get("finish_reason").asText());
        assertEquals(41, json.get("usage").get("prompt_tokens").asInt());
        assertEquals(3, json.get("usage").get("completion_tokens").asInt());
        assertEquals(44, json.get("usage").get("total_tokens").asInt());
        assertEquals(0, json.get("usage").get("prompt_tokens_details").get("cached_tokens").asInt());
        assertEquals(42, json.get("mock_engine").get("worker_id").asLong());
        assertEquals(10, json.get("mock_engine").get("stored_blocks").asInt());
        assertTrue(firstNs >= TimeUnit.MICROSECONDS.toNanos(41 * 1000 + 2 * 2000), "answered after " + firstNs);

        final long again = System.nanoTime();
        final JsonNode second = MAPPER.readTree(post("/v1/completions", body(prompt, 1, false)).body());
        final long secondNs = System.nanoTime() - again;
        assertEquals(40, second.get("usage").get("prompt_tokens_details").get("cached_tokens").asInt());
        assertEquals(40, second.get("mock_engine").get("cached_tokens").asInt());
        assertEquals(1000.0, second.get("mock_engine").get("prefill_us").asDouble());
        assertTrue(secondNs < firstNs, "a cache hit is faster: " + secondNs + " vs " + firstNs);
    }

    @Test
    void shouldStreamOneChunkPerTokenAtTheDecodeRateThenDone() throws Exception
    {
        engine = launch(context().prefillUsPerToken(500).decodeUsPerToken(5000).timeScale(1).modelName("m"));
        final String request = "{\"model\": \"llama\", \"prompt\": " + Arrays.toString(tokens(2, 8 * BS)) +
            ", \"max_tokens\": 5, \"stream\": true, \"stream_options\": {\"include_usage\": true}}";
        assertEquals(200, post("/v1/completions", body(tokens(3, 2), 2, true)).statusCode(), "warm up");
        final long start = System.nanoTime();
        final HttpResponse<java.io.InputStream> response = client.send(HttpRequest.newBuilder(uri("/v1/completions"))
            .POST(HttpRequest.BodyPublishers.ofString(request)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElse(""));
        final List<String> data = new ArrayList<>();
        final List<Long> arrivals = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(response.body(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                if (line.startsWith("data: "))
                {
                    data.add(line.substring(6));
                    arrivals.add(System.nanoTime() - start);
                }
                else
                {
                    assertEquals("", line);
                }
            }
        }
        assertEquals(7, data.size(), data.toString());
        assertEquals("[DONE]", data.get(6));
        for (int i = 0; i < 5; i++)
        {
            final JsonNode chunk = MAPPER.readTree(data.get(i));
            assertEquals("llama", chunk.get("model").asText());
            assertEquals(" t" + i, chunk.get("choices").get(0).get("text").asText());
            assertEquals(i == 4 ? "length" : "null", chunk.get("choices").get(0).get("finish_reason").asText());
        }
        assertEquals(0, MAPPER.readTree(data.get(0)).get("mock_engine").get("dp_rank").asInt());
        final JsonNode usage = MAPPER.readTree(data.get(5));
        assertEquals(0, usage.get("choices").size());
        assertEquals(5, usage.get("usage").get("completion_tokens").asInt());
        assertTrue(arrivals.get(0) >= TimeUnit.MICROSECONDS.toNanos(32 * 500), "first token at " + arrivals.get(0));
        assertTrue(arrivals.get(4) >= TimeUnit.MICROSECONDS.toNanos(32 * 500 + 4 * 5000),
            "the last token after the prefill and 4 decode times: " + arrivals);
    }

    @Test
    void shouldRejectBadBodiesWithReasons() throws Exception
    {
        engine = launch(context().dpRanks(2));
        assertError(400, "malformed JSON", post("/v1/completions", "{\"prompt\": [1, 2"));
        assertError(400, "JSON object", post("/v1/completions", "[1, 2]"));
        assertError(400, "empty", post("/v1/completions", ""));
        assertError(400, "no tokenizer", post("/v1/completions", "{\"prompt\": \"hello\"}"));
        assertError(400, "prompt is required", post("/v1/completions", "{\"max_tokens\": 3}"));
        assertError(400, "non-empty", post("/v1/completions", "{\"prompt\": []}"));
        assertError(400, "prompt[1]", post("/v1/completions", "{\"prompt\": [1, -2]}"));
        assertError(400, "prompt[0]", post("/v1/completions", "{\"prompt\": [1.5]}"));
        assertError(400, "prompt[0]", post("/v1/completions", "{\"prompt\": [4294967296]}"));
        assertError(400, "one prompt", post("/v1/completions", "{\"prompt\": [[1], [2]]}"));
        assertError(400, "max_tokens", post("/v1/completions", "{\"prompt\": [1], \"max_tokens\": 0}"));
        assertError(400, "stream", post("/v1/completions", "{\"prompt\": [1], \"stream\": \"yes\"}"));
        assertError(400, "data_parallel_rank", post("/v1/completions",
            "{\"prompt\": [1], \"data_parallel_rank\": 2}"));
        final HttpResponse<String> header = client.send(HttpRequest.newBuilder(uri("/v1/completions"))
            .header("X-data-parallel-rank", "x").POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": [1]}"))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertError(400, "X-data-parallel-rank", header);
        final byte[] huge = new byte[CompletionsHttpServer.MAX_BODY_BYTES + 1];
        Arrays.fill(huge, (byte)' ');
        assertError(413, "over", client.send(HttpRequest.newBuilder(uri("/v1/completions"))
            .POST(HttpRequest.BodyPublishers.ofByteArray(huge)).build(), HttpResponse.BodyHandlers.ofString()));
        assertError(404, "no such endpoint", post("/v1/chat/completions", "{}"));
        assertError(405, "use POST", client.send(HttpRequest.newBuilder(uri("/v1/completions")).GET().build(),
            HttpResponse.BodyHandlers.ofString()));

        final HttpResponse<String> ok = post("/v1/completions",
            "{\"prompt\": [[1, 2, 3, 4, 5]], \"data_parallel_rank\": 1, \"temperature\": 0.7}");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(1, MAPPER.readTree(ok.body()).get("mock_engine").get("dp_rank").asInt());
        assertEquals(1, engine.query((simulation) -> simulation.cachedBlocks(1)).get());
    }

    @Test
    void shouldServeHealthModelsAndPrefixCacheReset() throws Exception
    {
        engine = launch(context());
        final HttpResponse<String> health = client.send(HttpRequest.newBuilder(uri("/health")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        assertEquals("", health.body());
        final JsonNode models = MAPPER.readTree(client.send(HttpRequest.newBuilder(uri("/v1/models")).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("mock-model", models.get("data").get(0).get("id").asText());

        assertEquals(200, post("/v1/completions", body(tokens(3, 3 * BS), 1, false)).statusCode());
        assertEquals(3, engine.query((simulation) -> simulation.cachedBlocks(0)).get());
        assertEquals(200, post("/reset_prefix_cache", "").statusCode());
        assertEquals(0, engine.query((simulation) -> simulation.cachedBlocks(0)).get());
    }

    private void assertError(final int status, final String fragment, final HttpResponse<String> response)
        throws IOException
    {
        assertEquals(status, response.statusCode(), response.body());
        final JsonNode error = MAPPER.readTree(response.body()).get("error");
        assertEquals(status, error.get("code").asInt());
        assertTrue(error.get("message").asText().contains(fragment), error.toString());
    }

    private HttpResponse<String> post(final String path, final String body) throws IOException, InterruptedException
    {
        return client.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(final String path)
    {
        return URI.create("http://127.0.0.1:" + engine.httpPort() + path);
    }

    private static String body(final int[] prompt, final int maxTokens, final boolean stream)
    {
        return "{\"prompt\": " + Arrays.toString(prompt) + ", \"max_tokens\": " + maxTokens + ", \"stream\": " +
            stream + "}";
    }

    private static MockEngine launch(final MockEngineContext ctx)
    {
        return MockEngine.launch(ctx);
    }

    private static MockEngineContext context()
    {
        return MockEngineTest.context().httpPort(0).blockSize(BS);
    }
}
