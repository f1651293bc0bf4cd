package io.kvindex.perf.e2e;

import io.kvindex.client.OverlapStatus;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Queries over HTTP/1.1 keep-alive connections, as a scripting client or another stack would send them:
 * {@code POST /query_by_hash} with the workload's local hashes. Non-blocking sockets driven from the load thread,
 * one request in flight per connection; requests are encoded once up front, responses parsed in place (status
 * line, {@code Content-Length}, and the largest score in the body for the content check), so nothing is allocated
 * per query. A connection whose answer is overdue is counted as a timeout and reopened.
 */
final class HttpQueryTarget implements LoadTarget
{
    private static final int IDLE = -1;
    private static final byte[] SCORES = "\"scores\"".getBytes(StandardCharsets.US_ASCII);

    private final NanoClock clock = SystemNanoClock.INSTANCE;
    private final InetSocketAddress address;
    private final byte[][] requests;
    private final int blockSize;
    private final int[] expectedWalked;
    private final int[] ownersByQuery;
    private final long timeoutNs;
    private final SocketChannel[] channels;
    private final ByteBuffer[] buffers;
    private final int[] queryOf;
    private final long[] intendedNs;
    private final PhaseResult[] phaseOf;
    private final byte[][] lastBodies;
    private int busy;
    private PhaseResult result;

    /**
     * Open the connections.
     *
     * @param address        server address and port.
     * @param path           request path, e.g. {@code /query_by_hash}.
     * @param bodies         per query the JSON request body.
     * @param blockSize      tokens per block, to turn scores (tokens) into blocks.
     * @param expectedWalked per query the longest match the index holds, or null when unknown.
     * @param ownersByQuery  per query, filled with the owners of its last OK answer.
     * @param connections    connections, each with at most one request in flight.
     * @param timeoutNs      how long an answer may take before it counts as a timeout.
     * @param keepBodies     whether to keep each query's last response body (for an echo of the real answers).
     */
    HttpQueryTarget(
        final InetSocketAddress address,
        final String path,
        final byte[][] bodies,
        final int blockSize,
        final int[] expectedWalked,
        final int[] ownersByQuery,
        final int connections,
        final long timeoutNs,
        final boolean keepBodies)
    {
        this.address = address;
        this.blockSize = blockSize;
        this.expectedWalked = expectedWalked;
        this.ownersByQuery = ownersByQuery;
        this.timeoutNs = timeoutNs;
        requests = new byte[bodies.length][];
        for (int q = 0; q < bodies.length; q++)
        {
            requests[q] = request(address.getHostString(), address.getPort(), path, q, bodies[q]);
        }
        lastBodies = keepBodies ? new byte[bodies.length][] : null;
        channels = new SocketChannel[connections];
        buffers = new ByteBuffer[connections];
        queryOf = new int[connections];
        intendedNs = new long[connections];
        phaseOf = new PhaseResult[connections];
        for (int c = 0; c < connections; c++)
        {
            buffers[c] = ByteBuffer.allocateDirect(1 << 20);
            queryOf[c] = IDLE;
            channels[c] = open();
        }
    }

    /**
     * The last response body of each query, when kept.
     *
     * @return the bodies, null entries for queries never answered.
     */
    byte[][] lastBodies()
    {
        return lastBodies;
    }

    @Override
    public void recordInto(final PhaseResult result)
    {
        this.result = result;
    }

    @Override
    public boolean send(final int query, final long intendedNs)
    {
        if (busy == channels.length)
        {
            return false;
        }
        int c = 0;
        while (IDLE != queryOf[c])
        {
            c++;
        }
        final ByteBuffer request = ByteBuffer.wrap(requests[query]);
        try
        {
            while (request.hasRemaining())
            {
                channels[c].write(request);
            }
        }
        catch (final IOException ex)
        {
            reopen(c);
            return false;
        }
        queryOf[c] = query;
        this.intendedNs[c] = intendedNs;
        phaseOf[c] = result;
        buffers[c].clear();
        busy++;
        return true;
    }

    @Override
    public int poll()
    {
        int work = 0;
        for (int c = 0; c < channels.length; c++)
        {
            if (IDLE != queryOf[c])
            {
                work += pollConnection(c);
            }
        }
        return work;
    }

    @Override
    public int inFlight()
    {
        return busy;
    }

    @Override
    public void close()
    {
        for (final SocketChannel channel : channels)
        {
            closeQuietly(channel);
        }
    }

    private int pollConnection(final int c)
    {
        final ByteBuffer buffer = buffers[c];
        final int read;
        try
        {
            read = channels[c].read(buffer);
        }
        catch (final IOException ex)
        {
            finish(c, OverlapStatus.SERVER_ERROR, -1, 0);
            reopen(c);
            return 1;
        }
        final long nowNs = clock.nanoTime();
        if (read < 0)
        {
            finish(c, OverlapStatus.SERVER_ERROR, -1, 0);
            reopen(c);
            return 1;
        }
        final int headerEnd = headerEnd(buffer);
        if (headerEnd >= 0)
        {
            final int contentLength = contentLength(buffer, headerEnd);
            if (contentLength >= 0 && buffer.position() >= headerEnd + contentLength)
            {
                final int status = status(buffer);
                finishAt(c, nowNs, toOverlapStatus(status), headerEnd, contentLength);
                return 1;
            }
        }
        if (nowNs - intendedNs[c] > timeoutNs)
        {
            phaseOf[c].onTimeout();
            queryOf[c] = IDLE;
            busy--;
            reopen(c);
            return 1;
        }
        return read > 0 ? 1 : 0;
    }

