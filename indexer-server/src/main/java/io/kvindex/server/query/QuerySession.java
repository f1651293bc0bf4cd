package io.kvindex.server.query;

import io.aeron.ExclusivePublication;

/**
 * A client's session with the query service: where its answers go and how far the handshake has come.
 */
final class QuerySession
{
    static final int AWAIT_PUBLICATION = 0;
    static final int AWAIT_CONNECTED = 1;
    static final int ACTIVE = 2;

    final long sessionId;
    final long connectCorrelationId;
    final long registrationId;
    final boolean accepted;
    int state = AWAIT_PUBLICATION;
    long deadlineNs;
    long disconnectedSinceNs;
    ExclusivePublication publication;

    QuerySession(
        final long sessionId,
        final long connectCorrelationId,
        final long registrationId,
        final boolean accepted,
        final long deadlineNs)
    {
        this.sessionId = sessionId;
        this.connectCorrelationId = connectCorrelationId;
        this.registrationId = registrationId;
        this.accepted = accepted;
        this.deadlineNs = deadlineNs;
    }
}
