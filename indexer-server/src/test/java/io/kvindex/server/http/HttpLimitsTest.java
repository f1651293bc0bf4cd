package io.kvindex.server.http;

import io.kvindex.server.IndexerServer;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static io.kvindex.server.http.HttpTestSupport.error;
import static io.kvindex.server.http.HttpTestSupport.post;
import static io.kvindex.server.http.HttpTestSupport.send;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Bodies over 8 MiB get 413, whether the Content-Length says so or a chunked body grows past it, and the server
 * keeps serving; a body just under the limit is read.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class HttpLimitsTest
{
    private static final int LIMIT = HttpServiceContext.MAX_BODY_BYTES;

    @TempDir
    Path tempDir;

    private IndexerServer server;

    @BeforeEach
    void launch()
    {
        server = HttpTestSupport.launch(tempDir);
        server.registerIndex("llama", null, 16);
    }

    @AfterEach
    void close()
    {
        CloseHelper.close(server);
    }

    @Test
    void shouldRefuseAContentLengthOverTheLimit()
    {
        final HttpResponse<String> response = send(HttpTestSupport.request(server, "/query", "")
            .POST(HttpRequest.BodyPublishers.ofByteArray(queryBody(LIMIT + 1024))).build());

        assertEquals(413, response.statusCode());
        assertEquals("request body larger than " + LIMIT + " bytes", error(response));
        assertServing();
    }

    @Test
    void shouldRefuseAChunkedBodyThatGrowsOverTheLimit()
    {
        final byte[] body = queryBody(LIMIT + 1024);
        final HttpResponse<String> response = send(HttpTestSupport.request(server, "/query", "")
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build());

        assertEquals(413, response.statusCode());
        assertEquals("request body larger than " + LIMIT + " bytes", error(response));
        assertServing();
    }

    @Test
    void shouldReadABodyJustUnderTheLimitChunkedOrNot()
    {
        final byte[] body = queryBody(LIMIT - 16);
        final HttpResponse<String> sized = send(HttpTestSupport.request(server, "/query", "")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        assertEquals(200, sized.statusCode(), sized.body());
        final HttpResponse<String> chunked = send(HttpTestSupport.request(server, "/query", "")
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new SequenceInputStream(
                new ByteArrayInputStream(body, 0, body.length / 2),
                new ByteArrayInputStream(body, body.length / 2, body.length - body.length / 2)))).build());
        assertEquals(200, chunked.statusCode(), chunked.body());
    }

    @Test
    void shouldRefuseALargeRegistrationBody()
    {
        final byte[] padding = new byte[LIMIT];
        Arrays.fill(padding, (byte)' ');
        final InputStream body = new SequenceInputStream(
            new ByteArrayInputStream("{\"url\": ".getBytes(StandardCharsets.US_ASCII)),
            new SequenceInputStream(new ByteArrayInputStream(padding),
                new ByteArrayInputStream("\"http://127.0.0.1:1\"}".getBytes(StandardCharsets.US_ASCII))));
        final HttpResponse<String> response = send(HttpTestSupport.request(server, "/register_peer", "")
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body)).build());

        assertEquals(413, response.statusCode());
        assertEquals("[]", HttpTestSupport.get(server, "/peers").body());
    }

    private void assertServing()
    {
        final HttpResponse<String> response = post(server, "/query", "{\"model_name\": \"llama\", \"token_ids\": [1]}");
        assertEquals(200, response.statusCode(), response.body());
    }

    /**
     * A valid query of exactly {@code length} bytes: token ids of seven digits and the needed padding.
     */
    private static byte[] queryBody(final int length)
    {
        final String head = "{\"model_name\": \"llama\", \"token_ids\": [";
        final String tail = "]}";
        final StringBuilder body = new StringBuilder(length).append(head);
        boolean first = true;
        while (body.length() + 9 + tail.length() <= length)
        {
            body.append(first ? "" : ",").append("1234567");
            first = false;
        }
        while (body.length() + tail.length() < length)
        {
            body.append(' ');
        }
        return body.append(tail).toString().getBytes(StandardCharsets.US_ASCII);
    }
}
