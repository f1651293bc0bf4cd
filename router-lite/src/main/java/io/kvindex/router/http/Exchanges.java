package io.kvindex.router.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.kvindex.http.BodyTooLargeException;
import io.kvindex.http.BoundedInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reading bounded JSON bodies and writing JSON answers on the JDK's HTTP server, and waiting for the router thread.
 */
final class Exchanges
{
    static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final int DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

    private Exchanges()
    {
    }

    /**
     * Read a JSON object body of at most {@code maxBytes}.
     */
    static ObjectNode readObject(final HttpExchange exchange, final int maxBytes) throws IOException
    {
        final String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (null != length)
        {
            try
            {
                if (Long.parseLong(length.trim()) > maxBytes)
                {
                    throw new BodyTooLargeException(maxBytes);
                }
            }
            catch (final NumberFormatException ex)
            {
                throw HttpError.badRequest("bad Content-Length: " + length);
            }
        }
        final JsonNode node;
        try (InputStream in = new BoundedInputStream().wrap(exchange.getRequestBody(), maxBytes))
        {
            node = MAPPER.readTree(in);
        }
        catch (final JsonProcessingException ex)
        {
            throw HttpError.badRequest("malformed JSON: " + ex.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode))
        {
            throw HttpError.badRequest("the body must be a JSON object");
        }
        return (ObjectNode)node;
    }

    static void sendJson(final HttpExchange exchange, final int status, final Object body) throws IOException
    {
        sendBytes(exchange, status, "application/json", MAPPER.writeValueAsBytes(body));
    }

    static void sendBytes(final HttpExchange exchange, final int status, final String contentType, final byte[] body)
        throws IOException
    {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, 0 == body.length ? -1 : body.length);
        if (body.length > 0)
        {
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        }
    }

    static void sendError(final HttpExchange exchange, final int status, final String message) throws IOException
    {
        final ObjectNode body = MAPPER.createObjectNode();
        body.put("error", message);
        sendJson(exchange, status, body);
    }

    /**
     * Wait for the router thread's answer.
     *
     * @throws HttpError 503 when the router is overloaded or does not answer within the bound.
     */
    static <T> T await(final CompletableFuture<T> answer, final long timeoutMs)
    {
        try
        {
            return answer.get(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            throw new HttpError(HttpError.UNAVAILABLE, "the router did not answer within " + timeoutMs + " ms");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new HttpError(HttpError.UNAVAILABLE, "interrupted");
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof IllegalArgumentException)
            {
                throw HttpError.badRequest(cause.getMessage());
            }
            throw new HttpError(HttpError.UNAVAILABLE, String.valueOf(cause.getMessage()));
        }
    }

    static void drain(final InputStream in)
    {
        BoundedInputStream.drain(in, DRAIN_LIMIT_BYTES, TimeUnit.SECONDS.toNanos(2));
    }

    static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
