package io.kvindex.mockengine;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Real JeroMQ sockets against a running engine: a SUB that waits until the engine sees it, a DEALER that has
 * completed a replay round trip, and bounded waits.
 * <p>
 * JeroMQ 0.6.0 sometimes (about 1 connect in 100 on these machines, JDK 17 and 25) leaves a connecting socket
 * connected but silent forever: the TCP connection is up, the monitor reports CONNECTED, and the ZMTP handshake
 * never starts. So a socket that has not joined within a while is closed and made again.
 */
final class ZmqTestSupport
{
    static final int RECEIVE_TIMEOUT_MS = 10_000;

    private static final int ATTEMPTS = 5;
    private static final long JOIN_WAIT_NS = TimeUnit.SECONDS.toNanos(2);

    private ZmqTestSupport()
    {
    }

    static ZMQ.Socket subscribe(final ZContext context, final MockEngine engine, final int rank, final String topic)
    {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++)
        {
            final int before = engine.subscribers(rank);
            final ZMQ.Socket sub = context.createSocket(SocketType.SUB);
            sub.setLinger(0);
            sub.setReceiveTimeOut(RECEIVE_TIMEOUT_MS);
            sub.subscribe(topic.getBytes(StandardCharsets.UTF_8));
            sub.connect(engine.pubEndpoint(rank));
            if (within(JOIN_WAIT_NS, () -> engine.subscribers(rank) > before))
            {
                return sub;
            }
            sub.close();
        }
        return fail("no subscriber joined " + engine.pubEndpoint(rank) + " in " + ATTEMPTS + " attempts");
    }

    /**
     * A DEALER on a replay endpoint that has had an answer: a replay from the end (only the end marker comes back).
     */
    static ZMQ.Socket dealer(final ZContext context, final String endpoint)
    {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++)
        {
            final ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
            dealer.setLinger(0);
            dealer.setReceiveTimeOut((int)TimeUnit.NANOSECONDS.toMillis(JOIN_WAIT_NS));
            dealer.connect(endpoint);
            dealer.send(new byte[0], ZMQ.SNDMORE);
            dealer.send(seq(-1));
            final byte[] first = dealer.recv();
            if (null != first)
            {
                while (dealer.hasReceiveMore())
                {
                    dealer.recv();
                }
                dealer.setReceiveTimeOut(RECEIVE_TIMEOUT_MS);
                return dealer;
            }
            dealer.close();
        }
        return fail("no answer from " + endpoint + " in " + ATTEMPTS + " attempts");
    }

    /**
     * All frames of the next message.
     */
    static List<byte[]> receive(final ZMQ.Socket socket)
    {
        final List<byte[]> frames = new ArrayList<>();
        do
        {
            final byte[] frame = socket.recv();
            assertNotNull(frame, "no message within " + RECEIVE_TIMEOUT_MS + " ms");
            frames.add(frame);
        }
        while (socket.hasReceiveMore());
        return frames;
    }

    static byte[] seq(final long seq)
    {
        return ByteBuffer.allocate(Long.BYTES).putLong(seq).array();
    }

    static long seq(final byte[] frame)
    {
        return ByteBuffer.wrap(frame).getLong();
    }

    static void await(final BooleanSupplier condition, final String message)
    {
        assertTrue(within(TimeUnit.SECONDS.toNanos(10), condition), message);
    }

    private static boolean within(final long timeoutNs, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }
}
