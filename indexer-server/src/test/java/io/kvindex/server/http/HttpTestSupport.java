package io.kvindex.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvindex.server.IndexerServer;
import io.kvindex.server.IndexerServerContext;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real indexer server with an embedded driver and its HTTP API on 127.0.0.1 at a free port, small capacities and
 * parking agents, and a real JDK HTTP client to talk to it.
 */
final class HttpTestSupport
{
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final int TERM_LENGTH = 64 * 1024;
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final HttpClient CLIENT = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(TIMEOUT)
        .build();

    private HttpTestSupport()
    {
    }

    static IndexerServerContext serverContext(final Path dir, final HttpServiceContext http)
    {
        return new IndexerServerContext()
            .aeronDirectoryName(dir.resolve("aeron").toString())
            .maxBlocks(1 << 14)
            .maxOwners(64)
            .termLength(TERM_LENGTH)
            .driverIdleStrategy(parkingIdle())
            .queryIdleStrategy(parkingIdle())
            .httpContext(http);
    }

    static HttpServiceContext httpContext()
    {
        return new HttpServiceContext().host("127.0.0.1").port(0).threads(2);
    }

    static IndexerServer launch(final Path dir)
    {
        return IndexerServer.launch(serverContext(dir, httpContext()));
    }

    static IdleStrategy parkingIdle()
    {
        return new BackoffIdleStrategy(1, 1, 1_000, TimeUnit.MICROSECONDS.toNanos(100));
    }

    static HttpResponse<String> get(final IndexerServer server, final String path)
    {
        return send(HttpRequest.newBuilder(uri(server, path)).timeout(TIMEOUT).GET().build());
    }

    static HttpResponse<String> post(final IndexerServer server, final String path, final String body)
    {
        return send(request(server, path, body).build());
    }

    static HttpRequest.Builder request(final IndexerServer server, final String path, final String body)
    {
        return HttpRequest.newBuilder(uri(server, path))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    static HttpResponse<String> send(final HttpRequest request)
    {
        try
        {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    static URI uri(final IndexerServer server, final String path)
    {
        return URI.create(server.http().url() + path);
    }

    static JsonNode json(final HttpResponse<String> response)
    {
        try
        {
            return MAPPER.readTree(response.body());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("not JSON: " + response.body(), ex);
        }
    }

    static String error(final HttpResponse<String> response)
    {
        return json(response).path("error").asText(null);
    }
}
