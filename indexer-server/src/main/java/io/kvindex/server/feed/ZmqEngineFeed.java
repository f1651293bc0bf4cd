package io.kvindex.server.feed;

import io.kvindex.server.pipeline.IngestPipeline;
import io.kvindex.server.pipeline.IngestSlot;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import zmq.Msg;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One engine's KV-event stream over a ZMQ SUB socket ({@code spec/engine-events.md}): messages of three frames
 * (topic, 8-byte big-endian seq, msgpack payload), decoded for the owner {@code (workerId, dpRank)}. Either applied
 * on the spot (direct mode: drained from the index's writer thread) or decoded straight into a claimed slot of an
 * {@link IngestPipeline} (pipeline mode: drained from any one thread); a full ring drops the batch and counts an
 * overflow, a gap to repair by replay. {@link #doWork()} never blocks and takes at most a limit of messages per call.
 * Tracks the seq (gaps, restarts, late join are counted; the replay protocol comes later).
 */
public final class ZmqEngineFeed implements AutoCloseable
{
    /** Most messages drained per {@link #doWork()}. */
    public static final int DEFAULT_DRAIN_LIMIT = 64;

    /** Largest payload accepted, in bytes; larger messages are dropped and counted. */
    public static final int DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;

    private static final int FRAMES_CAUSE = DecodeStatus.COUNT;
    private static final int OVERSIZED_CAUSE = DecodeStatus.COUNT + 1;
    private static final long LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);

    private final ZMQ.Socket socket;
    private final long workerId;
    private final int dpRank;
    private final int maxPayload;
    private final KvEventBatchDecoder decoder;
    private final EngineEventApplier applier;
    private final IngestPipeline pipeline;
    private final int indexKey;
    private final int blockSize;
    private final DecodedBatch batch = new DecodedBatch();
    private final RateLimitedLog log;
    private final byte[] seqBytes = new byte[Long.BYTES];
    private byte[] payload = new byte[64 * 1024];
    private boolean seenSeq;
    private long lastSeq = -1;
    private long messages;
    private long malformedFrames;
    private long oversized;
    private long seqGaps;
    private long missedBatches;
    private long seqRestarts;
    private long lateJoins;
    private long overflows;

    /**
     * Open the SUB socket: connect to an engine that binds (the usual case) or bind for engines that connect.
     *
     * @param context  the ZMQ context, owned by the caller.
     * @param endpoint e.g. {@code tcp://10.0.0.5:5557}.
     * @param bind     true to bind the endpoint instead of connecting to it.
     * @param topic    topic prefix to subscribe to, often empty.
     * @param workerId the engine's worker id.
     * @param dpRank   the rank registered for this stream; a rank in a batch overrides it.
     * @param decoder  this feed's decoder.
     * @param applier  this feed's applier.
     */
    public ZmqEngineFeed(
        final ZContext context,
        final String endpoint,
        final boolean bind,
        final String topic,
        final long workerId,
        final int dpRank,
        final KvEventBatchDecoder decoder,
        final EngineEventApplier applier)
    {
        this(open(context, endpoint, bind, topic), endpoint, workerId, dpRank, decoder, applier, null, -1);
    }

    /**
     * Open the SUB socket of a feed that decodes into slots of a pipeline, whose writer applies them.
     *
     * @param context   the ZMQ context, owned by the caller.
     * @param endpoint  e.g. {@code tcp://10.0.0.5:5557}.
     * @param bind      true to bind the endpoint instead of connecting to it.
     * @param topic     topic prefix to subscribe to, often empty.
     * @param workerId  the engine's worker id.
     * @param dpRank    the rank registered for this stream; a rank in a batch overrides it.
     * @param decoder   this feed's decoder.
     * @param pipeline  the pipeline to publish into.
     * @param indexKey  key of the index in the pipeline, whose block size the feed's engine uses.
     */
    public ZmqEngineFeed(
        final ZContext context,
        final String endpoint,
        final boolean bind,
        final String topic,
        final long workerId,
        final int dpRank,
        final KvEventBatchDecoder decoder,
        final IngestPipeline pipeline,
        final int indexKey)
    {
        this(open(context, endpoint, bind, topic), endpoint, workerId, dpRank, decoder, null, pipeline, indexKey);
    }

    private ZmqEngineFeed(
        final ZMQ.Socket socket,
        final String endpoint,
        final long workerId,
        final int dpRank,
        final KvEventBatchDecoder decoder,
        final EngineEventApplier applier,
        final IngestPipeline pipeline,
        final int indexKey)
    {
        this.socket = socket;
        this.workerId = workerId;
        this.dpRank = dpRank;
        this.maxPayload = DEFAULT_MAX_PAYLOAD;
        this.decoder = decoder;
        this.applier = applier;
        this.pipeline = pipeline;
        this.indexKey = indexKey;
        this.blockSize = null == pipeline ? 0 : pipeline.blockSize(indexKey);
        this.log = new RateLimitedLog("engine feed " + endpoint, DecodeStatus.COUNT + 2, LOG_INTERVAL_NS,
            System::nanoTime);
    }

    private static ZMQ.Socket open(
        final ZContext context, final String endpoint, final boolean bind, final String topic)
    {
        final ZMQ.Socket socket = context.createSocket(SocketType.SUB);
        socket.setLinger(0);
        socket.setMaxMsgSize(DEFAULT_MAX_PAYLOAD + 1024L);
        socket.subscribe(topic.getBytes(StandardCharsets.UTF_8));
        if (bind)
        {
            socket.bind(endpoint);
        }
        else
        {
            socket.connect(endpoint);
        }
        return socket;
    }

    /**
     * Drain up to {@link #DEFAULT_DRAIN_LIMIT} messages without blocking.
     *
     * @return number of messages taken from the socket.
     */
    public int doWork()
    {
        int work = 0;
        while (work < DEFAULT_DRAIN_LIMIT)
        {
            final Msg topic = socket.recvMsg(ZMQ.DONTWAIT);
            if (null == topic)
            {
                break;
            }
            work++;
            onMessage(topic);
        }
        return work;
    }

    private void onMessage(final Msg topic)
    {
        messages++;
        Msg seqFrame = null;
        Msg payloadFrame = null;
        int frames = 1;
        boolean more = topic.hasMore();
        while (more)
        {
            final Msg frame = socket.recvMsg(ZMQ.DONTWAIT);
            if (null == frame)
            {
                break;
            }
            frames++;
            seqFrame = 2 == frames ? frame : seqFrame;
            payloadFrame = 3 == frames ? frame : payloadFrame;
            more = frame.hasMore();
        }
        if (3 != frames || Long.BYTES != seqFrame.size())
        {
            malformedFrames++;
            log.onError(FRAMES_CAUSE, "message without exactly 3 frames and an 8-byte seq");
            return;
        }
        final int length = payloadFrame.size();
        if (length > maxPayload)
        {
            oversized++;
            log.onError(OVERSIZED_CAUSE, "payload over the size limit");
            return;
        }
        seqFrame.getBytes(0, seqBytes, 0, Long.BYTES);
        long seq = 0;
        for (int i = 0; i < Long.BYTES; i++)
        {
            seq = (seq << 8) | (seqBytes[i] & 0xFF);
        }
        onBatch(seq, payloadFrame, length);
    }

    private void onBatch(final long seq, final Msg payloadFrame, final int length)
    {
        trackSeq(seq);
        if (length > payload.length)
        {
            payload = new byte[Math.max(length, payload.length * 2)];
        }
        payloadFrame.getBytes(0, payload, 0, length);
        if (null == pipeline)
        {
            if (decode(length, batch))
            {
                applier.apply(batch, workerId, dpRank);
            }
        }
        else
        {
            publish(length);
        }
    }

    private void publish(final int length)
    {
        final long sequence = pipeline.tryClaim();
        if (sequence < 0)
        {
            overflows++;
            return;
        }
        final IngestSlot slot = pipeline.slot(sequence).skip();
        try
        {
            if (decode(length, slot.batch()))
            {
                slot.engineBatch(indexKey, workerId, dpRank, blockSize);
            }
        }
        finally
        {
            pipeline.publish(sequence);
        }
    }

    private boolean decode(final int length, final DecodedBatch into)
    {
        final int status = decoder.decode(payload, 0, length, into);
        if (DecodeStatus.OK != status)
        {
            log.onError(status, DecodeStatus.name(status));
            return false;
        }
        for (int e = 0, n = into.eventCount(); e < n; e++)
        {
            final int eventStatus = into.status(e);
            if (DecodeStatus.OK != eventStatus)
            {
                log.onError(eventStatus, DecodeStatus.name(eventStatus));
            }
        }
        return true;
    }

    private void trackSeq(final long seq)
    {
        if (!seenSeq)
        {
            seenSeq = true;
            lateJoins += 0 != seq ? 1 : 0;
        }
        else if (seq == lastSeq + 1)
        {
            lastSeq = seq;
            return;
        }
        else if (Long.compareUnsigned(seq, lastSeq) > 0)
        {
            seqGaps++;
            missedBatches += seq - lastSeq - 1;
        }
        else
        {
            seqRestarts++;
        }
        lastSeq = seq;
    }

    /**
     * The seq of the last batch received, -1 before the first.
     *
     * @return the last seq.
     */
    public long lastSeq()
    {
        return lastSeq;
    }

    /**
     * Messages received, well-formed or not.
     *
     * @return the count.
     */
    public long messages()
    {
        return messages;
    }

    /**
     * Messages dropped for a frame count other than 3 or a seq frame other than 8 bytes.
     *
     * @return the count.
     */
    public long malformedFrames()
    {
        return malformedFrames;
    }

    /**
     * Messages dropped for a payload over the limit.
     *
     * @return the count.
     */
    public long oversized()
    {
        return oversized;
    }

    /**
     * Times the seq jumped forward by more than one.
     *
     * @return the count.
     */
    public long seqGaps()
    {
        return seqGaps;
    }

    /**
     * Batches skipped over by seq gaps.
     *
     * @return the count.
     */
    public long missedBatches()
    {
        return missedBatches;
    }

    /**
     * Times the seq went back (an engine restart).
     *
     * @return the count.
     */
    public long seqRestarts()
    {
        return seqRestarts;
    }

    /**
     * 1 when the first batch seen had a seq above 0 (the feed joined late), else 0.
     *
     * @return the count.
     */
    public long lateJoins()
    {
        return lateJoins;
    }

    /**
     * Batches dropped because the pipeline's ring was full (pipeline mode); each is a gap to repair by replay.
     *
     * @return the count.
     */
    public long overflows()
    {
        return overflows;
    }

    /**
     * The feed's decoder, for its counters.
     *
     * @return the decoder.
     */
    public KvEventBatchDecoder decoder()
    {
        return decoder;
    }

    /**
     * The feed's applier, for its counters; null in pipeline mode, where the pipeline's writer applies.
     *
     * @return the applier.
     */
    public EngineEventApplier applier()
    {
        return applier;
    }

    /**
     * Close the socket; the context stays the caller's.
     */
    @Override
    public void close()
    {
        socket.close();
    }
}
