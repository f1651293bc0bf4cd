package io.kvindex.server.http;

/**
 * A request the API answers with an error status and a JSON body {@code {"error": "..."}}: the message is meant for
 * the caller, so it names the field or the resource at fault.
 */
final class ApiException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int status;

    ApiException(final int status, final String message)
    {
        super(message, null, false, false);
        this.status = status;
    }

    int status()
    {
        return status;
    }

    static ApiException badRequest(final String message)
    {
        return new ApiException(HttpStatus.BAD_REQUEST, message);
    }

    static ApiException notFound(final String message)
    {
        return new ApiException(HttpStatus.NOT_FOUND, message);
    }
}
