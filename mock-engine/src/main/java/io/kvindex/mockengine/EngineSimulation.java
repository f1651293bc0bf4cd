package io.kvindex.mockengine;

import org.agrona.collections.LongArrayList;

import java.util.concurrent.TimeUnit;

/**
 * The mock engine without any network: its ranks' prefix caches, timing model and event batching, driven by the
 * caller's clock, handing every encoded batch to a {@link BatchListener}. A running {@link MockEngine} drives one on
 * its agent thread with {@link System#nanoTime()}; benchmarks and trace replays drive one in simulated time with
 * {@link #admitAt}.
 * <p>
 * Timing: a request's first token comes {@code max(1, uncached prompt tokens) * prefill time per token} after its
 * admission, each further token one decode time later; it references its prompt blocks until its last token, the
 * times scaled by the time scale (0: released at once). Batching: with a step of 0 each admission's events are one
 * batch; with a step, a rank's events are held and published once per step. Single-threaded; allocates nothing in
 * steady state.
 */
public final class EngineSimulation
{
    private final RankEngine[] ranks;
    private final long[] streamSeqs;
    private final boolean sharedStream;
    private final BatchListener listener;
    private final ReleaseSchedule running = new ReleaseSchedule();
    private final int blockSize;
    private final double prefillNsPerToken;
    private final long decodeNsPerToken;
    private final double timeScale;
    private final long stepNs;
    private final long startNs;
    private final long startEpochNs;
    private long clockNs;
    private int nextRank;
    private long requests;
    private long hitBlocks;
    private long storedBlocks;
    private long evictedBlocks;
    private long batches;
    private long events;
    private long payloadBytes;

    /**
     * A simulation of an engine with a context's settings, empty.
     *
     * @param ctx      the settings (block size, capacity, ranks, timing, formats, batching, seed); concluded.
     * @param startNs  the caller's clock at this moment: batch timestamps are wall time since then.
     * @param listener receives every batch.
     */
    public EngineSimulation(final MockEngineContext ctx, final long startNs, final BatchListener listener)
    {
        this.listener = listener;
        this.blockSize = ctx.blockSize();
        this.sharedStream = ctx.sharedStream();
        this.prefillNsPerToken = ctx.prefillUsPerToken() * 1000.0;
        this.decodeNsPerToken = Math.round(ctx.decodeUsPerToken() * 1000.0);
        this.timeScale = ctx.timeScale();
        this.stepNs = (long)(ctx.stepUs() * 1000.0 * ctx.timeScale());
        this.startNs = startNs;
        this.startEpochNs = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
        this.clockNs = startNs;
        final BlockContent content = new BlockContent(blockSize);
        ranks = new RankEngine[ctx.dpRanks()];
        for (int r = 0; r < ranks.length; r++)
        {
            ranks[r] = new RankEngine(r, ctx.seed(), ctx.capacityBlocks(), content, ctx.eventFormat(),
                ctx.hashFormat(), ctx.removedPerBlock());
        }
        streamSeqs = new long[sharedStream ? 1 : ranks.length];
    }

    /**
     * Number of data-parallel ranks.
     *
     * @return ranks.
     */
    public int dpRanks()
    {
        return ranks.length;
    }

    /**
     * The rank a request without one goes to: round robin.
     *
     * @return a rank in [0, dpRanks()).
     */
    public int nextRank()
    {
        final int rank = nextRank;
        nextRank = rank + 1 == ranks.length ? 0 : rank + 1;
        return rank;
    }

