package io.kvindex.http;

import java.io.IOException;

/**
 * A request body went past the limit; an {@link IOException} so that it passes through the JSON parser unchanged,
 * answered with 413.
 */
public final class BodyTooLargeException extends IOException
{
    private static final long serialVersionUID = 1L;

    /**
     * A body went past the limit.
     *
     * @param limit the limit in bytes.
     */
    public BodyTooLargeException(final long limit)
    {
        super("request body larger than " + limit + " bytes");
    }
}
