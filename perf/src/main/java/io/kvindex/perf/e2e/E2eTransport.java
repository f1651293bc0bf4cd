package io.kvindex.perf.e2e;

import java.util.Locale;

/**
 * How the harness reaches the server: Aeron IPC, Aeron UDP on the loopback, or the HTTP/JSON API (whose server
 * still opens an IPC query channel).
 */
public enum E2eTransport
{
    /** Aeron IPC through a media driver on this host. */
    IPC,
    /** Aeron UDP unicast on 127.0.0.1. */
    UDP,
    /** The HTTP/JSON {@code /query} endpoint. */
    HTTP;


    /**
     * The transport a command-line word names.
     *
     * @param name {@code ipc}, {@code udp} or {@code http}, in any case.
     * @return the transport.
     * @throws IllegalArgumentException for any other word.
     */
    public static E2eTransport parse(final String name)
    {
        switch (name.toLowerCase(Locale.ROOT))
        {
            case "ipc":
                return IPC;
            case "udp":
                return UDP;
            case "http":
                return HTTP;
            default:
                throw new IllegalArgumentException("unknown transport '" + name + "': expected ipc, udp or http");
        }
    }

    /**
     * The lower-case name used on the command line and in reports.
     *
     * @return the name.
     */
    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * An Aeron channel of this transport for a port on the loopback; the port is ignored for IPC, and HTTP's
     * server queries over IPC beside its HTTP API.
     *
     * @param port the UDP port, 0 for an ephemeral one.
     * @return the channel.
     */
    public String channel(final int port)
    {
        return IPC == this || HTTP == this ? "aeron:ipc" : "aeron:udp?endpoint=127.0.0.1:" + port;
    }
}