    /**
     * Admit a request now if its rank has room: reference its cached prefix, evict and store the rest, publish the
     * events (at once with no step) and schedule its release.
     *
     * @param prompt       the prompt.
     * @param outputTokens tokens to generate, at least 0.
     * @param dpRank       its rank, or -1 for {@link #nextRank()}.
     * @param nowNs        the caller's clock.
     * @param out          receives what was done.
     * @return true when admitted; false when the rank lacks free or evictable blocks now (nothing changed).
     */
    public boolean admit(
        final Prompt prompt, final int outputTokens, final int dpRank, final long nowNs, final Admission out)
    {
        if (dpRank >= ranks.length)
        {
            throw new IllegalArgumentException("dp rank " + dpRank + " out of [0, " + ranks.length + ")");
        }
        final RankEngine rank = ranks[dpRank < 0 ? nextRank() : dpRank];
        if (stepNs > 0)
        {
            flushIfDue(rank, nowNs);
        }
        final int blocks = rank.blocks(prompt);
        rank.hash(prompt, blocks);
        final int matched = rank.admit(prompt, blocks, nowNs);
        if (PrefixCache.NO_ROOM == matched)
        {
            return false;
        }
        requests++;
        hitBlocks += matched;
        storedBlocks += blocks - matched;
        evictedBlocks += rank.lastEvicted();
        if (0 == stepNs)
        {
            flush(rank, nowNs);
        }

        final int promptTokens = prompt.tokenCount();
        final int uncached = Math.max(promptTokens > 0 ? 1 : 0, promptTokens - matched * blockSize);
        final long prefillNs = Math.round(uncached * prefillNsPerToken);
        final long busyNs = prefillNs + Math.max(0, outputTokens - 1) * decodeNsPerToken;
        final long releaseNs = nowNs + (long)(busyNs * timeScale);
        out.set(requests, rank.dpRank(), promptTokens, blocks, matched, blocks - matched, rank.lastEvicted(),
            blockSize, outputTokens);
        out.timing(prefillNs, decodeNsPerToken, timeScale, nowNs, releaseNs);
        if (releaseNs <= nowNs)
        {
            rank.cache().release(rank.heldSlots(), blocks);
        }
        else
        {
            running.add(releaseNs, rank, rank.heldSlots(), blocks);
        }
        clockNs = Math.max(clockNs, nowNs);
        return true;
    }

    /**
     * Admit a request in simulated time: at its arrival, or later when its rank must wait for running requests to
     * release blocks. Requests must be given in arrival order; the clock never goes back.
     *
     * @param prompt       the prompt.
     * @param outputTokens tokens to generate.
     * @param dpRank       its rank, or -1 for {@link #nextRank()}.
     * @param arrivalNs    when it arrives, on the simulated clock.
     * @param out          receives what was done.
     * @return the simulated time it was admitted.
     */
    public long admitAt(
        final Prompt prompt, final int outputTokens, final int dpRank, final long arrivalNs, final Admission out)
    {
        final int rank = dpRank < 0 ? nextRank() : dpRank;
        long nowNs = Math.max(arrivalNs, clockNs);
        while (true)
        {
            releaseDue(nowNs);
            flushDue(nowNs);
            if (admit(prompt, outputTokens, rank, nowNs, out))
            {
                return nowNs;
            }
            final long next = running.nextReleaseNs();
            if (Long.MAX_VALUE == next)
            {
                throw new IllegalStateException("no room and nothing running: rank " + rank);
            }
            nowNs = Math.max(nowNs, next);
        }
    }

    /**
     * Release the blocks of every request finished by a time.
     *
     * @param nowNs the caller's clock.
     * @return requests released.
     */
    public int releaseDue(final long nowNs)
    {
        return running.releaseDue(nowNs);
    }

    /**
     * When the next running request finishes.
     *
     * @return the time on the caller's clock, or {@link Long#MAX_VALUE} when none runs.
     */
    public long nextReleaseNs()
    {
        return running.nextReleaseNs();
    }

    /**
     * Requests holding blocks now.
     *
     * @return running requests.
     */
    public int runningRequests()
    {
        return running.size();
    }

    /**
     * Publish the batches whose step has ended.
     *
     * @param nowNs the caller's clock.
     * @return batches published.
     */
    public int flushDue(final long nowNs)
    {
        int flushed = 0;
        for (final RankEngine rank : ranks)
        {
            flushed += flushIfDue(rank, nowNs);
        }
        return flushed;
    }

    /**
     * Publish every batch with events, due or not.
     *
     * @param nowNs the caller's clock.
     * @return batches published.
     */
    public int flush(final long nowNs)
    {
        int flushed = 0;
        for (final RankEngine rank : ranks)
        {
            flushed += flush(rank, nowNs);
        }
        return flushed;
    }

