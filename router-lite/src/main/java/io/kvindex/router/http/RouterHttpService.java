package io.kvindex.router.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kvindex.http.BodyTooLargeException;
import io.kvindex.router.api.RouterService;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * router-lite's HTTP/JSON API on the JDK's HTTP server: Dynamo's router calls ({@code /best_worker},
 * {@code /get_potential_loads}, {@code /mark_prefill_complete}, {@code /free}, {@code /dump_events}), {@code /explain},
 * {@code /health}, {@code /metrics} and the OpenAI-style {@code /v1/completions} pass-through. Every router call is
 * handed to the {@link RouterService}'s thread and waited for with a bound. Endpoints match by exact path.
 */
public final class RouterHttpService implements AutoCloseable
{
    private static final int BACKLOG = 128;

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Endpoint> endpoints = new HashMap<>();
    private final RouterHttpContext ctx;
    private final CompletionsProxy completions;

    /**
     * One endpoint's handler.
     */
    @FunctionalInterface
    interface Handler
    {
        /**
         * Answer the exchange.
         *
         * @param exchange the exchange.
         * @throws IOException when the client cannot be read or written.
         */
        void handle(HttpExchange exchange) throws IOException;
    }

    private record Endpoint(String method, Handler handler)
    {
    }

    private RouterHttpService(final RouterHttpContext ctx, final RouterService service)
    {
        this.ctx = ctx;
        try
        {
            server = HttpServer.create(new InetSocketAddress(ctx.address(), ctx.port()), BACKLOG);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot bind HTTP " + ctx.host() + ":" + ctx.port(), ex);
        }
        final RouterApiHandlers api = new RouterApiHandlers(service, ctx);
        completions = new CompletionsProxy(service, ctx);
        endpoints.put("/best_worker", new Endpoint("POST", api::bestWorker));
        endpoints.put("/get_potential_loads", new Endpoint("POST", api::potentialLoads));
        endpoints.put("/mark_prefill_complete", new Endpoint("POST", api::markPrefillComplete));
        endpoints.put("/free", new Endpoint("POST", api::free));
        endpoints.put("/dump_events", new Endpoint("GET", api::dumpEvents));
        endpoints.put("/explain", new Endpoint("POST", api::explain));
        endpoints.put("/health", new Endpoint("GET", api::health));
        endpoints.put("/metrics", new Endpoint("GET", api::metrics));
        endpoints.put("/v1/completions", new Endpoint("POST", completions::handle));
        server.createContext("/", this::dispatch);
        final AtomicInteger count = new AtomicInteger();
        executor = Executors.newFixedThreadPool(ctx.threads(), (runnable) ->
        {
            final Thread thread = new Thread(runnable, "kvindex-router-http-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
    }

    /**
     * Bind and start the API.
     *
     * @param ctx     the configuration; concluded here.
     * @param service the router service the calls go to.
     * @return the running API.
     */
    public static RouterHttpService launch(final RouterHttpContext ctx, final RouterService service)
    {
        return new RouterHttpService(ctx.conclude(), service);
    }

    /**
     * The port bound (useful with port 0).
     *
     * @return the port.
     */
    public int port()
    {
        return server.getAddress().getPort();
    }

    /**
     * Base URL of the API, e.g. {@code http://127.0.0.1:8080}.
     *
     * @return the URL.
     */
    public String url()
    {
        final String host = ctx.host().contains(":") ? "[" + ctx.host() + "]" : ctx.host();
        return "http://" + host + ":" + port();
    }

    /**
     * Pass-through requests in progress (booked on a worker, not yet finished).
     *
     * @return the count.
     */
    public int activeCompletions()
    {
        return completions.active();
    }

    /**
     * Stop accepting, stop the threads (streams in progress end and free their bookings).
     */
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
        try
        {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        completions.close();
    }

    private void dispatch(final HttpExchange exchange)
    {
        try
        {
            final Endpoint endpoint = endpoints.get(exchange.getRequestURI().getPath());
            if (null == endpoint)
            {
                throw new HttpError(HttpError.NOT_FOUND, "no such endpoint: " + exchange.getRequestURI().getPath());
            }
            if (!endpoint.method.equals(exchange.getRequestMethod()))
            {
                exchange.getResponseHeaders().set("Allow", endpoint.method);
                throw new HttpError(HttpError.METHOD_NOT_ALLOWED, exchange.getRequestURI().getPath() + " takes " +
                    endpoint.method + ", not " + exchange.getRequestMethod());
            }
            endpoint.handler.handle(exchange);
        }
        catch (final Throwable ex)
        {
            fail(exchange, ex);
        }
        finally
        {
            exchange.close();
        }
    }

    private void fail(final HttpExchange exchange, final Throwable ex)
    {
        if (exchange.getResponseCode() != -1)
        {
            return;
        }
        int status = HttpError.INTERNAL_ERROR;
        String message = "internal error: " + ex;
        if (ex instanceof HttpError)
        {
            status = ((HttpError)ex).status();
            message = ex.getMessage();
        }
        else if (ex instanceof BodyTooLargeException)
        {
            status = HttpError.PAYLOAD_TOO_LARGE;
            message = ex.getMessage();
            exchange.getResponseHeaders().set("Connection", "close");
            Exchanges.drain(exchange.getRequestBody());
        }
        else if (ex instanceof IOException)
        {
            status = HttpError.BAD_REQUEST;
            message = "cannot read the request: " + ex.getMessage();
        }
        try
        {
            Exchanges.sendError(exchange, status, message);
        }
        catch (final IOException | RuntimeException ignore)
        {
            // The client went away.
        }
    }
}
