package io.kvindex.server.feed;

import io.kvindex.server.pipeline.IngestPipeline;
import io.kvindex.server.registry.FeedStatus;
import io.kvindex.server.registry.ListenerStatus;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import zmq.Msg;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One engine's KV-event stream over a ZMQ SUB socket ({@code spec/engine-events.md}): messages of three frames
 * (topic, 8-byte big-endian seq, msgpack payload) for the owner {@code (workerId, dpRank)}, applied on the spot
 * (direct mode) or decoded into slots of an {@link IngestPipeline} (pipeline mode).
 * <p>
 * Sequence handling, as §Sequence handling says: {@code seq == last + 1} is applied; a gap is filled by a replay from
 * {@code last + 1} over a {@link ReplayClient}; a first batch above 0 is a late join, replayed from 0; a seq back to 0,
 * or at or below the last one after a quiet period, is an engine restart (the feed's owners are cleared, then the
 * batch applied); any other seq at or below the last is stale and dropped. While a replay runs, or while the ring is
 * full, live batches are held in a bounded {@link HeldBatches} and applied afterwards, skipping those the replay
 * covered; a batch that does not fit is dropped and the hole repaired by another replay. A replay that cannot be had
 * (no endpoint, timeout) or that no longer reaches back far enough clears the owners, which are then re-learned from
 * the next batch on. Each case is counted in {@link #counters()} and the last error shows in {@link #status()}.
 * <p>
 * {@link #doWork()} never blocks: the replay socket is polled in the duty cycle, with a timeout.
 */
public final class ZmqEngineFeed implements ReplayClient.Handler, AutoCloseable
{
    /** Most messages drained per {@link #doWork()} from each socket. */
    public static final int DEFAULT_DRAIN_LIMIT = 64;

    /** Largest payload accepted, in bytes; larger messages are dropped and counted. */
    public static final int DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;

    private static final int FRAMES_CAUSE = DecodeStatus.COUNT;
    private static final int OVERSIZED_CAUSE = DecodeStatus.COUNT + 1;
    private static final int HOLD_CAUSE = DecodeStatus.COUNT + 2;
    private static final long LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int DONE = 0;
    private static final int BLOCKED = 1;
    private static final int REPLAYING = 2;
    private static final int REPLAY_SENDS = 4;

    private ZMQ.Socket socket;
    private final ZmqEngineFeedContext ctx;
    private final FeedSink sink;
    private final ReplayClient replay;
    private final HeldBatches held;
    private final FeedCounters counters = new FeedCounters();
    private final FeedStatus status;
    private final NanoClock nanoClock;
    private final EpochClock epochClock;
    private final RateLimitedLog log;
    private final byte[] seqBytes = new byte[Long.BYTES];
    private byte[] payload = new byte[64 * 1024];
    private byte[] replyPayload = new byte[64 * 1024];

    private boolean started;
    private long lastSeq = -1;
    private boolean acceptNext;
    private boolean liveSeen;
    private long lastLiveNs;
    private boolean quietBefore;
    private long lostSeq = -1;
    private boolean replaying;
    private boolean replayFirst;
    private long replayStart;
    private long replayProgressNs;
    private long replaySentNs;
    private int replaySends;
    private boolean replayAnswered;
    private boolean pendingReply;
    private long pendingReplySeq;
    private int pendingReplyLength;
    private final long openedNs;
    private boolean replayDue;
    private long resubscribedNs;
    private int silentResubscribes;

    /**
     * A feed in direct mode with no replay endpoint (tests and single-threaded tools).
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
        this(new ZmqEngineFeedContext().zmqContext(context).endpoint(endpoint, bind).topic(topic)
            .owner(workerId, dpRank).decoder(decoder).applier(applier));
    }

    /**
     * A feed in pipeline mode with no replay endpoint.
     *
     * @param context  the ZMQ context, owned by the caller.
     * @param endpoint e.g. {@code tcp://10.0.0.5:5557}.
     * @param bind     true to bind the endpoint instead of connecting to it.
     * @param topic    topic prefix to subscribe to, often empty.
     * @param workerId the engine's worker id.
     * @param dpRank   the rank registered for this stream; a rank in a batch overrides it.
     * @param decoder  this feed's decoder.
     * @param pipeline the pipeline to publish into.
     * @param indexKey key of the index in the pipeline, whose block size the feed's engine uses.
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
        this(new ZmqEngineFeedContext().zmqContext(context).endpoint(endpoint, bind).topic(topic)
            .owner(workerId, dpRank).decoder(decoder).pipeline(pipeline, indexKey));
    }

    /**
     * Open the SUB socket of a feed: connect to an engine that binds (the usual case) or bind for engines that
     * connect. The replay socket is opened per replay.
     *
     * @param ctx the settings; concluded here.
     */
    public ZmqEngineFeed(final ZmqEngineFeedContext ctx)
    {
        this.ctx = ctx.conclude();
        this.status = ctx.status();
        this.nanoClock = ctx.nanoClock();
        this.epochClock = ctx.epochClock();
        this.log = new RateLimitedLog("engine feed " + ctx.endpoint(), DecodeStatus.COUNT + 3, LOG_INTERVAL_NS,
            nanoClock::nanoTime);
        this.sink = new FeedSink(ctx.decoder(), ctx.applier(), ctx.pipeline(), ctx.indexKey(), ctx.workerId(),
            ctx.dpRank(), log);
        this.held = new HeldBatches(ctx.holdLimit(), ctx.holdBytes());
        this.replay = null == ctx.replayEndpoint() ? null : new ReplayClient(ctx.zmqContext(), ctx.replayEndpoint(),
            ZmqEngineFeedContext.REPLAY_RCV_HWM, ctx.maxPayload() + 1024L);
        if (ctx.startSeq() >= 0)
        {
            started = true;
            lastSeq = ctx.startSeq();
        }
        this.replayDue = ctx.replayOnStart() && null != replay;
        this.openedNs = nanoClock.nanoTime();
        this.socket = open(ctx);
    }

    private static ZMQ.Socket open(final ZmqEngineFeedContext ctx)
    {
        final ZMQ.Socket socket = ctx.zmqContext().createSocket(SocketType.SUB);
        try
        {
            socket.setLinger(0);
            socket.setMaxMsgSize(ctx.maxPayload() + 1024L);
            socket.subscribe(ctx.topic().getBytes(StandardCharsets.UTF_8));
            if (ctx.bind())
            {
                socket.bind(ctx.endpoint());
            }
            else
            {
                socket.connect(ctx.endpoint());
            }
            return socket;
        }
        catch (final RuntimeException ex)
        {
            socket.close();
            throw ex;
        }
    }

    /**
     * One duty cycle: answers of a running replay, then held batches, then live messages, each up to the drain
     * limit; never blocks.
     *
     * @return number of messages and held batches handled.
     */
    public int doWork()
    {
        final long nowNs = nanoClock.nanoTime();
        int work = 0;
        if (replayDue)
        {
            replayDue = false;
            startReplay(started ? lastSeq + 1 : 0, nowNs);
        }
        if (replaying)
        {
            work += pollReplay(nowNs);
        }
        if (!replaying)
        {
            work += drainHeld(nowNs);
        }
        work += pollLive(nowNs);
        if (0 == work)
        {
            final long silentNs = nowNs - (liveSeen ? lastLiveNs : openedNs);
            status.idle(silentNs > ctx.idleNs());
            final long intervalNs = liveSeen ? ctx.idleNs() :
                Math.min(ctx.idleNs(), ctx.resubscribeNs() << Math.min(silentResubscribes, 20));
            if (silentNs > intervalNs && nowNs - Math.max(resubscribedNs, openedNs) > intervalNs)
            {
                resubscribe(nowNs);
            }
        }
        return work;
    }

    /**
     * Open the SUB socket anew while nothing arrives: first after the resubscribe time, doubling up to the idle time
     * until a batch arrives, then once per idle period. A connect that JeroMQ left pending (seen on a loaded
     * machine: the TCP connection up, the greeting never read) or an engine that came back on another address behind
     * the same name is picked up without a new registration.
     */
    private void resubscribe(final long nowNs)
    {
        resubscribedNs = nowNs;
        silentResubscribes += liveSeen ? 0 : 1;
        try
        {
            final ZMQ.Socket fresh = open(ctx);
            socket.close();
            socket = fresh;
            counters.increment(FeedCounters.RESUBSCRIBES);
        }
        catch (final RuntimeException ex)
        {
            status.lastError("cannot reopen " + ctx.endpoint() + " (" + ex.getMessage() + ")");
        }
    }

    private int pollLive(final long nowNs)
    {
        int work = 0;
        while (work < ctx.drainLimit())
        {
            final Msg topic = socket.recvMsg(ZMQ.DONTWAIT);
            if (null == topic)
            {
                break;
            }
            work++;
            onMessage(topic, nowNs);
        }
        return work;
    }

    private void onMessage(final Msg topic, final long nowNs)
    {
        counters.increment(FeedCounters.MESSAGES);
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
            counters.increment(FeedCounters.MALFORMED_FRAMES);
            log.onError(FRAMES_CAUSE, "message without exactly 3 frames and an 8-byte seq");
            return;
        }
        final int length = payloadFrame.size();
        if (length > ctx.maxPayload())
        {
            counters.increment(FeedCounters.OVERSIZED);
            log.onError(OVERSIZED_CAUSE, "payload over the size limit");
            return;
        }
        seqFrame.getBytes(0, seqBytes, 0, Long.BYTES);
        long seq = 0;
        for (int i = 0; i < Long.BYTES; i++)
        {
            seq = (seq << 8) | (seqBytes[i] & 0xFF);
        }
        if (length > payload.length)
        {
            payload = new byte[Math.max(length, payload.length * 2)];
        }
        payloadFrame.getBytes(0, payload, 0, length);
        onLive(seq, length, nowNs);
    }

    private void onLive(final long seq, final int length, final long nowNs)
    {
        quietBefore = !liveSeen || nowNs - lastLiveNs >= ctx.restartQuietNs();
        liveSeen = true;
        lastLiveNs = nowNs;
        status.idle(false);
        if (replaying || !held.isEmpty())
        {
            hold(seq, length);
            return;
        }
        if (!sink.hasRoom())
        {
            counters.increment(FeedCounters.RING_FULL);
            hold(seq, length);
            return;
        }
        final int outcome = process(seq, payload, length, nowNs);
        if (DONE != outcome)
        {
            if (BLOCKED == outcome)
            {
                counters.increment(FeedCounters.RING_FULL);
            }
            hold(seq, length);
        }
    }

    private void hold(final long seq, final int length)
    {
        if (!held.add(seq, payload, length))
        {
            counters.increment(FeedCounters.HOLD_OVERFLOWS);
            log.onError(HOLD_CAUSE, "hold buffer full: batch dropped, to be repaired by replay");
            lostSeq = Math.max(lostSeq, seq);
        }
    }

    /**
     * Decide what one batch (live or held) means for the sequence and act on it.
     *
     * @return {@link #DONE} (applied or dropped), {@link #BLOCKED} (ring full, retry it) or {@link #REPLAYING}
     * (a replay started; hold the batch until it ends).
     */
    private int process(final long seq, final byte[] buffer, final int length, final long nowNs)
    {
        if (acceptNext)
        {
            return deliver(seq, buffer, length, nowNs);
        }
        if (!started)
        {
            if (0 != seq)
            {
                counters.increment(FeedCounters.LATE_JOINS);
                if (null != replay)
                {
                    startReplay(0, nowNs);
                    return REPLAYING;
                }
                acceptNext = true;
            }
            return deliver(seq, buffer, length, nowNs);
        }
        if (seq == lastSeq + 1)
        {
            return deliver(seq, buffer, length, nowNs);
        }
        if (seq > lastSeq + 1)
        {
            counters.increment(FeedCounters.SEQ_GAPS);
            counters.add(FeedCounters.MISSED_BATCHES, seq - lastSeq - 1);
            if (null != replay)
            {
                startReplay(lastSeq + 1, nowNs);
                return REPLAYING;
            }
            counters.increment(FeedCounters.REPLAY_UNAVAILABLE);
            rebuild("gap after seq " + lastSeq + " to " + seq + " and no replay endpoint: worker cleared, re-learning");
            return deliver(seq, buffer, length, nowNs);
        }
        if (0 == seq || quietBefore)
        {
            counters.increment(FeedCounters.ENGINE_RESTARTS);
            clearOwners();
            started = false;
            lastSeq = -1;
            return process(seq, buffer, length, nowNs);
        }
        counters.increment(FeedCounters.STALE_DROPPED);
        return DONE;
    }

    private int deliver(final long seq, final byte[] buffer, final int length, final long nowNs)
    {
        if (!sink.deliver(buffer, length))
        {
            return BLOCKED;
        }
        acceptNext = false;
        started = true;
        lastSeq = seq;
        counters.increment(FeedCounters.BATCHES);
        status.onBatch(seq, epochClock.time());
        if (!replaying)
        {
            status.status(ListenerStatus.ACTIVE);
        }
        return DONE;
    }

    private void rebuild(final String reason)
    {
        status.lastError(reason);
        clearOwners();
        acceptNext = true;
    }

    private void clearOwners()
    {
        counters.increment(FeedCounters.WORKER_CLEARS);
        sink.clearOwners();
    }

    private int drainHeld(final long nowNs)
    {
        int work = 0;
        while (!held.isEmpty() && work < ctx.drainLimit() && !replaying && sink.hasRoom())
        {
            final long seq = held.headSeq();
            final int length = held.headLength();
            if (length > replyPayload.length)
            {
                replyPayload = new byte[Math.max(length, replyPayload.length * 2)];
            }
            held.copyHead(replyPayload);
            if (started && !acceptNext && 0 != seq && seq <= lastSeq)
            {
                counters.increment(FeedCounters.DUPLICATES_SKIPPED);
            }
            else if (DONE != process(seq, replyPayload, length, nowNs))
            {
                break;
            }
            held.removeHead();
            work++;
        }
        if (held.isEmpty() && !replaying && lostSeq >= 0)
        {
            repairLost(nowNs);
        }
        return work;
    }

    private void repairLost(final long nowNs)
    {
        if (started && lostSeq <= lastSeq)
        {
            lostSeq = -1;
        }
        else if (null != replay)
        {
            counters.increment(FeedCounters.SEQ_GAPS);
            startReplay(started ? lastSeq + 1 : 0, nowNs);
        }
        else
        {
            lostSeq = -1;
            counters.increment(FeedCounters.REPLAY_UNAVAILABLE);
            rebuild("batches dropped (hold buffer full) and no replay endpoint: worker cleared, re-learning");
        }
    }

    private void startReplay(final long fromSeq, final long nowNs)
    {
        counters.increment(FeedCounters.REPLAYS);
        replaying = true;
        replayFirst = true;
        replayStart = fromSeq;
        replayProgressNs = nowNs;
        replaySends = 0;
        replayAnswered = false;
        pendingReply = false;
        status.status(ListenerStatus.PAUSED);
        sendReplayRequest(nowNs);
    }

    /**
     * Ask again on a fresh socket while no answer came: a connect that JeroMQ leaves pending (seen on a loaded
     * machine) then costs a fraction of the timeout, not the worker's state.
     */
    private void sendReplayRequest(final long nowNs)
    {
        replaySends++;
        replaySentNs = nowNs;
        try
        {
            replay.request(replayStart);
        }
        catch (final RuntimeException ex)
        {
            replayFailed("replay request to " + replay.endpoint() + " failed (" + ex.getMessage() + ")");
        }
    }

    private int pollReplay(final long nowNs)
    {
        int work = 0;
        while (replaying && work < ctx.drainLimit())
        {
            if (pendingReply)
            {
                if (DONE != deliver(pendingReplySeq, replyPayload, pendingReplyLength, nowNs))
                {
                    replayProgressNs = nowNs;
                    break;
                }
                pendingReply = false;
            }
            if (!sink.hasRoom())
            {
                replayProgressNs = nowNs;
                break;
            }
            if (0 == replay.pollOne(this))
            {
                break;
            }
            replayAnswered = true;
            replayProgressNs = nowNs;
            work++;
        }
        if (replaying && nowNs - replayProgressNs > ctx.replayTimeoutNs())
        {
            onReplayTimeout();
        }
        else if (replaying && !replayAnswered && replaySends < REPLAY_SENDS &&
            nowNs - replaySentNs > ctx.replayTimeoutNs() / REPLAY_SENDS)
        {
            sendReplayRequest(nowNs);
        }
        return work;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onReplayed(final long seq, final Msg frame)
    {
        counters.increment(FeedCounters.REPLAYED_BATCHES);
        if (replayFirst)
        {
            replayFirst = false;
            if (seq > replayStart)
            {
                replayTooOld("replay from seq " + replayStart + " began at seq " + seq);
            }
        }
        if (!acceptNext && started && seq <= lastSeq)
        {
            counters.increment(FeedCounters.DUPLICATES_SKIPPED);
            return;
        }
        if (!acceptNext && started && seq > lastSeq + 1)
        {
            replayTooOld("replay skipped from seq " + lastSeq + " to " + seq);
        }
        final int length = frame.size();
        if (length > ctx.maxPayload())
        {
            counters.increment(FeedCounters.OVERSIZED);
            return;
        }
        if (length > replyPayload.length)
        {
            replyPayload = new byte[Math.max(length, replyPayload.length * 2)];
        }
        frame.getBytes(0, replyPayload, 0, length);
        if (DONE != deliver(seq, replyPayload, length, nanoClock.nanoTime()))
        {
            pendingReply = true;
            pendingReplySeq = seq;
            pendingReplyLength = length;
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onReplayEnd()
    {
        replaying = false;
        replay.cancel();
        final long reached = started ? lastSeq : replayStart - 1;
        final long needed = held.isEmpty() ? lostSeq : held.headSeq() - 1;
        if (!acceptNext && reached < needed)
        {
            replayTooOld("replay from seq " + replayStart + " ended at seq " + reached + ", before seq " + needed);
        }
        if (lostSeq <= reached || acceptNext)
        {
            lostSeq = -1;
        }
        status.status(started ? ListenerStatus.ACTIVE : ListenerStatus.PENDING);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onMalformed()
    {
        counters.increment(FeedCounters.MALFORMED_FRAMES);
        log.onError(FRAMES_CAUSE, "replay answer of the wrong shape");
    }

    private void replayTooOld(final String reason)
    {
        counters.increment(FeedCounters.REPLAY_TOO_OLD);
        rebuild(reason + ": older batches are gone, worker cleared, re-learning");
    }

    private void onReplayTimeout()
    {
        replayFailed("replay from seq " + replayStart + " at " + replay.endpoint() + " timed out after " +
            TimeUnit.NANOSECONDS.toMillis(ctx.replayTimeoutNs()) + " ms");
    }

    private void replayFailed(final String reason)
    {
        counters.increment(FeedCounters.REPLAY_FAILURES);
        replaying = false;
        pendingReply = false;
        replay.cancel();
        lostSeq = -1;
        rebuild(reason + ": worker cleared, re-learning");
        status.status(started ? ListenerStatus.ACTIVE : ListenerStatus.PENDING);
    }

    /**
     * The seq of the last batch handed to the index, -1 before the first.
     *
     * @return the last seq.
     */
    public long lastSeq()
    {
        return lastSeq;
    }

    /**
     * Whether a replay is running.
     *
     * @return true while replaying.
     */
    public boolean replaying()
    {
        return replaying;
    }

    /**
     * Number of live batches held, waiting for a replay or for room in the ring.
     *
     * @return the count.
     */
    public int heldBatches()
    {
        return held.size();
    }

    /**
     * The dp ranks this feed has written (the registered one and every rank a batch named): the owners to remove
     * when the stream is unregistered.
     *
     * @return the ranks; the list is the feed's own, read it on the feed's thread.
     */
    public IntArrayList ranksSeen()
    {
        return sink.ranksSeen();
    }

    /**
     * The feed's counters, readable from any thread.
     *
     * @return the counters.
     */
    public FeedCounters counters()
    {
        return counters;
    }

    /**
     * The feed's state as the registry shows it.
     *
     * @return the status holder.
     */
    public FeedStatus status()
    {
        return status;
    }

    /**
     * Messages received, well-formed or not.
     *
     * @return the count.
     */
    public long messages()
    {
        return counters.get(FeedCounters.MESSAGES);
    }

    /**
     * Messages dropped for a frame count other than 3 or a seq frame other than 8 bytes.
     *
     * @return the count.
     */
    public long malformedFrames()
    {
        return counters.get(FeedCounters.MALFORMED_FRAMES);
    }

    /**
     * Messages dropped for a payload over the limit.
     *
     * @return the count.
     */
    public long oversized()
    {
        return counters.get(FeedCounters.OVERSIZED);
    }

    /**
     * Times the seq jumped forward by more than one.
     *
     * @return the count.
     */
    public long seqGaps()
    {
        return counters.get(FeedCounters.SEQ_GAPS);
    }

    /**
     * Batches skipped over by seq gaps.
     *
     * @return the count.
     */
    public long missedBatches()
    {
        return counters.get(FeedCounters.MISSED_BATCHES);
    }

    /**
     * Engine restarts seen (the seq went back).
     *
     * @return the count.
     */
    public long seqRestarts()
    {
        return counters.get(FeedCounters.ENGINE_RESTARTS);
    }

    /**
     * Times the first batch of a run had a seq above 0 (the feed joined late).
     *
     * @return the count.
     */
    public long lateJoins()
    {
        return counters.get(FeedCounters.LATE_JOINS);
    }

    /**
     * Live batches that found the ring full (pipeline mode) and were held; see also the hold overflows.
     *
     * @return the count.
     */
    public long overflows()
    {
        return counters.get(FeedCounters.RING_FULL);
    }

    /**
     * The feed's decoder, for its counters.
     *
     * @return the decoder.
     */
    public KvEventBatchDecoder decoder()
    {
        return ctx.decoder();
    }

    /**
     * The feed's applier, for its counters; null in pipeline mode, where the pipeline's writer applies.
     *
     * @return the applier.
     */
    public EngineEventApplier applier()
    {
        return ctx.applier();
    }

    /**
     * Close the sockets; the context stays the caller's.
     */
    @Override
    public void close()
    {
        if (null != replay)
        {
            replay.close();
        }
        socket.close();
    }
}
