package io.kvindex.router.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.kvindex.router.Worker;
import io.kvindex.router.api.RouteAnswer;
import io.kvindex.router.api.RouterService;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * OpenAI-style {@code POST /v1/completions} for prompts of token ids: picks a worker with the router (or takes the
 * forced {@code worker_id}/{@code dp_rank}, removed from the forwarded body), books the request there, forwards the
 * body to the worker's {@code <url>/v1/completions} and copies the answer back as it arrives (a streamed answer chunk
 * by chunk). The first bytes from the worker mark prefill complete; the end of the answer, an upstream failure or
 * the client going away (seen at the next write) frees the booking.
 */
final class CompletionsProxy implements AutoCloseable
{
    private static final String PATH = "/v1/completions";
    private static final int CHUNK_BYTES = 16 * 1024;

    private final RouterService service;
    private final RouterHttpContext ctx;
    private final int blockSize;
    private final HttpClient client;
    private final AtomicInteger active = new AtomicInteger();

    CompletionsProxy(final RouterService service, final RouterHttpContext ctx)
    {
        this.service = service;
        this.ctx = ctx;
        this.blockSize = service.context().routerContext().blockSize();
        this.client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(ctx.upstreamConnectTimeout())
            .build();
    }

    int active()
    {
        return active.get();
    }

    void handle(final HttpExchange exchange) throws IOException
    {
        final ObjectNode body = Exchanges.readObject(exchange, ctx.maxBodyBytes());
        if (!body.path("prompt").isArray())
        {
            throw HttpError.badRequest("prompt must be an array of token ids (text prompts are not tokenized here)");
        }
        final RouteRequest request = RouteRequest.read(body, blockSize, "prompt");
        if (null != request.requestId)
        {
            throw HttpError.badRequest("request_id is chosen by the router for /v1/completions");
        }
        body.remove("worker_id");
        body.remove("dp_rank");
        final String requestId = "cmpl-" + UUID.randomUUID();
        final RouteAnswer answer = RouterApiHandlers.route(service, request.bookAs(requestId), ctx.callTimeoutMs());
        active.incrementAndGet();
        try
        {
            forward(exchange, answer.worker(), body, requestId);
        }
        finally
        {
            active.decrementAndGet();
            service.free(requestId);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        // The JDK's HttpClient of Java 17 has no close; its threads are daemons.
    }

    private void forward(
        final HttpExchange exchange, final Worker worker, final ObjectNode body, final String requestId)
        throws IOException
    {
        if (null == worker.url())
        {
            throw new HttpError(HttpError.BAD_GATEWAY, "worker " + worker.label() + " has no URL to forward to");
        }
        final HttpRequest upstream = HttpRequest.newBuilder(URI.create(stripSlash(worker.url()) + PATH))
            .header("Content-Type", "application/json")
            .header("X-Request-Id", requestId)
            .POST(HttpRequest.BodyPublishers.ofByteArray(Exchanges.MAPPER.writeValueAsBytes(body)))
            .build();
        final HttpResponse<InputStream> response;
        try
        {
            response = client.send(upstream, HttpResponse.BodyHandlers.ofInputStream());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new HttpError(HttpError.UNAVAILABLE, "interrupted");
        }
        catch (final IOException ex)
        {
            throw new HttpError(HttpError.BAD_GATEWAY, "worker " + worker.label() + " at " + worker.url() +
                " is unreachable: " + ex);
        }
        copy(exchange, response, worker, requestId);
    }

    private void copy(
        final HttpExchange exchange, final HttpResponse<InputStream> response, final Worker worker, final String id)
        throws IOException
    {
        try (InputStream in = response.body())
        {
            final byte[] chunk = new byte[CHUNK_BYTES];
            int n;
            try
            {
                n = in.read(chunk);
            }
            catch (final IOException ex)
            {
                throw new HttpError(HttpError.BAD_GATEWAY, "worker " + worker.label() + " failed: " + ex);
            }
            if (n > 0)
            {
                service.markPrefillComplete(id);
            }
            response.headers().firstValue("Content-Type")
                .ifPresent((type) -> exchange.getResponseHeaders().set("Content-Type", type));
            exchange.getResponseHeaders().set("X-Worker-Id", Long.toUnsignedString(worker.workerId()));
            exchange.getResponseHeaders().set("X-Request-Id", id);
            exchange.sendResponseHeaders(response.statusCode(), 0);
            final OutputStream out = exchange.getResponseBody();
            while (n >= 0)
            {
                if (n > 0)
                {
                    out.write(chunk, 0, n);
                    out.flush();
                }
                n = readUpstream(in, chunk);
            }
            out.close();
        }
    }

    private static int readUpstream(final InputStream in, final byte[] chunk)
    {
        try
        {
            return in.read(chunk);
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static String stripSlash(final String url)
    {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
