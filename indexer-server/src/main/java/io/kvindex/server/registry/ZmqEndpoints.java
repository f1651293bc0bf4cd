package io.kvindex.server.registry;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Checks of the ZMQ endpoint strings a registration carries, so a bad one is refused with a clear error before any
 * socket is opened.
 */
public final class ZmqEndpoints
{
    private ZmqEndpoints()
    {
    }

    /**
     * Check one endpoint: {@code tcp://host:port} (host may be {@code *} for a bind), {@code ipc://path} or
     * {@code inproc://name}.
     *
     * @param field    the field name for the error message.
     * @param endpoint the endpoint.
     * @throws IllegalArgumentException when it is none of those.
     */
    public static void validate(final String field, final String endpoint)
    {
        if (null == endpoint || endpoint.isEmpty())
        {
            throw new IllegalArgumentException(field + " must not be empty");
        }
        final int schemeEnd = endpoint.indexOf("://");
        if (schemeEnd <= 0 || schemeEnd + 3 == endpoint.length())
        {
            throw new IllegalArgumentException(field + " is not a ZMQ endpoint (tcp://host:port, ipc://path or " +
                "inproc://name): " + endpoint);
        }
        final String scheme = endpoint.substring(0, schemeEnd);
        switch (scheme)
        {
            case "tcp":
                validateTcp(field, endpoint, endpoint.substring(schemeEnd + 3));
                break;
            case "ipc":
            case "inproc":
                break;
            default:
                throw new IllegalArgumentException(field + " has an unsupported transport '" + scheme +
                    "' (tcp, ipc or inproc): " + endpoint);
        }
    }

    private static void validateTcp(final String field, final String endpoint, final String address)
    {
        final int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1)
        {
            throw new IllegalArgumentException(field + " needs host:port: " + endpoint);
        }
        final String host = address.substring(0, colon);
        final int port;
        try
        {
            port = Integer.parseInt(address.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(field + " has a bad port: " + endpoint, ex);
        }
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException(field + " port out of range 1..65535: " + endpoint);
        }
        if (!"*".equals(host))
        {
            try
            {
                final URI uri = new URI("tcp://" + address);
                if (null == uri.getHost())
                {
                    throw new IllegalArgumentException(field + " has a bad host: " + endpoint);
                }
            }
            catch (final URISyntaxException ex)
            {
                throw new IllegalArgumentException(field + " has a bad host: " + endpoint, ex);
            }
        }
    }
}
