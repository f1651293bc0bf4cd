package io.kvindex.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import io.kvindex.client.BlockHasher;
import io.kvindex.client.BlockHashing;
import io.kvindex.http.BodyTooLargeException;
import io.kvindex.http.BoundedInputStream;
import io.kvindex.index.OverlapScores;
import org.agrona.collections.Int2ObjectHashMap;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * What one HTTP thread reuses from request to request: the bounded body stream, the response buffer, the query's
 * token and hash arrays, hashers per block size with the last LoRA seed, and the scores holder. Thread-confined.
 */
final class HttpWorkspace
{
    private static final int INITIAL_TOKENS = 4096;
    private static final int RETAINED_TOKENS = 256 * 1024;

    final OverlapScores scores;
    final int[] order;
    int[] tokens = new int[INITIAL_TOKENS];
    long[] hashes = new long[INITIAL_TOKENS];
    int status;
    String model;
    String tenant;
    String loraName;
    int count;

    private final ResponseBuffer response = new ResponseBuffer();
    private final BoundedInputStream body = new BoundedInputStream();
    private final Int2ObjectHashMap<BlockHasher> hasherByBlockSize = new Int2ObjectHashMap<>();
    private final int maxBodyBytes;
    private String lastLoraName;
    private long lastLoraSeed = BlockHashing.SEED;

    HttpWorkspace(final int maxOwners, final int maxBodyBytes)
    {
        this.scores = new OverlapScores(maxOwners);
        this.order = new int[maxOwners];
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * The request body, refused with {@link BodyTooLargeException} when its Content-Length or the bytes read pass
     * the limit.
     */
    InputStream body(final HttpExchange exchange) throws IOException
    {
        final String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (null != length)
        {
            final long declared;
            try
            {
                declared = Long.parseLong(length.trim());
            }
            catch (final NumberFormatException ex)
            {
                throw ApiException.badRequest("bad Content-Length: " + length);
            }
            if (declared > maxBodyBytes)
            {
                throw new BodyTooLargeException(maxBodyBytes);
            }
        }
        return body.wrap(exchange.getRequestBody(), maxBodyBytes);
    }

    /**
     * Start a JSON response in the reused buffer; send it with {@link #send}.
     */
    JsonGenerator json() throws IOException
    {
        return Json.FACTORY.createGenerator(response.reset());
    }

    /**
     * Close the generator and send what it wrote, with its length.
     */
    void send(final HttpExchange exchange, final int status, final JsonGenerator generator) throws IOException
    {
        generator.close();
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        sendBuffer(exchange, status);
    }

    /**
     * Send the reused buffer as it is, with its length.
     */
    void sendBuffer(final HttpExchange exchange, final int status) throws IOException
    {
        this.status = status;
        exchange.sendResponseHeaders(status, response.size() == 0 ? -1 : response.size());
        if (response.size() > 0)
        {
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(response.bytes(), 0, response.size());
            }
        }
    }

    /**
     * The reused buffer, reset, for writers that are not JSON (metrics).
     */
    ResponseBuffer buffer()
    {
        return response.reset();
    }

    /**
     * Send {@code {"error": message}}.
     */
    void sendError(final HttpExchange exchange, final int status, final String message) throws IOException
    {
        final JsonGenerator generator = json();
        generator.writeStartObject();
        generator.writeStringField("error", message);
        generator.writeEndObject();
        send(exchange, status, generator);
    }

    /**
     * Send {@code {"status": "ok"}}, Dynamo's answer to a successful change.
     */
    void sendOk(final HttpExchange exchange, final int status) throws IOException
    {
        final JsonGenerator generator = json();
        generator.writeStartObject();
        generator.writeStringField("status", "ok");
        generator.writeEndObject();
        send(exchange, status, generator);
    }

    void ensureTokens(final int capacity)
    {
        if (capacity > tokens.length)
        {
            tokens = Arrays.copyOf(tokens, Math.max(capacity, tokens.length * 2));
        }
    }

    void ensureHashes(final int capacity)
    {
        if (capacity > hashes.length)
        {
            hashes = Arrays.copyOf(hashes, Math.max(capacity, hashes.length * 2));
        }
    }

    /**
     * The hasher of a block size with the seed of a LoRA adapter (1337 for none).
     */
    BlockHasher hasher(final int blockSize, final String loraName)
    {
        BlockHasher hasher = hasherByBlockSize.get(blockSize);
        if (null == hasher)
        {
            hasher = new BlockHasher(blockSize);
            hasherByBlockSize.put(blockSize, hasher);
        }
        if (null == loraName || loraName.isEmpty())
        {
            return hasher.seed(BlockHashing.SEED);
        }
        if (!loraName.equals(lastLoraName))
        {
            lastLoraSeed = BlockHashing.loraSeed(loraName);
            lastLoraName = loraName;
        }
        return hasher.seed(lastLoraSeed);
    }

    /**
     * Drop arrays an unusually large request grew, so that an idle thread does not keep them.
     */
    void afterRequest()
    {
        if (tokens.length > RETAINED_TOKENS)
        {
            tokens = new int[INITIAL_TOKENS];
        }
        if (hashes.length > RETAINED_TOKENS)
        {
            hashes = new long[INITIAL_TOKENS];
        }
        response.reset();
    }
}
