package io.kvindex.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.server.IndexerServer;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.kvindex.server.http.HttpTestSupport.get;
import static io.kvindex.server.http.HttpTestSupport.json;
import static io.kvindex.server.http.HttpTestSupport.post;
import static io.kvindex.server.http.HttpWorkload.BLOCK_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /query}, {@code /query_by_hash} and {@code /dump} against a real server whose index the test fills directly
 * (no feed runs): the answers are the reference model's, in tokens with string keys; a dump rebuilds an equal index,
 * and a second server bootstraps from the first one's dump.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class HttpQueryTest
{
    private static final String MODEL = "llama";

    @TempDir
    Path tempDir;

    private IndexerServer server;
    private IndexerServer peer;

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(peer, server);
    }

    @Test
    void shouldAnswerQueriesInTokensAsTheReference()
    {
        final HttpWorkload workload = filledServer();
        int nonEmpty = 0;
        for (final int[] prompt : workload.prompts)
        {
            final HttpResponse<String> response = post(server, "/query",
                "{\"token_ids\": " + Arrays.toString(prompt) + ", \"model_name\": \"" + MODEL + "\"}");
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
            final Map<String, Map<String, Map<String, Long>>> expected =
                HttpWorkload.expected(workload.reference, workload.localHashes(prompt, null));
            assertEquals(expected, HttpWorkload.actual(json(response)), response.body());
            nonEmpty += expected.get("scores").isEmpty() ? 0 : 1;
        }
        assertTrue(nonEmpty > workload.prompts.length / 2, "answers with owners: " + nonEmpty);
    }

    @Test
    void shouldPrintWorkerIdsUnsignedAndScoreTokens()
    {
        final HttpWorkload workload = filledServer();
        final int[] prompt = workload.prompts[2];
        final JsonNode answer = json(post(server, "/query", "{\"model_name\": \"llama\", \"tenant_id\": \"default\"," +
            " \"token_ids\": " + Arrays.toString(prompt) + "}"));
        final JsonNode owner = answer.path("scores").path("18446744073709551615");
        assertTrue(owner.isObject(), answer.toString());
        final long tokens = owner.path("0").longValue();
        assertTrue(tokens > 0 && tokens % BLOCK_SIZE == 0, answer.toString());
        assertTrue(answer.path("tree_sizes").path("18446744073709551615").path("0").longValue() >= tokens / BLOCK_SIZE,
            answer.toString());
    }

    @Test
    void shouldHashWithTheLoraSeedOnlyWhenNamed()
    {
        final HttpWorkload workload = filledServer();
        final String tokens = Arrays.toString(workload.loraPrompt);

        final JsonNode withLora = json(post(server, "/query", "{\"model_name\": \"llama\", \"lora_name\": \"" +
            HttpWorkload.LORA + "\", \"token_ids\": " + tokens + "}"));
        final JsonNode without = json(post(server, "/query",
            "{\"model_name\": \"llama\", \"lora_name\": null, \"token_ids\": " + tokens + "}"));

        final long full = (long)(workload.loraPrompt.length / BLOCK_SIZE) * BLOCK_SIZE;
        assertEquals(full, withLora.path("scores").path("555").path("3").longValue(), withLora.toString());
        assertEquals(1, withLora.path("scores").size(), withLora.toString());
        assertTrue(without.path("scores").path("555").isMissingNode(), without.toString());
    }

    @Test
    void shouldAnswerQueriesByHashSignedOrUnsigned()
    {
        final HttpWorkload workload = filledServer();
        for (int p = 0; p < workload.prompts.length; p += 3)
        {
            final long[] hashes = workload.localHashes(workload.prompts[p], null);
            final String signed = Arrays.toString(hashes);
            final String unsigned = Arrays.stream(hashes).mapToObj(Long::toUnsignedString)
                .collect(Collectors.joining(", ", "[", "]"));
            final Map<String, Map<String, Map<String, Long>>> expected =
                HttpWorkload.expected(workload.reference, hashes);
            for (final String body : List.of(signed, unsigned))
            {
                final HttpResponse<String> response = post(server, "/query_by_hash",
                    "{\"block_hashes\": " + body + ", \"model_name\": \"llama\", \"extra\": {\"ignored\": [1]}}");
                assertEquals(200, response.statusCode(), response.body());
                assertEquals(expected, HttpWorkload.actual(json(response)), response.body());
            }
        }
    }

    @Test
    void shouldAnswerAnEmptyPromptAndRefuseUnknownIndex()
    {
        filledServer();
        final HttpResponse<String> empty = post(server, "/query", "{\"model_name\": \"llama\", \"token_ids\": [1, 2]}");
        assertEquals(200, empty.statusCode());
        assertEquals("{\"scores\":{},\"frequencies\":[],\"tree_sizes\":{}}", empty.body());

        final HttpResponse<String> unknown = post(server, "/query",
            "{\"model_name\": \"llama\", \"tenant_id\": \"acme\", \"token_ids\": [1, 2, 3, 4]}");
        assertEquals(404, unknown.statusCode());
        assertEquals("no indexer for model=llama tenant=acme", HttpTestSupport.error(unknown));
        final HttpResponse<String> unknownModel = post(server, "/query_by_hash",
            "{\"model_name\": \"mistral\", \"block_hashes\": [1]}");
        assertEquals(404, unknownModel.statusCode());
        assertEquals("no indexer for model=mistral tenant=default", HttpTestSupport.error(unknownModel));
    }

    @Test
    void shouldDumpWhatRebuildsAnEqualIndex() throws Exception
    {
        final HttpWorkload workload = filledServer();
        final HttpResponse<String> response = get(server, "/dump");
        assertEquals(200, response.statusCode());
        final JsonNode dump = json(response);
        assertEquals(1, dump.size(), response.body());
        final JsonNode entry = dump.path("llama:default");
        assertEquals(BLOCK_SIZE, entry.path("block_size").intValue());
        final JsonNode event = entry.path("events").path(0);
        assertTrue(event.path("worker_id").isIntegralNumber(), event.toString());
        assertTrue(event.path("event").path("event_id").isIntegralNumber(), event.toString());
        assertTrue(event.path("event").path("dp_rank").isIntegralNumber(), event.toString());
        final JsonNode stored = event.path("event").path("data").path("stored");
        assertTrue(stored.has("parent_hash"), event.toString());
        assertTrue(stored.path("blocks").path(0).path("block_hash").isIntegralNumber(), event.toString());
        assertTrue(stored.path("blocks").path(0).path("tokens_hash").isIntegralNumber(), event.toString());
        assertTrue(response.body().contains("\"worker_id\":18446744073709551615"), "unsigned worker ids");
        assertTrue(response.body().contains("\"parent_hash\":null"), "root chains");
        assertTrue(response.body().matches("(?s).*\"parent_hash\":[0-9].*"), "chains under a parent");

        try (OffHeapBlockIndex rebuilt = new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(1 << 14)))
        {
            final DumpLoader.Result result = DumpLoader.load(
                new ByteArrayInputStream(response.body().getBytes(StandardCharsets.UTF_8)),
                (model, tenant, blockSize, events) ->
                {
                    assertEquals("llama", model);
                    assertEquals("default", tenant);
                    assertEquals(BLOCK_SIZE, blockSize);
                    return events.events() - events.applyTo(rebuilt);
                });
            assertEquals(1, result.indexes, result.toString());
            assertEquals(0, result.refused, result.toString());
            assertEquals(entry.path("events").size(), result.events, result.toString());
            assertSameAnswers(workload, rebuilt);
        }
    }

    @Test
    void shouldBootstrapFromAPeersDumpBeforeServing()
    {
        final HttpWorkload workload = filledServer();
        peer = IndexerServer.launch(HttpTestSupport.serverContext(tempDir.resolve("peer"),
            HttpTestSupport.httpContext().peers(List.of("http://127.0.0.1:1", server.http().url() + "/"))));

        assertTrue(peer.http().bootstrapSummary().startsWith("loaded the dump of peer " + server.http().url()),
            peer.http().bootstrapSummary());
        assertSameAnswers(workload, peer.index(MODEL, null));
        assertEquals("[\"http://127.0.0.1:1\",\"" + server.http().url() + "/\"]", get(peer, "/peers").body());
        for (final int[] prompt : workload.prompts)
        {
            final String body = "{\"token_ids\": " + Arrays.toString(prompt) + ", \"model_name\": \"llama\"}";
            assertEquals(json(post(server, "/query", body)), json(post(peer, "/query", body)));
        }
    }

    @Test
    void shouldStartEmptyWhenNoPeerAnswers()
    {
        server = IndexerServer.launch(HttpTestSupport.serverContext(tempDir,
            HttpTestSupport.httpContext().peers(List.of("http://127.0.0.1:1")).peerTimeoutMs(2000)));

        assertTrue(server.http().bootstrapSummary().startsWith("no peer gave its dump, starting empty: " +
            "http://127.0.0.1:1: "), server.http().bootstrapSummary());
        assertEquals(0, server.registry().size());
    }

    private HttpWorkload filledServer()
    {
        server = HttpTestSupport.launch(tempDir);
        final OffHeapBlockIndex index = server.registerIndex(MODEL, null, BLOCK_SIZE);
        final HttpWorkload workload = new HttpWorkload(42, 60);
        workload.apply(index);
        return workload;
    }

    private static void assertSameAnswers(final HttpWorkload workload, final OffHeapBlockIndex index)
    {
        for (final int[] prompt : workload.prompts)
        {
            final long[] hashes = workload.localHashes(prompt, null);
            assertEquals(HttpWorkload.expected(workload.reference, hashes), HttpWorkload.expected(index, hashes));
        }
        final long[] lora = workload.localHashes(workload.loraPrompt, HttpWorkload.LORA);
        assertEquals(HttpWorkload.expected(workload.reference, lora), HttpWorkload.expected(index, lora));
    }
}
