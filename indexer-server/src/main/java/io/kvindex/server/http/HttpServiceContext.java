package io.kvindex.server.http;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the {@link HttpService}, the Dynamo-compatible JSON API ({@code spec/dynamo-compat.md} §3): a property
 * name, a default and a getter and setter each. It binds 127.0.0.1 by default; a non-loopback address must be
 * allowed explicitly and then needs a bearer token, which the mutating endpoints demand.
 */
public final class HttpServiceContext
{
    /** Address the HTTP server binds. */
    public static final String HOST_PROP_NAME = "kvindex.http.host";
    /** Port the HTTP server binds; 0 picks a free one. */
    public static final String PORT_PROP_NAME = "kvindex.http.port";
    /** Threads answering requests. */
    public static final String THREADS_PROP_NAME = "kvindex.http.threads";
    /** Bearer token the mutating endpoints require; none when unset. */
    public static final String TOKEN_PROP_NAME = "kvindex.http.token";
    /** Comma-separated base URLs of peer indexers to load a {@code /dump} from at start. */
    public static final String PEERS_PROP_NAME = "kvindex.http.peers";
    /** Whether the HTTP server may bind a non-loopback address. */
    public static final String ALLOW_REMOTE_PROP_NAME = "kvindex.http.allow.remote";
    /** Milliseconds a peer has to answer {@code /dump} at start. */
    public static final String PEER_TIMEOUT_MS_PROP_NAME = "kvindex.http.peer.timeout.ms";

    /** Default of {@link #HOST_PROP_NAME}: loopback only. */
    public static final String HOST_DEFAULT = "127.0.0.1";
    /** Default of {@link #PORT_PROP_NAME}, as Dynamo's standalone indexer. */
    public static final int PORT_DEFAULT = 8090;
    /** Default of {@link #THREADS_PROP_NAME}: enough for a 2-core pod. */
    public static final int THREADS_DEFAULT = 4;
    /** Default of {@link #PEER_TIMEOUT_MS_PROP_NAME}. */
    public static final long PEER_TIMEOUT_MS_DEFAULT = 30_000L;
    /** Largest request body accepted, as in {@code spec/dynamo-compat.md} §3: 8 MiB. */
    public static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

    private String host = System.getProperty(HOST_PROP_NAME, HOST_DEFAULT);
    private int port = Integer.getInteger(PORT_PROP_NAME, PORT_DEFAULT);
    private int threads = Integer.getInteger(THREADS_PROP_NAME, THREADS_DEFAULT);
    private String token = System.getProperty(TOKEN_PROP_NAME);
    private List<String> peers = parsePeers(System.getProperty(PEERS_PROP_NAME, ""));
    private boolean allowRemote = Boolean.parseBoolean(System.getProperty(ALLOW_REMOTE_PROP_NAME, "false"));
    private long peerTimeoutMs = Long.getLong(PEER_TIMEOUT_MS_PROP_NAME, PEER_TIMEOUT_MS_DEFAULT);
    private int maxBodyBytes = MAX_BODY_BYTES;
    private InetAddress address;
    private boolean concluded;

