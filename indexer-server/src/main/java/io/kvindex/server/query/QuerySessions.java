package io.kvindex.server.query;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.exceptions.AeronException;
import io.kvindex.client.QueryProtocol;
import io.kvindex.client.codecs.ConnectResponseEncoder;
import io.kvindex.client.codecs.ConnectStatus;
import io.kvindex.client.codecs.MessageHeaderEncoder;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;

/**
 * The sessions of a query agent. A ConnectRequest adds a publication to the client's response channel without
 * waiting (Aeron's async add); once it is connected the ConnectResponse is sent and the session becomes active. A
 * session whose publication stays disconnected longer than the session timeout is closed, as is one whose client
 * sends CloseSession. Runs on the agent's thread only.
 */
final class QuerySessions implements AutoCloseable
{
    private static final long LIVENESS_CHECK_INTERVAL_NS = 10_000_000L;

    private final Aeron aeron;
    private final QueryCounters counters;
    private final ErrorHandler errorHandler;
    private final long connectTimeoutNs;
    private final long sessionTimeoutNs;
    private final Long2ObjectHashMap<QuerySession> sessionById = new Long2ObjectHashMap<>();
    private final ArrayList<QuerySession> sessions = new ArrayList<>();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ConnectResponseEncoder connectResponseEncoder = new ConnectResponseEncoder();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
    private int pendingCount;
    private long nextLivenessCheckNs;

    QuerySessions(
        final Aeron aeron,
        final QueryCounters counters,
        final ErrorHandler errorHandler,
        final long connectTimeoutNs,
        final long sessionTimeoutNs)
    {
        this.aeron = aeron;
        this.counters = counters;
        this.errorHandler = errorHandler;
        this.connectTimeoutNs = connectTimeoutNs;
        this.sessionTimeoutNs = sessionTimeoutNs;
    }

    void onConnect(
        final long correlationId,
        final String responseChannel,
        final int responseStreamId,
        final boolean accepted,
        final long nowNs)
    {
        final long registrationId;
        try
        {
            registrationId = aeron.asyncAddExclusivePublication(responseChannel, responseStreamId);
        }
        catch (final AeronException | IllegalArgumentException ex)
        {
            counters.increment(QueryCounters.CONNECTS_REJECTED);
            errorHandler.onError(ex);
            return;
        }
        final QuerySession session = new QuerySession(
            aeron.nextCorrelationId(), correlationId, registrationId, accepted, nowNs + connectTimeoutNs);
        sessionById.put(session.sessionId, session);
        sessions.add(session);
        pendingCount++;
    }

    void onClose(final long sessionId)
    {
        final QuerySession session = sessionById.get(sessionId);
        if (null != session)
        {
            remove(session);
        }
    }

    /**
     * The publication answers for a session go to, null when the session is unknown or not yet active.
     */
    ExclusivePublication activePublication(final long sessionId)
    {
        final QuerySession session = sessionById.get(sessionId);
        return null != session && QuerySession.ACTIVE == session.state ? session.publication : null;
    }

    int size()
    {
        return sessions.size();
    }

    int doWork(final long nowNs)
    {
        int work = 0;
        if (pendingCount > 0)
        {
            for (int i = sessions.size() - 1; i >= 0; i--)
            {
                final QuerySession session = sessions.get(i);
                if (QuerySession.ACTIVE != session.state)
                {
                    work += advance(session, nowNs);
                }
            }
        }
        if (nowNs - nextLivenessCheckNs >= 0)
        {
            nextLivenessCheckNs = nowNs + LIVENESS_CHECK_INTERVAL_NS;
            for (int i = sessions.size() - 1; i >= 0; i--)
            {
                work += checkLiveness(sessions.get(i), nowNs);
            }
        }
        return work;
    }

    @Override
    public void close()
    {
        for (int i = sessions.size() - 1; i >= 0; i--)
        {
            final QuerySession session = sessions.get(i);
            if (null == session.publication && QuerySession.AWAIT_PUBLICATION == session.state)
            {
                aeron.asyncRemovePublication(session.registrationId);
            }
            CloseHelper.quietClose(session.publication);
        }
        sessions.clear();
        sessionById.clear();
    }

    private int advance(final QuerySession session, final long nowNs)
    {
        if (nowNs - session.deadlineNs >= 0)
        {
            remove(session);
            return 1;
        }
        if (QuerySession.AWAIT_PUBLICATION == session.state)
        {
            try
            {
                session.publication = aeron.getExclusivePublication(session.registrationId);
            }
            catch (final AeronException ex)
            {
                errorHandler.onError(ex);
                counters.increment(QueryCounters.CONNECTS_REJECTED);
                remove(session);
                return 1;
            }
            if (null == session.publication)
            {
                return 0;
            }
            session.state = QuerySession.AWAIT_CONNECTED;
        }
        if (session.publication.isConnected() && sendConnectResponse(session))
        {
            pendingCount--;
            if (session.accepted)
            {
                session.state = QuerySession.ACTIVE;
                counters.increment(QueryCounters.SESSIONS_OPENED);
            }
            else
            {
                counters.increment(QueryCounters.CONNECTS_REJECTED);
                pendingCount++;
                remove(session);
            }
            return 1;
        }
        return 0;
    }

    private boolean sendConnectResponse(final QuerySession session)
    {
        connectResponseEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(session.connectCorrelationId)
            .sessionId(session.accepted ? session.sessionId : QueryProtocol.NULL_SESSION_ID)
            .status(session.accepted ? ConnectStatus.OK : ConnectStatus.REJECTED);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + connectResponseEncoder.encodedLength();
        return session.publication.offer(buffer, 0, length) > 0;
    }

    private int checkLiveness(final QuerySession session, final long nowNs)
    {
        if (QuerySession.ACTIVE != session.state)
        {
            return 0;
        }
        if (session.publication.isConnected())
        {
            session.disconnectedSinceNs = 0;
            return 0;
        }
        if (0 == session.disconnectedSinceNs)
        {
            session.disconnectedSinceNs = nowNs;
            return 0;
        }
        if (nowNs - session.disconnectedSinceNs >= sessionTimeoutNs)
        {
            remove(session);
            return 1;
        }
        return 0;
    }

    private void remove(final QuerySession session)
    {
        if (QuerySession.ACTIVE != session.state)
        {
            pendingCount--;
            if (null == session.publication)
            {
                aeron.asyncRemovePublication(session.registrationId);
            }
        }
        else
        {
            counters.increment(QueryCounters.SESSIONS_CLOSED);
        }
        sessionById.remove(session.sessionId);
        sessions.remove(session);
        CloseHelper.quietClose(session.publication);
    }
}
