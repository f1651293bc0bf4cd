package io.kvindex.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.server.IndexerServer;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.kvindex.server.http.HttpTestSupport.error;
import static io.kvindex.server.http.HttpTestSupport.get;
import static io.kvindex.server.http.HttpTestSupport.json;
import static io.kvindex.server.http.HttpTestSupport.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The management endpoints of a real server over a real HTTP client: registration and its errors (400, 409),
 * unregistration by instance, tenant and rank (200, 404), {@code /workers}, peers, health, and the router's own
 * errors (404 unknown path, 405 wrong method, 400 malformed JSON).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class HttpApiTest
{
    @TempDir
    Path tempDir;

    private IndexerServer server;

    @BeforeEach
    void launch()
    {
        server = HttpTestSupport.launch(tempDir);
    }

    @AfterEach
    void close()
    {
        CloseHelper.close(server);
    }

    @Test
    void shouldRegisterWithDefaultsAndListWorkers()
    {
        final HttpResponse<String> created = register(7, 0, "tcp://127.0.0.1:5557", 16, "llama", null);
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("{\"status\":\"ok\"}", created.body());
        assertEquals(201, register(7, 1, "tcp://127.0.0.1:5558", 16, "llama", "default").statusCode());
        assertEquals(201, register(7, 1, "tcp://127.0.0.1:5558", 16, "llama", "default").statusCode(), "again");
        assertEquals(201, post(server, "/register", "{\"instance_id\": 18446744073709551615, \"endpoint\": " +
            "\"ipc:///tmp/engine\", \"model_name\": \"llama\", \"block_size\": 16, \"replay_endpoint\": " +
            "\"tcp://127.0.0.1:5600\", \"unknown_field\": [1, 2]}").statusCode());
        assertEquals(16, server.registry().find("llama", "default").blockSize());

        final JsonNode workers = json(get(server, "/workers"));
        assertEquals(2, workers.size(), workers.toString());
        final JsonNode first = workers.get(0);
        assertEquals(7, first.path("instance_id").longValue());
        assertEquals("zmq", first.path("source").asText());
        assertEquals("pending", first.path("status").asText());
        assertEquals("llama", first.path("model_name").asText());
        assertEquals("default", first.path("tenant_id").asText());
        assertEquals("tcp://127.0.0.1:5557", first.path("endpoints").path("0").asText());
        assertEquals("tcp://127.0.0.1:5558", first.path("endpoints").path("1").asText());
        assertEquals("tcp://127.0.0.1:5558", first.path("listeners").path("1").path("endpoint").asText());
        assertEquals("pending", first.path("listeners").path("1").path("status").asText());
        assertTrue(first.path("listeners").path("1").path("last_error").isMissingNode());
        assertTrue(get(server, "/workers").body().contains("{\"instance_id\":18446744073709551615,"));
    }

    @Test
    void shouldRefuseABlockSizeConflictWith409()
    {
        assertEquals(201, register(1, 0, "tcp://127.0.0.1:5557", 16, "llama", null).statusCode());
        final HttpResponse<String> conflict = register(2, 0, "tcp://127.0.0.1:5559", 32, "llama", "default");
        assertEquals(409, conflict.statusCode(), conflict.body());
        assertTrue(error(conflict).contains("block_size 16"), conflict.body());
        assertEquals(201, register(2, 0, "tcp://127.0.0.1:5559", 32, "llama", "acme").statusCode());
    }

    @Test
    void shouldRefuseBadRegistrationsWith400()
    {
        assertBadRequest("/register", "{\"instance_id\": 1, \"endpoint\": \"http://x:1\", \"model_name\": \"m\", " +
            "\"block_size\": 16}", "endpoint has an unsupported transport 'http'");
        assertBadRequest("/register", "{\"instance_id\": 1, \"endpoint\": \"tcp://host\", \"model_name\": \"m\", " +
            "\"block_size\": 16}", "endpoint needs host:port");
        assertBadRequest("/register", "{\"instance_id\": \"1\", \"endpoint\": \"tcp://h:1\", \"model_name\": " +
            "\"m\", \"block_size\": 16}", "instance_id must be an unsigned 64-bit integer");
        assertBadRequest("/register", "{\"instance_id\": -1, \"endpoint\": \"tcp://h:1\", \"model_name\": " +
            "\"m\", \"block_size\": 16}", "instance_id must be an unsigned 64-bit integer: -1");
        assertBadRequest("/register", "{\"instance_id\": 18446744073709551616, \"endpoint\": \"tcp://h:1\", " +
            "\"model_name\": \"m\", \"block_size\": 16}", "instance_id must be an unsigned 64-bit integer");
        assertBadRequest("/register", "{\"instance_id\": 1, \"endpoint\": \"tcp://h:1\", \"model_name\": \"m\"}",
            "missing field: block_size");
        assertBadRequest("/register", "{\"instance_id\": 1, \"endpoint\": \"tcp://h:1\", \"model_name\": \"m\", " +
            "\"block_size\": 1.5}", "block_size must be an integer in [1, 2147483647]: 1.5");
        assertBadRequest("/register", "{\"instance_id\": 1, \"endpoint\": \"tcp://h:1\", \"model_name\": 3, " +
            "\"block_size\": 16}", "model_name must be a string");
        assertBadRequest("/register", "{\"instance_id\": 1, \"endpoint\": \"tcp://h:1\", \"model_name\": \"m\", " +
            "\"block_size\": 16, \"dp_rank\": -2}", "dp_rank must be an integer in [0, 2147483647]: -2");
        assertBadRequest("/register", "{\"instance_id\": 1,", "malformed JSON: ");
        assertBadRequest("/register", "", "request body is empty: a JSON object is expected");
        assertBadRequest("/register", "[1, 2]", "request body must be a JSON object");
        assertBadRequest("/query", "{\"model_name\": \"m\", \"token_ids\": [1, -2]}",
            "token_ids must be an array of integers in [0, 4294967295]");
        assertBadRequest("/query", "{\"model_name\": \"m\", \"token_ids\": [4294967296]}",
            "token_ids must be an array of integers in [0, 4294967295]");
        assertBadRequest("/query", "{\"model_name\": \"m\", \"token_ids\": \"1 2\"}",
            "token_ids must be an array of integers in [0, 4294967295]");
        assertBadRequest("/query", "{\"model_name\": \"m\"}", "missing field: token_ids");
        assertBadRequest("/query", "{\"token_ids\": []}", "missing field: model_name");
        assertBadRequest("/query", "{\"token_ids\": [], \"model_name\": \"m\"} x", "malformed JSON: ");
        assertBadRequest("/query", "[]", "request body must be a JSON object");
        assertBadRequest("/query_by_hash", "{\"model_name\": \"m\", \"block_hashes\": [1.0]}",
            "block_hashes must be an array of 64-bit integers");
        assertBadRequest("/query_by_hash", "{\"model_name\": \"m\", \"block_hashes\": [18446744073709551616]}",
            "block_hashes must be an array of 64-bit integers");
        assertEquals(0, server.registry().size(), "nothing registered by a bad request");
        assertEquals("[]", get(server, "/workers").body());
    }

    @Test
    void shouldUnregisterByInstanceTenantAndRank()
    {
        register(1, 0, "tcp://127.0.0.1:5001", 16, "llama", "a");
        register(1, 1, "tcp://127.0.0.1:5002", 16, "llama", "a");
        register(1, 0, "tcp://127.0.0.1:5003", 16, "llama", "b");
        register(1, 0, "tcp://127.0.0.1:5004", 16, "mistral", null);
        register(2, 0, "tcp://127.0.0.1:5005", 16, "llama", "a");

        assertEquals(200, post(server, "/unregister", "{\"instance_id\": 1, \"model_name\": \"llama\", " +
            "\"tenant_id\": \"a\", \"dp_rank\": 1}").statusCode());
        assertEquals(4, server.listeners().size());
        final HttpResponse<String> gone = post(server, "/unregister", "{\"instance_id\": 1, \"model_name\": " +
            "\"llama\", \"tenant_id\": \"a\", \"dp_rank\": 1}");
        assertEquals(404, gone.statusCode());
        assertEquals("instance 1 dp_rank 1 not found for model=llama tenant=a", error(gone));

        final HttpResponse<String> all = post(server, "/unregister", "{\"instance_id\": 1, \"model_name\": \"llama\"}");
        assertEquals(200, all.statusCode(), all.body());
        assertEquals("{\"status\":\"ok\"}", all.body());
        final JsonNode workers = json(get(server, "/workers"));
        assertEquals(2, workers.size(), workers.toString());
        assertEquals("mistral", workers.get(0).path("model_name").asText());
        assertEquals(2, workers.get(1).path("instance_id").intValue());
        assertEquals(404, post(server, "/unregister", "{\"instance_id\": 9, \"model_name\": \"llama\"}").statusCode());
        assertBadRequest("/unregister", "{\"model_name\": \"llama\"}", "missing field: instance_id");
    }

    @Test
    void shouldKeepPeers()
    {
        assertEquals("[]", get(server, "/peers").body());
        final HttpResponse<String> added = post(server, "/register_peer", "{\"url\": \"http://127.0.0.1:9\"}");
        assertEquals(201, added.statusCode());
        assertEquals("{\"status\":\"ok\"}", added.body());
        assertEquals(201, post(server, "/register_peer", "{\"url\": \"http://127.0.0.1:9\"}").statusCode());
        assertEquals(201, post(server, "/register_peer", "{\"url\": \"https://peer.example:8090\"}").statusCode());
        assertEquals("[\"http://127.0.0.1:9\",\"https://peer.example:8090\"]", get(server, "/peers").body());
        assertBadRequest("/register_peer", "{\"url\": \"tcp://127.0.0.1:9\"}", "peer url must be http(s)://host:port");
        assertBadRequest("/register_peer", "{}", "missing field: url");
        assertBadRequest("/register_peer", "{\"url\": \"http://127.0.0.1:8\"} {}", "malformed JSON: ");

        assertEquals(200, post(server, "/deregister_peer", "{\"url\": \"http://127.0.0.1:9\"}").statusCode());
        final HttpResponse<String> unknown = post(server, "/deregister_peer", "{\"url\": \"http://127.0.0.1:9\"}");
        assertEquals(404, unknown.statusCode());
        assertEquals("peer not found", error(unknown));
        assertEquals("[\"https://peer.example:8090\"]", get(server, "/peers").body());
    }

    @Test
    void shouldAnswerUnknownPathsWith404AndWrongMethodsWith405()
    {
        final HttpResponse<String> unknown = get(server, "/nope");
        assertEquals(404, unknown.statusCode());
        assertEquals("no such endpoint: /nope", error(unknown));
        assertEquals(404, get(server, "/query/").statusCode());

        final HttpResponse<String> wrongMethod = get(server, "/query");
        assertEquals(405, wrongMethod.statusCode());
        assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElse(""));
        assertEquals("/query takes POST, not GET", error(wrongMethod));
        assertEquals(405, post(server, "/health", "{}").statusCode());
        assertEquals(405, HttpTestSupport.send(HttpRequest.newBuilder(HttpTestSupport.uri(server, "/register"))
            .timeout(HttpTestSupport.TIMEOUT).DELETE().build()).statusCode());
        assertEquals(405, post(server, "/dump", "").statusCode());
    }

    @Test
    void shouldReportHealthAndDegradeWhenAnIndexIsFull()
    {
        final HttpResponse<String> empty = get(server, "/health");
        assertEquals(200, empty.statusCode());
        assertEquals("{\"status\":\"ok\",\"indexes\":[]}", empty.body());

        final OffHeapBlockIndex index = server.registerIndex("llama", null, 16);
        assertEquals("ok", json(get(server, "/health")).path("status").asText());
        final int capacity = server.context().maxBlocks();
        final long[] hashes = new long[capacity + 1];
        for (int i = 0; i < hashes.length; i++)
        {
            hashes[i] = i + 1;
        }
        index.store(1, 0, false, 0, hashes, hashes, capacity + 1);

        final JsonNode health = json(get(server, "/health"));
        assertEquals("degraded", health.path("status").asText(), health.toString());
        final JsonNode entry = health.path("indexes").get(0);
        assertEquals("llama:default", entry.path("index").asText());
        assertEquals("degraded", entry.path("status").asText());
        assertEquals(1, entry.path("refused_stores").longValue());
        assertEquals(capacity, entry.path("max_blocks").longValue());
        assertTrue(entry.path("reason").asText().startsWith("stores refused for capacity"), entry.toString());
    }

    private HttpResponse<String> register(
        final long instanceId,
        final int dpRank,
        final String endpoint,
        final int blockSize,
        final String model,
        final String tenant)
    {
        return post(server, "/register", "{\"instance_id\": " + Long.toUnsignedString(instanceId) +
            ", \"dp_rank\": " + dpRank + ", \"endpoint\": \"" + endpoint + "\", \"block_size\": " + blockSize +
            ", \"model_name\": \"" + model + "\"" + (null == tenant ? "" : ", \"tenant_id\": \"" + tenant + "\"") +
            "}");
    }

    private void assertBadRequest(final String path, final String body, final String messageStart)
    {
        final HttpResponse<String> response = post(server, path, body);
        assertEquals(400, response.statusCode(), body + " -> " + response.body());
        assertTrue(error(response).startsWith(messageStart), body + " -> " + response.body());
    }
}