    /**
     * Validate and resolve the bind address. Runs once.
     *
     * @return this.
     * @throws IllegalArgumentException for a bad setting, a non-loopback address that is not allowed, or one without
     *                                  a token.
     */
    public HttpServiceContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("context already concluded");
        }
        concluded = true;
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("HTTP port must be in [0, 65535]: " + port);
        }
        if (threads < 1)
        {
            throw new IllegalArgumentException("HTTP threads must be >= 1: " + threads);
        }
        if (null != token && token.isEmpty())
        {
            token = null;
        }
        try
        {
            address = InetAddress.getByName(host);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("cannot resolve HTTP host " + host, ex);
        }
        if (!address.isLoopbackAddress())
        {
            if (!allowRemote)
            {
                throw new IllegalArgumentException("HTTP host " + host + " is not a loopback address; allow it " +
                    "explicitly (--allow-remote) and set a bearer token (--http-token or KVINDEX_HTTP_TOKEN)");
            }
            if (null == token)
            {
                throw new IllegalArgumentException("HTTP host " + host + " is not a loopback address: a bearer " +
                    "token is required (--http-token or KVINDEX_HTTP_TOKEN)");
            }
        }
        for (final String peer : peers)
        {
            PeerRegistry.validate(peer);
        }
        // The JDK server would otherwise delay small responses by Nagle's algorithm against delayed ACKs (~40 ms);
        // the property is read once, when the first JDK HTTP server starts.
        if (null == System.getProperty("sun.net.httpserver.nodelay"))
        {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        return this;
    }

    /**
     * Address to bind.
     *
     * @param host a host name or literal address.
     * @return this.
     */
    public HttpServiceContext host(final String host)
    {
        this.host = host;
        return this;
    }

    /**
     * Address to bind.
     *
     * @return the host.
     */
    public String host()
    {
        return host;
    }

    /**
     * The resolved bind address.
     *
     * @return the address, after {@link #conclude()}.
     */
    public InetAddress address()
    {
        return address;
    }

    /**
     * Port to bind.
     *
     * @param port the port, 0 for a free one.
     * @return this.
     */
    public HttpServiceContext port(final int port)
    {
        this.port = port;
        return this;
    }

    /**
     * Port to bind.
     *
     * @return the port, 0 for a free one.
     */
    public int port()
    {
        return port;
    }

    /**
     * Threads answering requests.
     *
     * @param threads at least 1.
     * @return this.
     */
    public HttpServiceContext threads(final int threads)
    {
        this.threads = threads;
        return this;
    }

    /**
     * Threads answering requests.
     *
     * @return the thread count.
     */
    public int threads()
    {
        return threads;
    }

    /**
     * Bearer token the mutating endpoints ({@code /register}, {@code /unregister}, {@code /dump}, peers) require.
     *
     * @param token the token, or null for none (loopback only).
     * @return this.
     */
    public HttpServiceContext token(final String token)
    {
        this.token = token;
        return this;
    }

    /**
     * Bearer token of the mutating endpoints.
     *
     * @return the token, or null for none.
     */
    public String token()
    {
        return token;
    }

    /**
     * Peer indexers; at start the first that answers gives its {@code /dump}, loaded before the API opens.
     *
     * @param peers base URLs, e.g. {@code http://10.0.0.7:8090}.
     * @return this.
     */
    public HttpServiceContext peers(final List<String> peers)
    {
        this.peers = List.copyOf(peers);
        return this;
    }

    /**
     * Peer indexers.
     *
     * @return base URLs, possibly empty.
     */
    public List<String> peers()
    {
        return peers;
    }

    /**
     * Allow binding a non-loopback address; a token is required then.
     *
     * @param allowRemote true to allow.
     * @return this.
     */
    public HttpServiceContext allowRemote(final boolean allowRemote)
    {
        this.allowRemote = allowRemote;
        return this;
    }

    /**
     * Whether a non-loopback address may be bound.
     *
     * @return true when allowed.
     */
    public boolean allowRemote()
    {
        return allowRemote;
    }

    /**
     * Milliseconds a peer has to answer {@code /dump} at start.
     *
     * @param peerTimeoutMs the timeout.
     * @return this.
     */
    public HttpServiceContext peerTimeoutMs(final long peerTimeoutMs)
    {
        this.peerTimeoutMs = peerTimeoutMs;
        return this;
    }

    /**
     * Milliseconds a peer has to answer {@code /dump} at start.
     *
     * @return the timeout.
     */
    public long peerTimeoutMs()
    {
        return peerTimeoutMs;
    }

    /**
     * Largest request body accepted; larger ones get 413. Tests lower it; the API's contract is 8 MiB.
     *
     * @param maxBodyBytes the limit in bytes.
     * @return this.
     */
    public HttpServiceContext maxBodyBytes(final int maxBodyBytes)
    {
        this.maxBodyBytes = maxBodyBytes;
        return this;
    }

    /**
     * Largest request body accepted.
     *
     * @return the limit in bytes.
     */
    public int maxBodyBytes()
    {
        return maxBodyBytes;
    }

    /**
     * Split a comma-separated list of peer URLs.
     *
     * @param peers the list, possibly empty.
     * @return the URLs, trimmed, empty entries dropped.
     */
    public static List<String> parsePeers(final String peers)
    {
        final List<String> urls = new ArrayList<>();
        for (final String peer : peers.split(","))
        {
            final String url = peer.trim();
            if (!url.isEmpty())
            {
                urls.add(url);
            }
        }
        return List.copyOf(urls);
    }

    boolean concluded()
    {
        return concluded;
    }

    /**
     * The base URL clients reach a server bound with this context at a port.
     *
     * @param boundPort the port actually bound.
     * @return e.g. {@code http://127.0.0.1:8090}.
     */
    String baseUrl(final int boundPort)
    {
        final String literal = address.getHostAddress();
        final String hostPart = literal.contains(":") ? "[" + literal + "]" : literal;
        return URI.create("http://" + hostPart + ":" + boundPort).toString();
    }
}
