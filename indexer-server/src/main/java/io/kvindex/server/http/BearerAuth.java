package io.kvindex.server.http;

import com.sun.net.httpserver.HttpExchange;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks {@code Authorization: Bearer <token>} on the mutating endpoints when a token is configured; compares in
 * constant time. Without a token (loopback only) every request passes.
 */
final class BearerAuth
{
    private static final String SCHEME = "bearer ";

    private final byte[] token;

    BearerAuth(final String token)
    {
        this.token = null == token ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    boolean required()
    {
        return null != token;
    }

    boolean allows(final HttpExchange exchange)
    {
        if (null == token)
        {
            return true;
        }
        final String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (null == header || header.length() <= SCHEME.length() ||
            !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length()))
        {
            return false;
        }
        final byte[] given = header.substring(SCHEME.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(token, given);
    }
}
