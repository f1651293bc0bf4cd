package io.kvindex.server.feed;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal engine for tests, on 127.0.0.1: an XPUB socket that publishes 3-frame KV-event batches with their seq,
 * and a ROUTER replay socket served by a thread from a bounded buffer of the batches published (or skipped), as
 * {@code spec/engine-events.md} §Replay describes. Knobs: the reply form (with or without a topic frame), answering
 * or staying silent, holding answers until released, trimming the buffer, restarting the seq at 0.
 */
public final class FakeEngine implements AutoCloseable
{
    private static final long TIMEOUT_MS = 10_000;
    private static final long SUBSCRIBE_TIMEOUT_MS = 20_000;
    private static final byte[] END_SEQ = ByteBuffer.allocate(Long.BYTES).putLong(-1L).array();

    private final ZContext context = new ZContext(1);
    private final ZMQ.Socket publisher;
    private final int pubPort;
    private final int replayPort;
    private final int bufferSteps;
    private final ArrayDeque<Entry> buffer = new ArrayDeque<>();
    private final Thread replayThread;
    private final AtomicInteger replayRequests = new AtomicInteger();
    private final List<Long> replayStarts = new ArrayList<>();
    private volatile boolean running = true;
    private volatile boolean topicReplies;
    private volatile boolean silent;
    private volatile CountDownLatch gate;
    private long nextSeq;

    private record Entry(long seq, byte[] payload)
    {
    }

    /**
     * Bind both sockets on ephemeral ports of 127.0.0.1 and start serving replays.
     *
     * @param bufferSteps most batches kept for replay.
     */
    public FakeEngine(final int bufferSteps)
    {
        this.bufferSteps = bufferSteps;
        publisher = context.createSocket(SocketType.XPUB);
        publisher.setLinger(0);
        publisher.setSndHWM(0);
        pubPort = publisher.bindToRandomPort("tcp://127.0.0.1");
        final ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
        router.setLinger(0);
        router.setSndHWM(0);
        router.setReceiveTimeOut(5);
        replayPort = router.bindToRandomPort("tcp://127.0.0.1");
        replayThread = new Thread(() -> serve(router), "fake-engine-replay");
        replayThread.setDaemon(true);
        replayThread.start();
    }

    /**
     * The PUB endpoint a feed connects to.
     *
     * @return e.g. {@code tcp://127.0.0.1:40001}.
     */
    public String endpoint()
    {
        return "tcp://127.0.0.1:" + pubPort;
    }

    /**
     * The replay endpoint a feed connects to.
     *
     * @return e.g. {@code tcp://127.0.0.1:40002}.
     */
    public String replayEndpoint()
    {
        return "tcp://127.0.0.1:" + replayPort;
    }

    /**
     * Wait (bounded) until a subscriber joined, so that what is published next reaches it; unsubscriptions of
     * subscribers that left are skipped.
     */
    public void awaitSubscriber()
    {
        awaitSubscriber(() ->
        {
        });
    }

    /**
     * Wait (bounded) until a subscriber joined, running a step between short polls (e.g. the feed's duty cycle,
     * which reopens a socket whose connect JeroMQ left pending).
     *
     * @param step run while waiting.
     */
    public void awaitSubscriber(final Runnable step)
    {
        awaitSubscription(publisher, step);
    }

