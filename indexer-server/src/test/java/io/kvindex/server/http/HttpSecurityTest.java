package io.kvindex.server.http;

import io.kvindex.server.IndexerServer;
import io.kvindex.server.IndexerServerContext;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.kvindex.server.http.HttpTestSupport.error;
import static io.kvindex.server.http.HttpTestSupport.get;
import static io.kvindex.server.http.HttpTestSupport.post;
import static io.kvindex.server.http.HttpTestSupport.request;
import static io.kvindex.server.http.HttpTestSupport.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loopback by default; a non-loopback address only when allowed and with a token; with a token, the mutating
 * endpoints answer 401 without it or with another, and the query endpoints stay open.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class HttpSecurityTest
{
    private static final String TOKEN = "s3cret-token";
    private static final String REGISTER = "{\"instance_id\": 1, \"endpoint\": \"tcp://127.0.0.1:5557\", " +
        "\"model_name\": \"llama\", \"block_size\": 16}";

    @TempDir
    Path tempDir;

    private IndexerServer server;

    @AfterEach
    void close()
    {
        CloseHelper.close(server);
    }

    @Test
    void shouldBindLoopbackByDefault()
    {
        final HttpServiceContext ctx = new HttpServiceContext().port(0).conclude();
        assertEquals("127.0.0.1", ctx.host());
        assertTrue(ctx.address().isLoopbackAddress());
        assertEquals(8090, HttpServiceContext.PORT_DEFAULT);
    }

    @Test
    void shouldRefuseNonLoopbackUnlessAllowedAndWithAToken()
    {
        final IllegalArgumentException notAllowed = assertThrows(IllegalArgumentException.class,
            () -> new HttpServiceContext().host("0.0.0.0").token(TOKEN).conclude());
        assertTrue(notAllowed.getMessage().contains("not a loopback address; allow it explicitly"),
            notAllowed.getMessage());
        final IllegalArgumentException noToken = assertThrows(IllegalArgumentException.class,
            () -> new HttpServiceContext().host("0.0.0.0").allowRemote(true).conclude());
        assertTrue(noToken.getMessage().contains("a bearer token is required"), noToken.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> new HttpServiceContext().host("0.0.0.0").allowRemote(true).token("").conclude());
        new HttpServiceContext().host("0.0.0.0").allowRemote(true).token(TOKEN).conclude();

        final HttpServiceContext wildcard = new HttpServiceContext().host("0.0.0.0");
        final IllegalArgumentException launch = assertThrows(IllegalArgumentException.class,
            () -> IndexerServer.launch(HttpTestSupport.serverContext(tempDir, wildcard)));
        assertTrue(launch.getMessage().contains("--allow-remote"), launch.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> new HttpServiceContext().peers(List.of("ftp://peer:1")).conclude());
    }

    @Test
    void shouldFailToStartAndReleaseEverythingWhenThePortIsTaken() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final IndexerServerContext ctx = HttpTestSupport.serverContext(tempDir,
                HttpTestSupport.httpContext().port(taken.getLocalPort()));
            final UncheckedIOException ex = assertThrows(UncheckedIOException.class, () -> IndexerServer.launch(ctx));
            assertEquals("cannot bind HTTP 127.0.0.1:" + taken.getLocalPort(), ex.getMessage());
            assertFalse(Files.exists(Path.of(ctx.aeronDirectoryName())), "embedded driver closed");
            assertFalse(Files.exists(ctx.dataDir()), "temporary data dir deleted");
        }
    }

    @Test
    void shouldRequireTheTokenOnMutatingEndpointsOnly()
    {
        server = IndexerServer.launch(HttpTestSupport.serverContext(tempDir,
            HttpTestSupport.httpContext().token(TOKEN)));

        final HttpResponse<String> missing = post(server, "/register", REGISTER);
        assertEquals(401, missing.statusCode());
        assertEquals("Bearer", missing.headers().firstValue("WWW-Authenticate").orElse(""));
        assertTrue(error(missing).startsWith("/register needs the configured bearer token"), missing.body());
        assertEquals(401, send(request(server, "/register", REGISTER)
            .header("Authorization", "Bearer wrong").build()).statusCode());
        assertEquals(401, send(request(server, "/register", REGISTER)
            .header("Authorization", "Basic " + TOKEN).build()).statusCode());
        assertEquals(0, server.listeners().size());
        assertEquals(201, send(request(server, "/register", REGISTER)
            .header("Authorization", "bearer " + TOKEN).build()).statusCode());

        for (final String path : List.of("/dump", "/peers"))
        {
            assertEquals(401, get(server, path).statusCode(), path);
            assertEquals(200, send(HttpRequest.newBuilder(HttpTestSupport.uri(server, path))
                .header("Authorization", "Bearer " + TOKEN).timeout(HttpTestSupport.TIMEOUT).build()).statusCode());
        }
        for (final String path : List.of("/unregister", "/register_peer", "/deregister_peer"))
        {
            assertEquals(401, post(server, path, "{}").statusCode(), path);
        }
        assertEquals(200, get(server, "/health").statusCode());
        assertEquals(200, get(server, "/metrics").statusCode());
        assertEquals(200, get(server, "/workers").statusCode());
        assertEquals(200, post(server, "/query", "{\"model_name\": \"llama\", \"token_ids\": [1]}").statusCode());
        assertEquals(200, post(server, "/query_by_hash", "{\"model_name\": \"llama\", \"block_hashes\": [1]}")
            .statusCode());
    }
}
