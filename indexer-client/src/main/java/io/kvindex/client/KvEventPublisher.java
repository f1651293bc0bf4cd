package io.kvindex.client;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import org.agrona.CloseHelper;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Publishes KV-cache events of a custom engine (or of a relay of engine feeds) to indexers over Aeron, as Dynamo's
 * custom-engine {@code KvEventPublisher} does over its event plane: Stored (with local hashes, or with token ids the
 * indexer hashes), Removed, Cleared and RemoveWorker, for the index of one {@code (model, tenant)}; the owner
 * {@code (workerId, dpRank)} is named per call, so one publisher can speak for many workers.
 * <p>
 * Each call encodes one SBE message ({@code docs/event-protocol.md}) straight into the publication's log with
 * {@code tryClaim} (or, above the MTU, from an internal buffer with {@code offer}) and allocates nothing: arrays are
 * the caller's and the LoRA name's bytes are kept while it repeats. A call returns the event id it published, or a
 * negative result code. <b>Back pressure</b>: when the publication is back-pressured (an indexer is behind), the call
 * retries with the context's idle strategy until {@link KvEventPublisherContext#offerTimeoutNs()} passes and then
 * returns {@link #BACK_PRESSURED}; an admin action (term rotation) is retried at once; {@link #NOT_CONNECTED} (no
 * indexer subscribed), {@link #CLOSED}, {@link #MAX_POSITION_EXCEEDED} and {@link #TOO_LARGE} return at once. A
 * failed event is not sent and takes no event id: ids in the log are consecutive, starting at
 * {@link KvEventPublisherContext#initialEventId()}.
 * <p>
 * Not thread safe: one thread publishes. Events of one owner must all go through one publisher, whose single
 * publication keeps their order.
 */
public final class KvEventPublisher implements AutoCloseable
{
    /** No indexer is subscribed to the channel and stream: the event was not sent. */
    public static final long NOT_CONNECTED = Publication.NOT_CONNECTED;
    /** The indexers stayed behind for the whole offer timeout: the event was not sent. */
    public static final long BACK_PRESSURED = Publication.BACK_PRESSURED;
    /** The publisher or its publication is closed. */
    public static final long CLOSED = Publication.CLOSED;
    /** The publication reached its maximum position; a new publisher is needed. */
    public static final long MAX_POSITION_EXCEEDED = Publication.MAX_POSITION_EXCEEDED;
    /** The event is longer than the publication's max message length or has more than 65,534 blocks. */
    public static final long TOO_LARGE = -6;

    private static final int RESULT_SLOTS = 7;
    private static final int PUBLISHED_SLOT = 0;
    private static final int RETRIES_SLOT = 0;

    private final KvEventPublisherContext ctx;
    private final ExclusivePublication publication;
    private final KvEventEncoder encoder;
    private final BufferClaim bufferClaim = new BufferClaim();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
    private final IdleStrategy idleStrategy;
    private final NanoClock clock;
    private final long offerTimeoutNs;
    private final Utf8Field loraName = new Utf8Field();
    private final AtomicLongArray results = new AtomicLongArray(RESULT_SLOTS);
    private final AtomicLongArray retries = new AtomicLongArray(1);
    private long nextEventId;

    private KvEventPublisher(final KvEventPublisherContext ctx)
    {
        this.ctx = ctx;
        this.clock = ctx.nanoClock();
        this.idleStrategy = ctx.idleStrategy();
        this.offerTimeoutNs = ctx.offerTimeoutNs();
        this.nextEventId = ctx.initialEventId();
        this.encoder = new KvEventEncoder(
            ctx.model().getBytes(StandardCharsets.UTF_8), ctx.tenant().getBytes(StandardCharsets.UTF_8),
            ctx.blockSize());
        try
        {
            this.publication = ctx.aeron().addExclusivePublication(ctx.channel(), ctx.streamId());
        }
        catch (final RuntimeException ex)
        {
            ctx.close();
            throw ex;
        }
    }

    /**
     * Start a publisher: connect to Aeron (unless the context has a client) and add the event publication.
     *
     * @param ctx the configuration; concluded here.
     * @return the publisher.
     */
    public static KvEventPublisher connect(final KvEventPublisherContext ctx)
    {
        return new KvEventPublisher(ctx.conclude());
    }

    /**
     * Publish blocks stored under a parent (or at the root), with the local hashes the caller computed
     * ({@link BlockHasher}, with the engine's block size and LoRA seed).
     *
     * @param workerId     the owner's worker id.
     * @param dpRank       the owner's dp rank.
     * @param hasParent    whether the chain continues under {@code parentHash}.
     * @param parentHash   the parent block's engine hash, when {@code hasParent}.
     * @param engineHashes the engine's hash of each block, in chain order.
     * @param localHashes  the local hash of each block.
     * @param count        number of blocks.
     * @return the event id, or a negative result code.
     */
    public long publishStored(
        final long workerId,
        final int dpRank,
        final boolean hasParent,
        final long parentHash,
        final long[] engineHashes,
        final long[] localHashes,
        final int count)
    {
        checkCount(count, engineHashes.length);
        checkCount(count, localHashes.length);
        if (count > KvEventProtocol.MAX_BLOCKS_PER_EVENT)
        {
            return fail(TOO_LARGE);
        }
        encoder.stored(workerId, dpRank, hasParent, parentHash, engineHashes, localHashes, count);
        return send();
    }

    /**
     * Publish blocks stored under a parent (or at the root) as token ids; the indexer computes the local hashes
     * with the index's block size and the LoRA name's seed. Blocks without a full block of tokens are not stored.
     *
     * @param workerId     the owner's worker id.
     * @param dpRank       the owner's dp rank.
     * @param hasParent    whether the chain continues under {@code parentHash}.
     * @param parentHash   the parent block's engine hash, when {@code hasParent}.
     * @param engineHashes the engine's hash of each block, in chain order.
     * @param blockCount   number of blocks.
     * @param tokenIds     the blocks' token ids, block size per block.
     * @param tokenCount   number of token ids.
     * @param loraName     the LoRA adapter, null or empty for none.
     * @return the event id, or a negative result code.
     */
    public long publishStoredTokens(
        final long workerId,
        final int dpRank,
        final boolean hasParent,
        final long parentHash,
        final long[] engineHashes,
        final int blockCount,
        final int[] tokenIds,
        final int tokenCount,
        final String loraName)
    {
        checkCount(blockCount, engineHashes.length);
        checkCount(tokenCount, tokenIds.length);
        if (blockCount > KvEventProtocol.MAX_BLOCKS_PER_EVENT)
        {
            return fail(TOO_LARGE);
        }
        encoder.storedTokens(workerId, dpRank, hasParent, parentHash, engineHashes, blockCount, tokenIds, tokenCount,
            this.loraName.bytes(loraName));
        return send();
    }

    /**
     * Publish blocks the owner no longer holds; every block after each of them on its chain goes too.
     *
     * @param workerId     the owner's worker id.
     * @param dpRank       the owner's dp rank.
     * @param engineHashes the engine hashes of the removed blocks.
     * @param count        number of hashes.
     * @return the event id, or a negative result code.
     */
    public long publishRemoved(final long workerId, final int dpRank, final long[] engineHashes, final int count)
    {
        checkCount(count, engineHashes.length);
        if (count > KvEventProtocol.MAX_BLOCKS_PER_EVENT)
        {
            return fail(TOO_LARGE);
        }
        encoder.removed(workerId, dpRank, engineHashes, count);
        return send();
    }

    /**
     * Publish that the worker dropped every block of every dp rank (its prefix cache was reset); it stays known.
     *
     * @param workerId the worker id.
     * @param dpRank   the sender's dp rank, for information.
     * @return the event id, or a negative result code.
     */
    public long publishCleared(final long workerId, final int dpRank)
    {
        encoder.cleared(workerId, dpRank);
        return send();
    }

    /**
     * Publish that the worker, or one dp rank of it, is gone: its blocks are dropped and it is forgotten.
     *
     * @param workerId the worker id.
     * @param dpRank   the dp rank, or {@link KvEventProtocol#ALL_RANKS} for the whole worker.
     * @return the event id, or a negative result code.
     */
    public long publishRemoveWorker(final long workerId, final int dpRank)
    {
        encoder.removeWorker(workerId, dpRank);
        return send();
    }

    /**
     * Whether at least one indexer is subscribed to the channel and stream.
     *
     * @return true when connected.
     */
    public boolean isConnected()
    {
        return publication.isConnected();
    }

    /**
     * Wait until an indexer is subscribed or the time runs out.
     *
     * @param timeoutNs how long to wait.
     * @return true when connected.
     */
    public boolean awaitConnected(final long timeoutNs)
    {
        final long deadlineNs = clock.nanoTime() + timeoutNs;
        idleStrategy.reset();
        while (!publication.isConnected() && clock.nanoTime() - deadlineNs < 0)
        {
            idleStrategy.idle();
        }
        return publication.isConnected();
    }

    /**
     * The id the next published event takes.
     *
     * @return the next event id.
     */
    public long nextEventId()
    {
        return nextEventId;
    }

    /**
     * Events published; readable from any thread.
     *
     * @return the count.
     */
    public long publishedCount()
    {
        return results.get(PUBLISHED_SLOT);
    }

    /**
     * Publish calls that returned a result code; readable from any thread.
     *
     * @param result one of the negative result codes.
     * @return the count.
     */
    public long failureCount(final long result)
    {
        return result < 0 && -result < RESULT_SLOTS ? results.get((int)-result) : 0;
    }

    /**
     * Times a publish call idled because the publication was back-pressured; readable from any thread.
     *
     * @return the count.
     */
    public long backPressureRetries()
    {
        return retries.get(RETRIES_SLOT);
    }

    /**
     * The concluded configuration.
     *
     * @return the context.
     */
    public KvEventPublisherContext context()
    {
        return ctx;
    }

    /**
     * Close the publication, and the Aeron client when the publisher created it.
     */
    @Override
    public void close()
    {
        CloseHelper.close(publication);
        ctx.close();
    }

    private long send()
    {
        final int length = encoder.length();
        if (length > publication.maxMessageLength())
        {
            return fail(TOO_LARGE);
        }
        final boolean claim = length <= publication.maxPayloadLength();
        if (!claim)
        {
            encoder.encode(buffer, 0, nextEventId);
        }
        long deadlineNs = 0;
        boolean retrying = false;
        while (true)
        {
            final long result = claim ?
                publication.tryClaim(length, bufferClaim) : publication.offer(buffer, 0, length);
            if (result > 0)
            {
                if (claim)
                {
                    commitClaim();
                }
                results.lazySet(PUBLISHED_SLOT, results.get(PUBLISHED_SLOT) + 1);
                return nextEventId++;
            }
            if (Publication.ADMIN_ACTION == result)
            {
                continue;
            }
            if (BACK_PRESSURED != result)
            {
                return fail(result);
            }
            if (!retrying)
            {
                if (0 == offerTimeoutNs)
                {
                    return fail(result);
                }
                retrying = true;
                deadlineNs = clock.nanoTime() + offerTimeoutNs;
                idleStrategy.reset();
            }
            else if (clock.nanoTime() - deadlineNs >= 0)
            {
                return fail(result);
            }
            retries.lazySet(RETRIES_SLOT, retries.get(RETRIES_SLOT) + 1);
            idleStrategy.idle();
        }
    }

    private void commitClaim()
    {
        final MutableDirectBuffer claimed = bufferClaim.buffer();
        try
        {
            encoder.encode(claimed, bufferClaim.offset(), nextEventId);
        }
        catch (final RuntimeException ex)
        {
            bufferClaim.abort();
            throw ex;
        }
        bufferClaim.commit();
    }

    private long fail(final long result)
    {
        final int slot = (int)-result;
        if (slot > 0 && slot < RESULT_SLOTS)
        {
            results.lazySet(slot, results.get(slot) + 1);
        }
        return result;
    }

    private static void checkCount(final int count, final int capacity)
    {
        if (count < 0 || count > capacity)
        {
            throw new IllegalArgumentException("count " + count + " outside [0, " + capacity + "]");
        }
    }
}
