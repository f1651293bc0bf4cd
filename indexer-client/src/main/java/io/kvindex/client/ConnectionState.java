package io.kvindex.client;

/**
 * Where an {@link IndexerClient} stands with its current endpoint.
 */
public enum ConnectionState
{
    /** Waiting for the endpoint's request stream to connect and for the server to open a session. */
    CONNECTING,
    /** A session is open; queries are sent as they are offered. */
    CONNECTED,
    /** Closed by the caller. */
    CLOSED
}
