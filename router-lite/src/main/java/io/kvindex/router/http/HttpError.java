package io.kvindex.router.http;

/**
 * A request that gets an error status and a JSON body {@code {"error": message}}.
 */
final class HttpError extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    static final int BAD_REQUEST = 400;
    static final int NOT_FOUND = 404;
    static final int METHOD_NOT_ALLOWED = 405;
    static final int CONFLICT = 409;
    static final int PAYLOAD_TOO_LARGE = 413;
    static final int INTERNAL_ERROR = 500;
    static final int BAD_GATEWAY = 502;
    static final int UNAVAILABLE = 503;
    static final int GATEWAY_TIMEOUT = 504;

    private final int status;

    HttpError(final int status, final String message)
    {
        super(message, null, false, false);
        this.status = status;
    }

    int status()
    {
        return status;
    }

    static HttpError badRequest(final String message)
    {
        return new HttpError(BAD_REQUEST, message);
    }
}
