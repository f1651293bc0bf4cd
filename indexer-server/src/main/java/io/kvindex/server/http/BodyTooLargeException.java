package io.kvindex.server.http;

import java.io.IOException;

/**
 * A request body went past the limit; an {@link IOException} so that it passes through the JSON parser unchanged,
 * answered with 413.
 */
final class BodyTooLargeException extends IOException
{
    private static final long serialVersionUID = 1L;

    BodyTooLargeException(final long limit)
    {
        super("request body larger than " + limit + " bytes");
    }
}
