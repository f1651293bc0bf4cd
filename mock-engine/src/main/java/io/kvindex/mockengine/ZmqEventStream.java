package io.kvindex.mockengine;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.Msg;

/**
 * One KV-event stream of an engine, on the wire as {@code spec/engine-events.md} describes: a publisher socket
 * sending {@code [topic, seq as 8 bytes big-endian, payload]}, the last batches kept in a {@link ReplayBuffer},
 * and a ROUTER socket answering replay requests {@code ["", start seq]} from DEALERs with one
 * {@code ["", seq, payload]} (or {@code ["", topic, seq, payload]}) per buffered batch from the start, then the end
 * marker {@code ["", 0xFF x 8, ""]}.
 * <p>
 * The publisher is an XPUB socket, which sends exactly as a PUB does and also reports subscriptions, so tests can
 * wait for a subscriber before publishing. Owned by one thread (the engine's agent).
 */
final class ZmqEventStream implements AutoCloseable
{
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] END_SEQ = { -1, -1, -1, -1, -1, -1, -1, -1 };
    private static final int SUBSCRIBE = 1;
    private static final int DRAIN_LIMIT = 16;

    private final ZMQ.Socket publisher;
    private final ZMQ.Socket replaySocket;
    private final ReplayBuffer buffer;
    private final byte[] topic;
    private final boolean replayTopicFrame;
    private final String pubEndpoint;
    private final String replayEndpoint;
    private final byte[] seqBytes = new byte[Long.BYTES];
    private volatile int subscribers;
    private long published;
    private long replayRequests;
    private long replayedBatches;
    private long malformedReplayRequests;

    ZmqEventStream(
        final ZContext context,
        final String pubEndpoint,
        final String replayEndpoint,
        final byte[] topic,
        final int sendHighWaterMark,
        final int bufferSteps,
        final boolean replayTopicFrame)
    {
        this.topic = topic;
        this.replayTopicFrame = replayTopicFrame;
        this.buffer = null == replayEndpoint ? null : new ReplayBuffer(bufferSteps);
        publisher = context.createSocket(SocketType.XPUB);
        publisher.setLinger(0);
        publisher.setSndHWM(sendHighWaterMark);
        publisher.setXpubVerbose(true);
        publisher.setXpubVerboser(true);
        this.pubEndpoint = bind(publisher, pubEndpoint);
        if (null == replayEndpoint)
        {
            replaySocket = null;
            this.replayEndpoint = null;
        }
        else
        {
            replaySocket = context.createSocket(SocketType.ROUTER);
            replaySocket.setLinger(0);
            replaySocket.setSndHWM(0);
            this.replayEndpoint = bind(replaySocket, replayEndpoint);
        }
    }

    private static String bind(final ZMQ.Socket socket, final String endpoint)
    {
        try
        {
            if (Endpoints.isEphemeral(endpoint))
            {
                // Port 0: the kernel picks a free port (JeroMQ's bindToRandomPort guesses within the range the
                // kernel also hands to outgoing connections).
                socket.bind(Endpoints.tcpAddress(endpoint) + ":0");
                return socket.getLastEndpoint();
            }
            socket.bind(endpoint);
            return endpoint;
        }
        catch (final ZMQException ex)
        {
            socket.close();
            throw new IllegalStateException("cannot bind " + endpoint + ": " + ex.getMessage(), ex);
        }
    }

    String pubEndpoint()
    {
        return pubEndpoint;
    }

    /**
     * The bound replay endpoint, or null without replay.
     */
    String replayEndpoint()
    {
        return replayEndpoint;
    }

    int subscribers()
    {
        return subscribers;
    }

    long published()
    {
        return published;
    }

    long replayRequests()
    {
        return replayRequests;
    }

    long replayedBatches()
    {
        return replayedBatches;
    }

    long malformedReplayRequests()
    {
        return malformedReplayRequests;
    }

    /**
     * Send a batch and keep it for replay.
     */
    void publish(final long seq, final byte[] payload, final int offset, final int length)
    {
        putSeq(seq);
        publisher.send(topic, ZMQ.SNDMORE);
        publisher.send(seqBytes, 0, Long.BYTES, ZMQ.SNDMORE);
        publisher.send(payload, offset, length, 0);
        published++;
        if (null != buffer)
        {
            buffer.append(seq, payload, offset, length);
        }
    }

    /**
     * Take subscription notices and answer replay requests, without blocking.
     *
     * @return messages handled.
     */
    int doWork()
    {
        int work = 0;
        Msg msg;
        while (work < DRAIN_LIMIT && null != (msg = publisher.recvMsg(ZMQ.DONTWAIT)))
        {
            work++;
            if (msg.size() > 0)
            {
                subscribers += SUBSCRIBE == msg.get(0) ? 1 : -1;
            }
        }
        while (null != replaySocket && work < DRAIN_LIMIT && null != (msg = replaySocket.recvMsg(ZMQ.DONTWAIT)))
        {
            work++;
            onReplayRequest(msg);
        }
        return work;
    }

    private void onReplayRequest(final Msg identity)
    {
        replayRequests++;
        int frames = 1;
        Msg delimiter = null;
        Msg start = null;
        boolean more = identity.hasMore();
        while (more)
        {
            final Msg frame = replaySocket.recvMsg(ZMQ.DONTWAIT);
            if (null == frame)
            {
                break;
            }
            frames++;
            delimiter = 2 == frames ? frame : delimiter;
            start = 3 == frames ? frame : start;
            more = frame.hasMore();
        }
        if (3 != frames || 0 != delimiter.size() || Long.BYTES != start.size())
        {
            malformedReplayRequests++;
            return;
        }
        long startSeq = 0;
        for (int i = 0; i < Long.BYTES; i++)
        {
            startSeq = (startSeq << 8) | (start.get(i) & 0xFF);
        }
        final byte[] peer = identity.data();
        for (int i = buffer.indexFrom(startSeq), size = buffer.size(); i < size; i++)
        {
            putSeq(buffer.seqAt(i));
            reply(peer, seqBytes, buffer.payloadAt(i), buffer.lengthAt(i));
            replayedBatches++;
        }
        System.arraycopy(END_SEQ, 0, seqBytes, 0, Long.BYTES);
        reply(peer, seqBytes, EMPTY, 0);
    }

    private void reply(final byte[] peer, final byte[] seq, final byte[] payload, final int length)
    {
        replaySocket.send(peer, ZMQ.SNDMORE);
        replaySocket.send(EMPTY, ZMQ.SNDMORE);
        if (replayTopicFrame)
        {
            replaySocket.send(topic, ZMQ.SNDMORE);
        }
        replaySocket.send(seq, 0, Long.BYTES, ZMQ.SNDMORE);
        replaySocket.send(payload, 0, length, 0);
    }

    private void putSeq(final long seq)
    {
        for (int i = 0; i < Long.BYTES; i++)
        {
            seqBytes[i] = (byte)(seq >>> (56 - 8 * i));
        }
    }

    /**
     * Close both sockets; the context stays the caller's.
     */
    @Override
    public void close()
    {
        publisher.close();
        if (null != replaySocket)
        {
            replaySocket.close();
        }
    }
}
