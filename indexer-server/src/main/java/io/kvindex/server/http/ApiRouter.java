package io.kvindex.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.kvindex.http.BodyTooLargeException;
import io.kvindex.http.BoundedInputStream;
import io.kvindex.server.registry.BlockSizeConflictException;
import org.agrona.ErrorHandler;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The one handler of the HTTP server: finds the endpoint by exact path (the JDK matches contexts by prefix, so
 * {@code /query} would also take {@code /query_by_hash}), checks the method and the bearer token, runs the
 * endpoint, maps failures to a status with a JSON error body, and records the request's metrics.
 */
final class ApiRouter implements HttpHandler
{
    private static final long DRAIN_LIMIT_BYTES = 64L * 1024 * 1024;
    private static final long DRAIN_LIMIT_NS = TimeUnit.SECONDS.toNanos(2);

    private final Map<String, Route> routes = new HashMap<>();
    private final BearerAuth auth;
    private final ThreadLocal<HttpWorkspace> workspaces;
    private final HttpMetrics.Endpoint unknownEndpoint;
    private final ErrorHandler errorHandler;

    ApiRouter(
        final BearerAuth auth,
        final ThreadLocal<HttpWorkspace> workspaces,
        final HttpMetrics metrics,
        final ErrorHandler errorHandler)
    {
        this.auth = auth;
        this.workspaces = workspaces;
        this.unknownEndpoint = metrics.endpoint(HttpMetrics.UNKNOWN_ENDPOINT);
        this.errorHandler = errorHandler;
    }

    void add(final Route route)
    {
        routes.put(route.path, route);
    }

    /**
     * {@inheritDoc}
     */
    public void handle(final HttpExchange exchange)
    {
        final long startNs = System.nanoTime();
        final HttpWorkspace workspace = workspaces.get();
        workspace.status = 0;
        final Route route = routes.get(exchange.getRequestURI().getPath());
        try
        {
            dispatch(exchange, route, workspace);
        }
        catch (final Throwable ex)
        {
            fail(exchange, workspace, ex);
        }
        finally
        {
            (null == route ? unknownEndpoint : route.metrics)
                .record(exchange.getRequestMethod(), workspace.status, System.nanoTime() - startNs);
            exchange.close();
            workspace.afterRequest();
        }
    }

    private void dispatch(final HttpExchange exchange, final Route route, final HttpWorkspace workspace)
        throws IOException
    {
        if (null == route)
        {
            throw ApiException.notFound("no such endpoint: " + exchange.getRequestURI().getPath());
        }
        if (!route.method.equals(exchange.getRequestMethod()))
        {
            exchange.getResponseHeaders().set("Allow", route.method);
            throw new ApiException(HttpStatus.METHOD_NOT_ALLOWED,
                route.path + " takes " + route.method + ", not " + exchange.getRequestMethod());
        }
        if (route.mutating && !auth.allows(exchange))
        {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            throw new ApiException(HttpStatus.UNAUTHORIZED,
                route.path + " needs the configured bearer token: Authorization: Bearer <token>");
        }
        route.handler.handle(exchange, workspace);
    }

    private void fail(final HttpExchange exchange, final HttpWorkspace workspace, final Throwable ex)
    {
        if (exchange.getResponseCode() != -1)
        {
            workspace.status = HttpStatus.INTERNAL_ERROR;
            return;
        }
        int status = HttpStatus.BAD_REQUEST;
        String message = ex.getMessage();
        if (ex instanceof ApiException)
        {
            status = ((ApiException)ex).status();
        }
        else if (ex instanceof BodyTooLargeException)
        {
            status = HttpStatus.PAYLOAD_TOO_LARGE;
            exchange.getResponseHeaders().set("Connection", "close");
        }
        else if (ex instanceof JsonProcessingException)
        {
            message = "malformed JSON: " + ((JsonProcessingException)ex).getOriginalMessage();
        }
        else if (ex instanceof IOException)
        {
            message = "cannot read the request: " + ex.getMessage();
        }
        else if (ex instanceof BlockSizeConflictException)
        {
            status = HttpStatus.CONFLICT;
        }
        else if (ex instanceof IllegalStateException)
        {
            status = HttpStatus.UNAVAILABLE;
        }
        else if (!(ex instanceof IllegalArgumentException))
        {
            status = HttpStatus.INTERNAL_ERROR;
            message = "internal error: " + ex;
            errorHandler.onError(ex);
        }
        if (HttpStatus.PAYLOAD_TOO_LARGE == status)
        {
            BoundedInputStream.drain(exchange.getRequestBody(), DRAIN_LIMIT_BYTES, DRAIN_LIMIT_NS);
        }
        try
        {
            workspace.sendError(exchange, status, message);
        }
        catch (final IOException | RuntimeException ignore)
        {
            workspace.status = status;
        }
    }
}
