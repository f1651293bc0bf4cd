package io.kvindex.server.feed;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import zmq.Msg;

/**
 * Asks an engine's replay ROUTER for buffered batches over a DEALER socket ({@code spec/engine-events.md} §Replay):
 * sends {@code ["", start_seq as 8 bytes big-endian]} and takes the answers {@code ["", seq8, payload]} or
 * {@code ["", topic, seq8, payload]} one at a time without blocking, until the end marker (an empty payload). Each
 * request opens a fresh socket, so late answers to an abandoned request can never be mistaken for new ones.
 */
final class ReplayClient implements AutoCloseable
{
    /** What a polled answer was. */
    interface Handler
    {
        /**
         * One buffered batch.
         *
         * @param seq     its seq.
         * @param payload its payload frame, valid during the call.
         */
        void onReplayed(long seq, Msg payload);

        /** The end marker: the engine sent everything it had. */
        void onReplayEnd();

        /** An answer of the wrong shape, dropped. */
        void onMalformed();
    }

    private static final int MAX_FRAMES = 5;

    private final ZContext context;
    private final String endpoint;
    private final int receiveHighWaterMark;
    private final long maxMessageSize;
    private final Msg[] frames = new Msg[MAX_FRAMES];
    private final byte[] seqBytes = new byte[Long.BYTES];
    private ZMQ.Socket socket;

    ReplayClient(
        final ZContext context, final String endpoint, final int receiveHighWaterMark, final long maxMessageSize)
    {
        this.context = context;
        this.endpoint = endpoint;
        this.receiveHighWaterMark = receiveHighWaterMark;
        this.maxMessageSize = maxMessageSize;
    }

    String endpoint()
    {
        return endpoint;
    }

    /**
     * Open a new DEALER (closing any previous one) and ask for every buffered batch from a seq on.
     */
    void request(final long startSeq)
    {
        cancel();
        final ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
        dealer.setLinger(0);
        dealer.setRcvHWM(receiveHighWaterMark);
        dealer.setMaxMsgSize(maxMessageSize);
        dealer.connect(endpoint);
        final byte[] start = new byte[Long.BYTES];
        for (int i = 0; i < Long.BYTES; i++)
        {
            start[i] = (byte)(startSeq >>> (56 - 8 * i));
        }
        dealer.sendMore(new byte[0]);
        dealer.send(start, ZMQ.DONTWAIT);
        socket = dealer;
    }

    /**
     * Take at most one answer without blocking.
     *
     * @return 1 when an answer was taken (and handed to the handler), else 0.
     */
    int pollOne(final Handler handler)
    {
        if (null == socket)
        {
            return 0;
        }
        final Msg first = socket.recvMsg(ZMQ.DONTWAIT);
        if (null == first)
        {
            return 0;
        }
        int count = 0;
        frames[count++] = first;
        boolean more = first.hasMore();
        while (more)
        {
            final Msg frame = socket.recvMsg(ZMQ.DONTWAIT);
            if (null == frame)
            {
                break;
            }
            if (count < MAX_FRAMES)
            {
                frames[count] = frame;
            }
            count++;
            more = frame.hasMore();
        }
        dispatch(count, handler);
        for (int i = 0; i < MAX_FRAMES; i++)
        {
            frames[i] = null;
        }
        return 1;
    }

    /**
     * Close the socket of the running request, if any.
     */
    void cancel()
    {
        if (null != socket)
        {
            socket.close();
            socket = null;
        }
    }

    /**
     * Same as {@link #cancel()}.
     */
    @Override
    public void close()
    {
        cancel();
    }

    private void dispatch(final int count, final Handler handler)
    {
        if ((3 != count && 4 != count) || 0 != frames[0].size())
        {
            handler.onMalformed();
            return;
        }
        final Msg seqFrame = frames[count - 2];
        final Msg payload = frames[count - 1];
        if (0 == payload.size())
        {
            handler.onReplayEnd();
            return;
        }
        if (Long.BYTES != seqFrame.size())
        {
            handler.onMalformed();
            return;
        }
        seqFrame.getBytes(0, seqBytes, 0, Long.BYTES);
        long seq = 0;
        for (int i = 0; i < Long.BYTES; i++)
        {
            seq = (seq << 8) | (seqBytes[i] & 0xFF);
        }
        handler.onReplayed(seq, payload);
    }
}
