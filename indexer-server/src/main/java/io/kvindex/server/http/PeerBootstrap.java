package io.kvindex.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * A starting indexer's first state ({@code spec/dynamo-compat.md} §3, DESIGN.md Replicas): fetch a peer's
 * {@code /dump} and load it before the API opens and before any feed starts; the first peer that answers wins.
 * With no peer answering the indexer starts empty and says why.
 */
final class PeerBootstrap
{
    private PeerBootstrap()
    {
    }

    /**
     * Load the first answering peer's dump.
     *
     * @param peers     base URLs, tried in order.
     * @param token     bearer token sent to the peers (they protect {@code /dump} with the deployment's token), or
     *                  null.
     * @param timeoutMs time each peer has to connect and to send its whole dump.
     * @param factory   gives the indexes to load into.
     * @return a line saying what was loaded from where, or why nothing was.
     */
    static String load(
        final List<String> peers, final String token, final long timeoutMs, final DumpLoader.IndexFactory factory)
    {
        if (peers.isEmpty())
        {
            return "no peers configured: starting empty";
        }
        final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofMillis(timeoutMs))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
        final StringBuilder failures = new StringBuilder();
        for (final String peer : peers)
        {
            try
            {
                final DumpLoader.Result result = fetch(client, peer, token, timeoutMs, factory);
                return "loaded the dump of peer " + peer + ": " + result;
            }
            catch (final IOException | RuntimeException ex)
            {
                failures.append(failures.length() == 0 ? "" : "; ").append(peer).append(": ").append(ex.getMessage());
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                failures.append(failures.length() == 0 ? "" : "; ").append(peer).append(": interrupted");
                break;
            }
        }
        return "no peer gave its dump, starting empty: " + failures;
    }

    private static DumpLoader.Result fetch(
        final HttpClient client,
        final String peer,
        final String token,
        final long timeoutMs,
        final DumpLoader.IndexFactory factory) throws IOException, InterruptedException
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stripSlash(peer) + "/dump"))
            .timeout(Duration.ofMillis(timeoutMs))
            .GET();
        if (null != token)
        {
            request.header("Authorization", "Bearer " + token);
        }
        final HttpResponse<InputStream> response =
            client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body())
        {
            if (HttpStatus.OK != response.statusCode())
            {
                throw new IOException("GET /dump answered " + response.statusCode());
            }
            return DumpLoader.load(body, factory);
        }
    }

    private static String stripSlash(final String url)
    {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
