package io.kvindex.client;

/**
 * Outcome of an overlap query as the caller sees it: the server's status, or what the client decided locally.
 */
public enum OverlapStatus
{
    /** Sent or queued, no answer yet. */
    PENDING,
    /** Answered; the scores are valid. */
    OK,
    /** The server has no index for the (model, tenant). */
    UNKNOWN_INDEX,
    /** The request was malformed or over a limit (server's or this client's, e.g. longer than a message). */
    BAD_REQUEST,
    /** The server is behind and shed the request, or this client had no free in-flight slot. */
    OVERLOAD,
    /** The server could not build or send the whole answer. */
    SERVER_ERROR,
    /** No answer from any endpoint within the attempts allowed. */
    TIMEOUT,
    /** The client was closed before an answer came. */
    CLOSED
}