    /**
     * Wait (bounded) on an XPUB until a subscription arrives, running a step between polls of 10 ms.
     *
     * @param xpub the publisher.
     * @param step run while waiting.
     */
    public static void awaitSubscription(final ZMQ.Socket xpub, final Runnable step)
    {
        xpub.setReceiveTimeOut(10);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SUBSCRIBE_TIMEOUT_MS);
        while (System.nanoTime() - deadline < 0)
        {
            final byte[] message = xpub.recv();
            if (null != message && message.length > 0 && 1 == message[0])
            {
                return;
            }
            step.run();
        }
        throw new IllegalStateException("no subscriber joined");
    }

    /**
     * Publish a batch under the next seq and keep it for replay.
     *
     * @param payload the msgpack batch.
     * @return its seq.
     */
    public long publish(final byte[] payload)
    {
        final long seq = record(payload);
        send(seq, payload);
        return seq;
    }

    /**
     * Keep a batch for replay under the next seq without sending it: the subscriber sees a gap.
     *
     * @param payload the msgpack batch.
     * @return its seq.
     */
    public long drop(final byte[] payload)
    {
        return record(payload);
    }

    /**
     * Send a message with any seq, not kept for replay (stale or duplicated batches).
     *
     * @param seq     the seq to send.
     * @param payload the msgpack batch.
     */
    public void send(final long seq, final byte[] payload)
    {
        publisher.sendMore(new byte[0]);
        publisher.sendMore(ByteBuffer.allocate(Long.BYTES).putLong(seq).array());
        publisher.send(payload);
    }

    /**
     * Restart: seq back to 0 and the replay buffer emptied.
     */
    public synchronized void restart()
    {
        nextSeq = 0;
        buffer.clear();
    }

    /**
     * Forget the oldest buffered batches, keeping the newest {@code keep}.
     *
     * @param keep batches kept.
     */
    public synchronized void trimBuffer(final int keep)
    {
        while (buffer.size() > keep)
        {
            buffer.removeFirst();
        }
    }

    /**
     * Answer replays with {@code ["", topic, seq, payload]} (true) or {@code ["", seq, payload]} (false, default).
     *
     * @param topicReplies the form.
     */
    public void topicReplies(final boolean topicReplies)
    {
        this.topicReplies = topicReplies;
    }

    /**
     * Leave replay requests unanswered (an engine whose replay socket hangs).
     *
     * @param silent true to stay silent.
     */
    public void silent(final boolean silent)
    {
        this.silent = silent;
    }

    /**
     * Hold the answers to replay requests until {@link #releaseReplies()}.
     */
    public void holdReplies()
    {
        gate = new CountDownLatch(1);
    }

    /**
     * Let held answers go.
     */
    public void releaseReplies()
    {
        gate.countDown();
    }

    /**
     * Replay requests received.
     *
     * @return the count.
     */
    public int replayRequests()
    {
        return replayRequests.get();
    }

    /**
     * The start seqs of the replay requests received, in order.
     *
     * @return a copy.
     */
    public synchronized List<Long> replayStarts()
    {
        return new ArrayList<>(replayStarts);
    }

    /**
     * Whether replays were asked for, all from one seq: once, or more when an answer was slow and the request resent.
     *
     * @param startSeq the seq.
     * @return true when at least one request came and every one asked from that seq.
     */
    public synchronized boolean replayedOnlyFrom(final long startSeq)
    {
        return !replayStarts.isEmpty() && replayStarts.stream().allMatch((s) -> s == startSeq);
    }

    /**
     * Stop the replay thread and close the sockets.
     */
    @Override
    public void close()
    {
        running = false;
        final CountDownLatch held = gate;
        if (null != held)
        {
            held.countDown();
        }
        try
        {
            replayThread.join(TIMEOUT_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        context.close();
    }

    private synchronized long record(final byte[] payload)
    {
        final long seq = nextSeq++;
        buffer.addLast(new Entry(seq, payload));
        if (buffer.size() > bufferSteps)
        {
            buffer.removeFirst();
        }
        return seq;
    }

    private void serve(final ZMQ.Socket router)
    {
        while (running)
        {
            final byte[] identity = router.recv();
            if (null == identity)
            {
                continue;
            }
            final List<byte[]> frames = new ArrayList<>();
            while (router.hasReceiveMore())
            {
                frames.add(router.recv());
            }
            if (2 != frames.size() || Long.BYTES != frames.get(1).length)
            {
                continue;
            }
            final long start = ByteBuffer.wrap(frames.get(1)).getLong();
            synchronized (this)
            {
                replayStarts.add(start);
            }
            replayRequests.incrementAndGet();
            if (silent)
            {
                continue;
            }
            awaitGate();
            final List<Entry> entries;
            synchronized (this)
            {
                entries = new ArrayList<>(buffer);
            }
            for (final Entry entry : entries)
            {
                if (entry.seq >= start)
                {
                    reply(router, identity, ByteBuffer.allocate(Long.BYTES).putLong(entry.seq).array(), entry.payload);
                }
            }
            reply(router, identity, END_SEQ, new byte[0]);
        }
    }

    private void awaitGate()
    {
        final CountDownLatch held = gate;
        if (null != held)
        {
            try
            {
                held.await(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            gate = null;
        }
    }

    private void reply(final ZMQ.Socket router, final byte[] identity, final byte[] seq, final byte[] payload)
    {
        router.sendMore(identity);
        router.sendMore(new byte[0]);
        if (topicReplies)
        {
            router.sendMore(new byte[0]);
        }
        router.sendMore(seq);
        router.send(payload);
    }
}
