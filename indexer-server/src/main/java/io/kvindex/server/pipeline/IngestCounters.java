package io.kvindex.server.pipeline;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of an {@link IngestPipeline}, readable from any thread. Producers count what they publish and what a
 * full ring turned away; the {@link IndexWriter} counts what it applied, skipped and could not route.
 */
public final class IngestCounters
{
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong overflowed = new AtomicLong();
    private final AtomicLong backPressured = new AtomicLong();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /**
     * Slots published by producers, {@link IngestSlot#SKIP} ones included.
     *
     * @return the count.
     */
    public long published()
    {
        return published.get();
    }

    /**
     * Claims turned away because the ring was full; each one is a batch lost until repaired by replay.
     *
     * @return the count.
     */
    public long overflowed()
    {
        return overflowed.get();
    }

    /**
     * Claims turned away because the ring was full from producers that keep their input and offer it again (Aeron
     * feeds): back pressure, nothing lost.
     *
     * @return the count.
     */
    public long backPressured()
    {
        return backPressured.get();
    }

    /**
     * Slots the writer applied to an index (engine batches and registry commands).
     *
     * @return the count.
     */
    public long applied()
    {
        return applied.get();
    }

    /**
     * {@link IngestSlot#SKIP} slots the writer stepped over.
     *
     * @return the count.
     */
    public long skipped()
    {
        return skipped.get();
    }

    /**
     * Slots naming an unknown index key, a block size other than the index's, or an unknown kind.
     *
     * @return the count.
     */
    public long rejected()
    {
        return rejected.get();
    }

    /**
     * Slots whose apply threw; the writer moved past them.
     *
     * @return the count.
     */
    public long failed()
    {
        return failed.get();
    }

    void onPublished()
    {
        published.getAndIncrement();
    }

    void onOverflow()
    {
        overflowed.getAndIncrement();
    }

    void onBackPressure()
    {
        backPressured.getAndIncrement();
    }

    void onApplied()
    {
        applied.lazySet(applied.get() + 1);
    }

    void onSkipped()
    {
        skipped.lazySet(skipped.get() + 1);
    }

    void onRejected()
    {
        rejected.lazySet(rejected.get() + 1);
    }

    void onFailed()
    {
        failed.lazySet(failed.get() + 1);
    }
}
