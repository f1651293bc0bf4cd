package io.kvindex.perf.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kvindex.server.http.HttpServiceContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP baseline: the same JDK HTTP server, thread count and socket options as the indexer's HTTP API, answering
 * each request (its query named by an {@code X-Query} header) with the body the real server gave for that query,
 * without parsing, hashing or an index. What the real phase costs above this is the API's own work.
 */
final class HttpEchoServer implements AutoCloseable
{
    private final HttpServer server;
    private final ExecutorService executor;
    private final byte[][] answers;
    private final byte[] empty = "{}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * Start on an ephemeral loopback port.
     *
     * @param answers per query the body to answer with (null entries answer {@code {}}).
     * @param threads handler threads, as the real server's.
     */
    HttpEchoServer(final byte[][] answers, final int threads)
    {
        this.answers = answers;
        new HttpServiceContext().conclude();
        try
        {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        executor = Executors.newFixedThreadPool(threads, (r) ->
        {
            final Thread thread = new Thread(r, "http-echo");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * The port listened on.
     *
     * @return the port.
     */
    int port()
    {
        return server.getAddress().getPort();
    }

    private void handle(final HttpExchange exchange) throws IOException
    {
        try (exchange; InputStream in = exchange.getRequestBody())
        {
            in.transferTo(OutputStream.nullOutputStream());
            final String query = exchange.getRequestHeaders().getFirst("X-Query");
            byte[] body = empty;
            if (null != query)
            {
                final int q = Integer.parseInt(query);
                if (q >= 0 && q < answers.length && null != answers[q])
                {
                    body = answers[q];
                }
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
    }
}
