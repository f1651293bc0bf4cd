package io.kvindex.server.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The peer indexers this one knows, by base URL, in the order they were added: the configured ones and those
 * {@code POST /register_peer} added. Small and rarely changed, so synchronized.
 */
final class PeerRegistry
{
    private final Set<String> peers = new LinkedHashSet<>();

    /**
     * Check a peer URL: {@code http(s)://host[:port][/path]}.
     *
     * @throws IllegalArgumentException for anything else.
     */
    static String validate(final String url)
    {
        try
        {
            final URI uri = new URI(url);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || null == uri.getHost())
            {
                throw new IllegalArgumentException("peer url must be http(s)://host:port: " + url);
            }
            return url;
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalArgumentException("peer url is not a URL: " + url, ex);
        }
    }

    synchronized boolean add(final String url)
    {
        return peers.add(validate(url));
    }

    synchronized boolean remove(final String url)
    {
        return peers.remove(url);
    }

    synchronized List<String> list()
    {
        return new ArrayList<>(peers);
    }
}