    private void finish(final int c, final OverlapStatus status, final int bodyStart, final int bodyLength)
    {
        finishAt(c, clock.nanoTime(), status, bodyStart, bodyLength);
    }

    private void finishAt(
        final int c, final long nowNs, final OverlapStatus status, final int bodyStart, final int bodyLength)
    {
        final PhaseResult phase = phaseOf[c];
        final int query = queryOf[c];
        phase.onAnswer(intendedNs[c], nowNs, status);
        if (OverlapStatus.OK == status)
        {
            check(phase, query, buffers[c], bodyStart, bodyLength);
            if (null != lastBodies)
            {
                final byte[] body = new byte[bodyLength];
                buffers[c].get(bodyStart, body, 0, bodyLength);
                lastBodies[query] = body;
            }
        }
        queryOf[c] = IDLE;
        busy--;
    }

    private void check(
        final PhaseResult phase, final int query, final ByteBuffer buffer, final int bodyStart, final int bodyLength)
    {
        int owners = 0;
        long longestTokens = 0;
        final int end = bodyStart + bodyLength;
        int i = indexOf(buffer, SCORES, bodyStart, end);
        if (i >= 0)
        {
            int depth = 0;
            for (i = i + SCORES.length; i < end; i++)
            {
                final byte b = buffer.get(i);
                if ('{' == b)
                {
                    depth++;
                }
                else if ('}' == b)
                {
                    if (--depth == 0)
                    {
                        break;
                    }
                }
                else if (':' == b && 2 == depth)
                {
                    long value = 0;
                    int j = i + 1;
                    while (j < end && ' ' == buffer.get(j))
                    {
                        j++;
                    }
                    while (j < end && buffer.get(j) >= '0' && buffer.get(j) <= '9')
                    {
                        value = value * 10 + (buffer.get(j++) - '0');
                    }
                    owners++;
                    longestTokens = Math.max(longestTokens, value);
                }
            }
        }
        ownersByQuery[query] = owners;
        final long longest = longestTokens / blockSize;
        phase.onContent(0 == owners, null != expectedWalked && longest != expectedWalked[query]);
    }

    private SocketChannel open()
    {
        try
        {
            final SocketChannel channel = SocketChannel.open(address);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            return channel;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot connect to " + address, ex);
        }
    }

    private void reopen(final int c)
    {
        closeQuietly(channels[c]);
        channels[c] = open();
    }

    private static void closeQuietly(final SocketChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
    }

    private static byte[] request(
        final String host, final int port, final String path, final int query, final byte[] body)
    {
        final byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port +
            "\r\nContent-Type: application/json\r\nX-Query: " + query + "\r\nContent-Length: " + body.length +
            "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        final byte[] request = new byte[head.length + body.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        return request;
    }

    private static int headerEnd(final ByteBuffer buffer)
    {
        for (int i = 3, n = buffer.position(); i < n; i++)
        {
            if ('\n' == buffer.get(i) && '\r' == buffer.get(i - 1) && '\n' == buffer.get(i - 2) &&
                '\r' == buffer.get(i - 3))
            {
                return i + 1;
            }
        }
        return -1;
    }

    private static int status(final ByteBuffer buffer)
    {
        int i = 0;
        while (' ' != buffer.get(i))
        {
            i++;
        }
        return (buffer.get(i + 1) - '0') * 100 + (buffer.get(i + 2) - '0') * 10 + (buffer.get(i + 3) - '0');
    }

    private static int contentLength(final ByteBuffer buffer, final int headerEnd)
    {
        for (int i = 0; i < headerEnd - 16; i++)
        {
            if ('\n' == buffer.get(i) && matchesIgnoreCase(buffer, i + 1, "content-length:"))
            {
                int j = i + 16;
                while (' ' == buffer.get(j))
                {
                    j++;
                }
                int value = 0;
                while (buffer.get(j) >= '0' && buffer.get(j) <= '9')
                {
                    value = value * 10 + (buffer.get(j++) - '0');
                }
                return value;
            }
        }
        return -1;
    }

    private static boolean matchesIgnoreCase(final ByteBuffer buffer, final int at, final String text)
    {
        for (int k = 0; k < text.length(); k++)
        {
            if (Character.toLowerCase((char)buffer.get(at + k)) != text.charAt(k))
            {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(final ByteBuffer buffer, final byte[] needle, final int from, final int to)
    {
        outer:
        for (int i = from; i <= to - needle.length; i++)
        {
            for (int k = 0; k < needle.length; k++)
            {
                if (buffer.get(i + k) != needle[k])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static OverlapStatus toOverlapStatus(final int httpStatus)
    {
        switch (httpStatus)
        {
            case 200:
                return OverlapStatus.OK;
            case 404:
                return OverlapStatus.UNKNOWN_INDEX;
            case 400:
            case 413:
                return OverlapStatus.BAD_REQUEST;
            case 503:
                return OverlapStatus.OVERLOAD;
            default:
                return OverlapStatus.SERVER_ERROR;
        }
    }
}
