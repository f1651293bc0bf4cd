package io.kvindex.mockengine;

/**
 * ZMQ endpoints of data-parallel ranks, as vLLM derives them: a TCP port is {@code base + rank}; an {@code inproc}
 * or {@code ipc} name gets a {@code _dp<rank>} suffix. A TCP port of {@code 0} or {@code *} means an ephemeral
 * port for every rank.
 */
final class Endpoints
{
    private Endpoints()
    {
    }

    /**
     * The endpoint of one rank.
     */
    static String forRank(final String base, final int rank, final int ranks)
    {
        if (base.startsWith("inproc://") || base.startsWith("ipc://"))
        {
            return ranks > 1 ? base + "_dp" + rank : base;
        }
        if (!base.startsWith("tcp://"))
        {
            throw new IllegalArgumentException("endpoint must be tcp://, ipc:// or inproc://: " + base);
        }
        if (isEphemeral(base) || 0 == rank)
        {
            return base;
        }
        final int colon = base.lastIndexOf(':');
        return base.substring(0, colon + 1) + (port(base) + rank);
    }

    /**
     * Whether a TCP endpoint asks for an ephemeral port.
     */
    static boolean isEphemeral(final String endpoint)
    {
        if (!endpoint.startsWith("tcp://"))
        {
            return false;
        }
        final String port = endpoint.substring(endpoint.lastIndexOf(':') + 1);
        return "*".equals(port) || "0".equals(port);
    }

    /**
     * The address part of a TCP endpoint, {@code tcp://host}.
     */
    static String tcpAddress(final String endpoint)
    {
        return endpoint.substring(0, endpoint.lastIndexOf(':'));
    }

    private static int port(final String endpoint)
    {
        final int colon = endpoint.lastIndexOf(':');
        try
        {
            final int port = Integer.parseInt(endpoint.substring(colon + 1));
            if (colon > "tcp://".length() && port > 0 && port <= 65535)
            {
                return port;
            }
        }
        catch (final NumberFormatException ignore)
        {
        }
        throw new IllegalArgumentException("endpoint needs a port: " + endpoint);
    }
}
