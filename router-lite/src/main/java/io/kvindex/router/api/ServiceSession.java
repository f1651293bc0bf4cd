package io.kvindex.router.api;

import io.aeron.ExclusivePublication;

/**
 * A client's session with a {@link RouterService}: the publication answers go to and, until the client has it, the
 * ConnectResponse still to send.
 */
final class ServiceSession
{
    final long sessionId;
    final ExclusivePublication publication;
    final long connectCorrelationId;
    final long connectDeadlineNs;
    boolean connectAnswered;

    ServiceSession(
        final long sessionId,
        final ExclusivePublication publication,
        final long connectCorrelationId,
        final long connectDeadlineNs)
    {
        this.sessionId = sessionId;
        this.publication = publication;
        this.connectCorrelationId = connectCorrelationId;
        this.connectDeadlineNs = connectDeadlineNs;
    }
}
