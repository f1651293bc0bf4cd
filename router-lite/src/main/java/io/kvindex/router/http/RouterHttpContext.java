package io.kvindex.router.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Settings of a {@link RouterHttpService}. {@link #conclude()} runs once.
 */
public final class RouterHttpContext
{
    /** Address the API binds. */
    public static final String HOST_PROP_NAME = "kvindex.router.http.host";
    /** Default of {@link #HOST_PROP_NAME}: loopback only. */
    public static final String HOST_DEFAULT = "127.0.0.1";
    /** Port of the API; Dynamo's frontend: {@code --http-port}, {@code DYN_HTTP_PORT}. */
    public static final String PORT_PROP_NAME = "kvindex.router.http.port";
    /** Default of {@link #PORT_PROP_NAME}, as Dynamo's frontend. */
    public static final int PORT_DEFAULT = 8080;
    /** Threads answering requests (each pass-through stream holds one while it lasts). */
    public static final String THREADS_PROP_NAME = "kvindex.router.http.threads";
    /** Default of {@link #THREADS_PROP_NAME}. */
    public static final int THREADS_DEFAULT = 16;
    /** Largest request body; larger ones get 413. */
    public static final int MAX_BODY_BYTES_DEFAULT = 8 * 1024 * 1024;
    /** Default time a request waits for the router thread. */
    public static final long CALL_TIMEOUT_MS_DEFAULT = 5_000L;
    /** Default time to connect to a worker. */
    public static final long UPSTREAM_CONNECT_TIMEOUT_MS_DEFAULT = 2_000L;

    private String host = System.getProperty(HOST_PROP_NAME, HOST_DEFAULT);
    private int port = Integer.getInteger(PORT_PROP_NAME, PORT_DEFAULT);
    private int threads = Integer.getInteger(THREADS_PROP_NAME, THREADS_DEFAULT);
    private int maxBodyBytes = MAX_BODY_BYTES_DEFAULT;
    private long callTimeoutMs = CALL_TIMEOUT_MS_DEFAULT;
    private long upstreamConnectTimeoutMs = UPSTREAM_CONNECT_TIMEOUT_MS_DEFAULT;
    private InetAddress address;
    private boolean concluded;

    /**
     * Validate and resolve the host.
     *
     * @return this.
     */
    public RouterHttpContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("context already concluded");
        }
        concluded = true;
        if (port < 0 || port > 65535 || threads < 1 || maxBodyBytes < 1 || callTimeoutMs < 1 ||
            upstreamConnectTimeoutMs < 1)
        {
            throw new IllegalArgumentException("bad HTTP settings: port " + port + ", threads " + threads);
        }
        try
        {
            address = InetAddress.getByName(host);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("unknown HTTP host: " + host, ex);
        }
        return this;
    }

    /**
     * Address the API binds.
     *
     * @param host the host.
     * @return this.
     */
    public RouterHttpContext host(final String host)
    {
        this.host = host;
        return this;
    }

    /**
     * Address the API binds.
     *
     * @return the host.
     */
    public String host()
    {
        return host;
    }

    /**
     * Port of the API; 0 picks a free one.
     *
     * @param port the port.
     * @return this.
     */
    public RouterHttpContext port(final int port)
    {
        this.port = port;
        return this;
    }

    /**
     * Port of the API.
     *
     * @return the port.
     */
    public int port()
    {
        return port;
    }

    /**
     * Threads answering requests.
     *
     * @param threads the count.
     * @return this.
     */
    public RouterHttpContext threads(final int threads)
    {
        this.threads = threads;
        return this;
    }

    /**
     * Threads answering requests.
     *
     * @return the count.
     */
    public int threads()
    {
        return threads;
    }

    /**
     * Largest request body.
     *
     * @param maxBodyBytes the limit in bytes.
     * @return this.
     */
    public RouterHttpContext maxBodyBytes(final int maxBodyBytes)
    {
        this.maxBodyBytes = maxBodyBytes;
        return this;
    }

    /**
     * Largest request body.
     *
     * @return the limit in bytes.
     */
    public int maxBodyBytes()
    {
        return maxBodyBytes;
    }

    /**
     * Time a request waits for the router thread before 503.
     *
     * @param callTimeoutMs the time in ms.
     * @return this.
     */
    public RouterHttpContext callTimeoutMs(final long callTimeoutMs)
    {
        this.callTimeoutMs = callTimeoutMs;
        return this;
    }

    /**
     * Time a request waits for the router thread before 503.
     *
     * @return the time in ms.
     */
    public long callTimeoutMs()
    {
        return callTimeoutMs;
    }

    /**
     * Time to connect to a worker before 502.
     *
     * @param upstreamConnectTimeoutMs the time in ms.
     * @return this.
     */
    public RouterHttpContext upstreamConnectTimeoutMs(final long upstreamConnectTimeoutMs)
    {
        this.upstreamConnectTimeoutMs = upstreamConnectTimeoutMs;
        return this;
    }

    /**
     * Time to connect to a worker before 502.
     *
     * @return the time.
     */
    public Duration upstreamConnectTimeout()
    {
        return Duration.ofMillis(upstreamConnectTimeoutMs);
    }

    InetAddress address()
    {
        return address;
    }
}