    /**
     * Reset every rank's prefix cache, as vLLM's {@code /reset_prefix_cache}: an {@code AllBlocksCleared} event per
     * rank. Refused, with nothing changed, while a request references blocks.
     *
     * @param nowNs the caller's clock.
     * @return true when every rank was cleared.
     */
    public boolean resetPrefixCache(final long nowNs)
    {
        for (final RankEngine rank : ranks)
        {
            if (rank.cache().referencedBlocks() > 0)
            {
                return false;
            }
        }
        for (final RankEngine rank : ranks)
        {
            rank.clear(nowNs);
            if (0 == stepNs)
            {
                flush(rank, nowNs);
            }
        }
        return true;
    }

    /**
     * Leading blocks of a prompt cached on a rank, without touching its cache.
     *
     * @param prompt the prompt.
     * @param dpRank the rank.
     * @return cached leading blocks.
     */
    public int cachedPrefixBlocks(final Prompt prompt, final int dpRank)
    {
        return ranks[dpRank].cachedPrefixBlocks(prompt);
    }

    /**
     * Blocks cached on a rank.
     *
     * @param dpRank the rank.
     * @return cached blocks.
     */
    public int cachedBlocks(final int dpRank)
    {
        return ranks[dpRank].cache().cachedBlocks();
    }

    /**
     * Blocks on a rank that running requests reference.
     *
     * @param dpRank the rank.
     * @return referenced blocks.
     */
    public int referencedBlocks(final int dpRank)
    {
        return ranks[dpRank].cache().referencedBlocks();
    }

    /**
     * Whether a rank caches a block.
     *
     * @param dpRank     the rank.
     * @param engineHash the block's engine hash.
     * @return true when cached.
     */
    public boolean isCached(final int dpRank, final long engineHash)
    {
        return ranks[dpRank].cache().contains(engineHash);
    }

    /**
     * The engine hashes of every block a rank caches, in no particular order (allocates: for tests and tools).
     *
     * @param dpRank the rank.
     * @return the hashes.
     */
    public long[] cachedHashes(final int dpRank)
    {
        final LongArrayList hashes = new LongArrayList();
        ranks[dpRank].cache().forEachCached(hashes::addLong);
        return hashes.toLongArray();
    }

    /**
     * The seq the next batch of a rank's stream gets (the number published on it so far).
     *
     * @param dpRank the rank.
     * @return next seq.
     */
    public long nextSeq(final int dpRank)
    {
        return streamSeqs[sharedStream ? 0 : dpRank];
    }

    /**
     * Requests admitted.
     *
     * @return the count.
     */
    public long requests()
    {
        return requests;
    }

    /**
     * Prompt blocks that were cache hits.
     *
     * @return the count.
     */
    public long hitBlocks()
    {
        return hitBlocks;
    }

    /**
     * Blocks stored.
     *
     * @return the count.
     */
    public long storedBlocks()
    {
        return storedBlocks;
    }

    /**
     * Blocks evicted.
     *
     * @return the count.
     */
    public long evictedBlocks()
    {
        return evictedBlocks;
    }

    /**
     * Batches published.
     *
     * @return the count.
     */
    public long batches()
    {
        return batches;
    }

    /**
     * Events published.
     *
     * @return the count.
     */
    public long events()
    {
        return events;
    }

    /**
     * Payload bytes published.
     *
     * @return the count.
     */
    public long payloadBytes()
    {
        return payloadBytes;
    }

    private int flushIfDue(final RankEngine rank, final long nowNs)
    {
        final long opened = rank.batchOpenedNs();
        return RankEngine.NO_BATCH != opened && nowNs - opened >= stepNs ? flush(rank, nowNs) : 0;
    }

    private int flush(final RankEngine rank, final long nowNs)
    {
        final EventBatchEncoder encoder = rank.encoder();
        final int eventCount = encoder.eventCount();
        rank.batchClosed();
        if (0 == eventCount)
        {
            return 0;
        }
        encoder.finish((startEpochNs + (nowNs - startNs)) / 1e9, rank.dpRank());
        final int stream = sharedStream ? 0 : rank.dpRank();
        final long seq = streamSeqs[stream]++;
        batches++;
        events += eventCount;
        payloadBytes += encoder.payloadLength();
        listener.onBatch(rank.dpRank(), seq, encoder.buffer(), encoder.payloadOffset(), encoder.payloadLength());
        encoder.reset();
        return 1;
    }
}
