package io.kvindex.mockengine;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's OpenAI-style HTTP API on the JDK's server: {@code POST /v1/completions} (token-id prompts, streaming
 * as server-sent events or not, answered after the simulated time), {@code GET /health}, {@code GET /v1/models} and
 * {@code POST /reset_prefix_cache}. Bad bodies get a 400 saying why, bodies over 8 MiB a 413. Each in-flight
 * completion holds one of the server's threads while it waits out its simulated time.
 */
final class CompletionsHttpServer implements AutoCloseable
{
    /** Largest request body accepted. */
    static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

    private static final long MAX_DRAIN_BYTES = 4L * MAX_BODY_BYTES;

    /** The JDK server's switch for TCP_NODELAY, read once per JVM when its first server starts. */
    static final String NODELAY_PROP_NAME = "sun.net.httpserver.nodelay";

    private static final String JSON = "application/json";
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final MockEngine engine;
    private final MockEngineContext ctx;
    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final AtomicInteger threadCount = new AtomicInteger();

    CompletionsHttpServer(final MockEngine engine, final MockEngineContext ctx)
    {
        this.engine = engine;
        this.ctx = ctx;
        if (null == System.getProperty(NODELAY_PROP_NAME))
        {
            // Without TCP_NODELAY, Nagle's algorithm and delayed ACKs hold small responses and stream chunks
            // for tens of ms, which would swamp the simulated times. Set before the JDK server reads it.
            System.setProperty(NODELAY_PROP_NAME, "true");
        }
        try
        {
            server = HttpServer.create(new InetSocketAddress(ctx.httpHost(), ctx.httpPort()), 0);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot bind HTTP " + ctx.httpHost() + ":" + ctx.httpPort(), ex);
        }
        executor = new ThreadPoolExecutor(ctx.httpThreads(), ctx.httpThreads(), 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), (runnable) ->
            {
                final Thread thread = new Thread(runnable, "mock-engine-http-" + threadCount.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
        executor.allowCoreThreadTimeOut(true);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    void start()
    {
        server.start();
    }

    int port()
    {
        return server.getAddress().getPort();
    }

    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(final HttpExchange exchange) throws IOException
    {
        try (exchange)
        {
            final String path = exchange.getRequestURI().getPath();
            final String method = exchange.getRequestMethod();
            switch (path)
            {
                case "/v1/completions" -> onlyFor(exchange, method, "POST", this::completions);
                case "/health" -> onlyFor(exchange, method, "GET", (e) -> e.sendResponseHeaders(200, -1));
                case "/v1/models" -> onlyFor(exchange, method, "GET", (e) -> send(e, 200,
                    CompletionJson.models(ctx.modelName(), System.currentTimeMillis() / 1000)));
                case "/reset_prefix_cache" -> onlyFor(exchange, method, "POST", this::resetPrefixCache);
                default -> error(exchange, 404, "NotFoundError", "no such endpoint: " + path);
            }
        }
        catch (final IOException ex)
        {
            // The client went away; nothing to answer.
        }
    }

    @FunctionalInterface
    private interface Handler
    {
        void handle(HttpExchange exchange) throws IOException;
    }

    private static void onlyFor(
        final HttpExchange exchange, final String method, final String allowed, final Handler handler)
        throws IOException
    {
        if (!allowed.equals(method))
        {
            exchange.getResponseHeaders().set("Allow", allowed);
            error(exchange, 405, "MethodNotAllowed", "use " + allowed + ", not " + method);
            return;
        }
        handler.handle(exchange);
    }

    private void completions(final HttpExchange exchange) throws IOException
    {
        final byte[] body = readBody(exchange);
        if (null == body)
        {
            error(exchange, 413, "RequestTooLarge", "the body is over " + MAX_BODY_BYTES + " bytes");
            return;
        }
        final CompletionRequest request;
        try
        {
            request = CompletionRequest.parse(body, body.length, exchange.getRequestHeaders().getFirst(
                "X-data-parallel-rank"), ctx.dpRanks(), ctx.modelName());
        }
        catch (final CompletionRequest.BadRequestException ex)
        {
            error(exchange, 400, "BadRequestError", ex.getMessage());
            return;
        }
        final Admission admission = admit(exchange, request);
        if (null == admission)
        {
            return;
        }
        final String id = "cmpl-" + ctx.workerId() + "-" + admission.requestId();
        final long created = System.currentTimeMillis() / 1000;
        if (request.stream)
        {
            stream(exchange, request, admission, id, created);
        }
        else
        {
            final long doneNs = admission.admittedNs() + admission.firstTokenDelayNs() +
                (admission.outputTokens() - 1) * admission.interTokenDelayNs();
            if (sleepUntil(doneNs))
            {
                send(exchange, 200, CompletionJson.completion(id, created, request.model, admission,
                    ctx.workerId()));
            }
        }
    }

    private Admission admit(final HttpExchange exchange, final CompletionRequest request) throws IOException
    {
        final CompletableFuture<Admission> future =
            engine.submit(new Prompt().tokens(request.prompt, request.prompt.length), request.maxTokens,
            request.dpRank);
        try
        {
            return future.get(ctx.requestTimeoutMs(), TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            future.cancel(false);
            error(exchange, 503, "ServiceUnavailable", "not admitted within " + ctx.requestTimeoutMs() +
                " ms: the cache has no room");
        }
        catch (final ExecutionException | CancellationException ex)
        {
            error(exchange, 503, "ServiceUnavailable", "not admitted: " + ex.getMessage());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            future.cancel(false);
        }
        return null;
    }

    private void stream(
        final HttpExchange exchange,
        final CompletionRequest request,
        final Admission admission,
        final String id,
        final long created) throws IOException
    {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        final OutputStream out = exchange.getResponseBody();
        long dueNs = admission.admittedNs() + admission.firstTokenDelayNs();
        for (int i = 0; i < admission.outputTokens(); i++)
        {
            if (!sleepUntil(dueNs))
            {
                return;
            }
            event(out, CompletionJson.chunk(id, created, request.model, i, admission, ctx.workerId()));
            // A late chunk (a slow client, a pause) delays the next ones rather than bursting them.
            dueNs = Math.max(dueNs, System.nanoTime()) + admission.interTokenDelayNs();
        }
        if (request.includeUsage)
        {
            event(out, CompletionJson.usageChunk(id, created, request.model, admission));
        }
        out.write(DONE);
        out.flush();
    }

    private void resetPrefixCache(final HttpExchange exchange) throws IOException
    {
        try
        {
            if (engine.resetPrefixCache().get(ctx.requestTimeoutMs(), TimeUnit.MILLISECONDS))
            {
                exchange.sendResponseHeaders(200, -1);
            }
            else
            {
                error(exchange, 409, "Conflict", "requests are running: the prefix cache cannot be reset now");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            error(exchange, 503, "ServiceUnavailable", "reset failed: " + ex);
        }
    }

    private static void event(final OutputStream out, final byte[] json) throws IOException
    {
        out.write(DATA);
        out.write(json);
        out.write(EVENT_END);
        out.flush();
    }

    /**
     * The body, or null when it is over the limit.
     */
    private static byte[] readBody(final HttpExchange exchange) throws IOException
    {
        final String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        final InputStream in = exchange.getRequestBody();
        if (null != declared && declaredLength(declared) > MAX_BODY_BYTES)
        {
            drain(in);
            return null;
        }
        byte[] body = new byte[8192];
        int length = 0;
        int read;
        while ((read = in.read(body, length, body.length - length)) >= 0)
        {
            length += read;
            if (length > MAX_BODY_BYTES)
            {
                drain(in);
                return null;
            }
            if (length == body.length)
            {
                body = Arrays.copyOf(body, Math.min(body.length * 2, MAX_BODY_BYTES + 1));
            }
        }
        return Arrays.copyOf(body, length);
    }

    private static long declaredLength(final String header)
    {
        try
        {
            return Long.parseLong(header.trim());
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * Read and drop the rest of an oversized body, up to a bound, so the client reads the 413 rather than a reset.
     */
    private static void drain(final InputStream in) throws IOException
    {
        final byte[] scratch = new byte[64 * 1024];
        long left = MAX_DRAIN_BYTES;
        int read;
        while (left > 0 && (read = in.read(scratch, 0, (int)Math.min(scratch.length, left))) >= 0)
        {
            left -= read;
        }
    }

    private static void send(final HttpExchange exchange, final int status, final byte[] json) throws IOException
    {
        exchange.getResponseHeaders().set("Content-Type", JSON);
        exchange.sendResponseHeaders(status, json.length);
        exchange.getResponseBody().write(json);
    }

    private static void error(final HttpExchange exchange, final int status, final String type, final String message)
        throws IOException
    {
        send(exchange, status, CompletionJson.error(status, type, message));
    }

    /**
     * Wait for a time on {@link System#nanoTime()}.
     *
     * @return false when interrupted (the server is closing).
     */
    private static boolean sleepUntil(final long deadlineNs)
    {
        long remaining;
        while ((remaining = deadlineNs - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(remaining);
            if (Thread.interrupted())
            {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
