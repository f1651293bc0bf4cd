package io.kvindex.router.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.kvindex.router.Router;
import io.kvindex.router.RouterContext;
import io.kvindex.router.Worker;
import io.kvindex.router.WorkerSet;
import io.kvindex.router.api.RouterService;
import io.kvindex.router.api.RouterServiceContext;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class RouterHttpServiceTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String PROMPT = "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]";

    @TempDir
    Path tempDir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final WorkerSet workers = new WorkerSet();
    private final AtomicInteger upstreamChunksSent = new AtomicInteger();
    private MediaDriver driver;
    private Aeron aeron;
    private RouterService service;
    private RouterHttpService api;
    private HttpServer upstream;

    @BeforeEach
    void before() throws IOException
    {
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(tempDir.resolve("aeron").toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .ipcTermBufferLength(64 * 1024)
            .publicationTermBufferLength(64 * 1024));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        upstream.createContext("/v1/completions", this::upstreamCompletion);
        upstream.start();
        workers.add(new Worker(1, 0, 1.0, "http://127.0.0.1:" + upstream.getAddress().getPort(), 1_000_000));
        service = RouterService.launch(new RouterServiceContext()
            .aeron(aeron)
            .idleStrategy(new SleepingMillisIdleStrategy(1))
            .routerContext(new RouterContext().kvEvents(false).blockSize(4).workerSet(workers)
                .random(new SplittableRandom(3))));
        api = RouterHttpService.launch(new RouterHttpContext().port(0).threads(4), service);
    }

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(api, service, aeron, driver);
        if (null != upstream)
        {
            upstream.stop(0);
        }
    }

    @Test
    void shouldAnswerTheRouterCallsAsJson() throws Exception
    {
        workers.add(new Worker(2, 0, 1.0, null, 1_000_000));
        JsonNode answer = json(post("/best_worker", "{\"token_ids\":" + PROMPT + ",\"request_id\":\"a\"}"), 200);
        assertTrue(answer.get("booked").asBoolean());
        final long chosen = answer.get("worker_id").asLong();
        answer = json(post("/best_worker", "{\"token_ids\":" + PROMPT + ",\"worker_id\":2}"), 200);
        assertEquals(2, answer.get("worker_id").asLong());
        assertTrue(!answer.get("booked").asBoolean());

        answer = json(post("/get_potential_loads", "{\"token_ids\":" + PROMPT + "}"), 200);
        assertEquals(2, answer.size());
        answer = json(post("/explain", "{\"token_ids\":" + PROMPT + "}"), 200);
        assertEquals(2, answer.get("candidates").size());
        assertTrue(answer.get("explanation").asText().contains("worker"), answer::toString);
        answer = json(get("/dump_events"), 200);
        assertEquals(chosen, answer.get("events").get(0).get("worker_id").asLong());
        assertEquals(4, answer.get("events").get(0).get("event").get("stored").get("blocks").size());

        final HttpResponse<String> metrics = get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("router_requests_total 3"), metrics.body());
        final String prefill = "worker_active_prefill_tokens{worker_id=\"" + chosen + "\",dp_rank=\"0\"} 17";
        assertTrue(metrics.body().contains(prefill), metrics.body());
        assertEquals("ok", json(get("/health"), 200).get("status").asText());

        json(post("/mark_prefill_complete", "{\"request_id\":\"a\"}"), 200);
        json(post("/free", "{\"request_id\":\"a\"}"), 200);
        json(post("/free", "{\"request_id\":\"a\"}"), 404);
        assertEquals(0, service.call(Router::activeRequests).join());
    }

    @Test
    void shouldAnswerErrorsWithStatusAndJson() throws Exception
    {
        json(post("/best_worker", "{\"token_ids\":[1,2"), 400);
        json(post("/best_worker", "{\"token_ids\":\"abc\"}"), 400);
        json(post("/best_worker", "[]"), 400);
        json(post("/best_worker", "{\"token_ids\":[1],\"worker_id\":9}"), 400);
        json(post("/best_worker", "{\"token_ids\":[1],\"overlap_score_weight\":-1}"), 400);
        json(post("/best_worker", "{\"token_ids\":[1],\"request_id\":\"d\"}"), 200);
        json(post("/best_worker", "{\"token_ids\":[1],\"request_id\":\"d\"}"), 409);
        json(post("/mark_prefill_complete", "{}"), 400);
        json(post("/nope", "{}"), 404);
        json(get("/best_worker"), 405);
        final byte[] big = new byte[9 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte)' ');
        final HttpResponse<String> tooLarge = http.send(HttpRequest.newBuilder(URI.create(api.url() + "/best_worker"))
            .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, tooLarge.statusCode());
        workers.remove(1);
        json(post("/best_worker", "{\"token_ids\":[1]}"), 503);
        json(post("/v1/completions", "{\"prompt\":[1,2,3]}"), 503);
    }

    @Test
    void shouldPassACompletionThroughAndFreeItsBooking() throws Exception
    {
        final HttpResponse<String> response = post("/v1/completions", "{\"prompt\":" + PROMPT + ",\"max_tokens\":2}");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("{\"choices\":[{\"text\":\"hi\"}]}", response.body());
        assertEquals("1", response.headers().firstValue("X-Worker-Id").orElse(""));
        awaitNoActiveRequests();
    }

    @Test
    void shouldStreamChunkByChunkAndFreeAtTheEnd() throws Exception
    {
        final HttpResponse<InputStream> response = http.send(request("/v1/completions",
            "{\"prompt\":" + PROMPT + ",\"stream\":true,\"worker_id\":1}"), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        final List<String> chunks = new ArrayList<>();
        try (InputStream in = response.body())
        {
            final byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) > 0)
            {
                chunks.add(new String(buffer, 0, n, StandardCharsets.UTF_8));
                if (1 == chunks.size())
                {
                    assertEquals(1, service.call(Router::activeRequests).join(), "booked while streaming");
                    assertEquals(0, service.call((r) -> r.activePrefillTokens(1, 0)).join(),
                        "prefill complete at the first chunk");
                }
            }
        }
        final String all = String.join("", chunks);
        assertTrue(all.startsWith("data: {\"n\":0}\n\n") && all.endsWith("data: [DONE]\n\n"), all);
        assertTrue(chunks.size() >= 3, "chunks arrive as the worker sends them: " + chunks);
        awaitNoActiveRequests();
    }

    @Test
    void shouldFreeTheBookingWhenTheClientGoesAway() throws Exception
    {
        final String body = "{\"prompt\":" + PROMPT + ",\"stream\":true,\"max_tokens\":100000}";
        try (Socket socket = new Socket("127.0.0.1", api.port()))
        {
            final OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
                "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = socket.getInputStream();
            final byte[] buffer = new byte[1024];
            final String head = new String(buffer, 0, in.read(buffer), StandardCharsets.US_ASCII);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertEquals(1, service.call(Router::activeRequests).join());
        }
        awaitNoActiveRequests();
        assertTrue(upstreamChunksSent.get() < 1000, "the upstream stream was closed early");
    }

    @Test
    void shouldAnswer502WhenTheWorkerIsDown() throws Exception
    {
        final int closedPort;
        try (ServerSocket socket = new ServerSocket(0))
        {
            closedPort = socket.getLocalPort();
        }
        workers.add(new Worker(1, 0, 1.0, "http://127.0.0.1:" + closedPort, 1_000_000));
        final JsonNode error = json(post("/v1/completions", "{\"prompt\":" + PROMPT + "}"), 502);
        assertTrue(error.get("error").asText().contains("unreachable"), error::toString);
        json(post("/v1/completions", "{\"prompt\":\"text\"}"), 400);
        awaitNoActiveRequests();
    }

    private void upstreamCompletion(final com.sun.net.httpserver.HttpExchange exchange) throws IOException
    {
        final JsonNode request = MAPPER.readTree(exchange.getRequestBody());
        if (!request.path("stream").asBoolean(false))
        {
            final byte[] answer = "{\"choices\":[{\"text\":\"hi\"}]}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
            return;
        }
        final int chunks = Math.min(request.path("max_tokens").asInt(4), 2000);
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody())
        {
            for (int i = 0; i < chunks; i++)
            {
                out.write(("data: {\"n\":" + i + "}\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                upstreamChunksSent.incrementAndGet();
                Thread.sleep(20);
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        }
        catch (final IOException | InterruptedException ex)
        {
            // The router closed the stream: its client went away.
        }
        finally
        {
            exchange.close();
        }
    }

    private void awaitNoActiveRequests() throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (service.call(Router::activeRequests).join() > 0 && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(20);
        }
        assertEquals(0, service.call(Router::activeRequests).join());
    }

    private HttpRequest request(final String path, final String body)
    {
        return HttpRequest.newBuilder(URI.create(api.url() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    }

    private HttpResponse<String> post(final String path, final String body) throws Exception
    {
        return http.send(request(path, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(final String path) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create(api.url() + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(final HttpResponse<String> response, final int status) throws IOException
    {
        assertEquals(status, response.statusCode(), response.body());
        return MAPPER.readTree(response.body());
    }
}
