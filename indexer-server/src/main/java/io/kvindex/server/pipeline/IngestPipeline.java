package io.kvindex.server.pipeline;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.YieldingWaitStrategy;
import io.kvindex.index.BlockIndex;
import io.kvindex.server.feed.KvEventBatchDecoder;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * Feeds to index: a Disruptor ring of preallocated {@link IngestSlot}s with a multi-producer sequencer and one
 * {@link IndexWriter}. A producer claims a slot with {@link #tryClaim()} (never blocking), fills it (decoding straight
 * into {@link IngestSlot#batch()}) and must then {@link #publish(long)} it, marked {@link IngestSlot#SKIP} when there
 * is nothing to apply. A full ring turns the claim away and counts an overflow: backpressure for the producer.
 * <p>
 * The writer polls the ring as an agent and never calls the ring's wait strategy; the ring is built with one whose
 * publish-side signal is a no-op, and the writer's idling is its {@link Context#idleStrategy()}.
 */
public final class IngestPipeline implements AutoCloseable
{
    private final Context ctx;
    private final RingBuffer<IngestSlot> ring;
    private final IngestCounters counters = new IngestCounters();
    private final IndexWriter writer;
    private AgentRunner runner;

    /**
     * A pipeline whose writer is not running yet: {@link #start()} it, or step {@link #writer()} by hand.
     *
     * @param ctx the configuration; concluded here.
     */
    public IngestPipeline(final Context ctx)
    {
        this.ctx = ctx.conclude();
        this.ring = RingBuffer.createMultiProducer(IngestSlot::new, ctx.ringSize(), new YieldingWaitStrategy());
        final Sequence sequence = new Sequence(RingBuffer.INITIAL_CURSOR_VALUE);
        ring.addGatingSequences(sequence);
        this.writer = new IndexWriter(ring, sequence, ctx, counters);
    }

    /**
     * Start the writer on a thread from the context's thread factory.
     *
     * @return this pipeline.
     */
    public IngestPipeline start()
    {
        if (null != runner)
        {
            throw new IllegalStateException("already started");
        }
        runner = new AgentRunner(ctx.idleStrategy(), ctx.errorHandler(), null, writer);
        AgentRunner.startOnThread(runner, ctx.threadFactory());
        return this;
    }

    /**
     * Claim the next slot without blocking. A claimed sequence must be published, even when the slot is a skip.
     *
     * @return the claimed sequence, or -1 when the ring is full (counted as an overflow).
     */
    public long tryClaim()
    {
        try
        {
            return ring.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            counters.onOverflow();
            return -1;
        }
    }

    /**
     * Claim the next slot without blocking, for a producer that keeps its input when the ring is full and offers it
     * again later (an Aeron feed stops polling and leaves the message in the log): a full ring is counted as back
     * pressure, not as an overflow, since nothing is lost. A claimed sequence must be published.
     *
     * @return the claimed sequence, or -1 when the ring is full.
     */
    public long tryClaimOrBackPressure()
    {
        try
        {
            return ring.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            counters.onBackPressure();
            return -1;
        }
    }

    /**
     * The slot of a claimed sequence.
     *
     * @param sequence a sequence from {@link #tryClaim()}.
     * @return its slot.
     */
    public IngestSlot slot(final long sequence)
    {
        return ring.get(sequence);
    }

    /**
     * Hand a claimed slot to the writer.
     *
     * @param sequence a sequence from {@link #tryClaim()}.
     */
    public void publish(final long sequence)
    {
        counters.onPublished();
        ring.publish(sequence);
    }

    /**
     * Offer a registry command that clears every block of a worker.
     *
     * @param indexKey key of the index.
     * @param workerId the worker.
     * @return false when the ring was full (counted as an overflow).
     */
    public boolean offerClearWorker(final int indexKey, final long workerId)
    {
        return offerCommand(IngestSlot.CLEAR_WORKER, indexKey, workerId, IngestSlot.ALL_RANKS);
    }

    /**
     * Offer a registry command that forgets a worker, or one dp rank of it.
     *
     * @param indexKey key of the index.
     * @param workerId the worker.
     * @param dpRank   the dp rank, or {@link IngestSlot#ALL_RANKS}.
     * @return false when the ring was full (counted as an overflow).
     */
    public boolean offerRemoveWorker(final int indexKey, final long workerId, final int dpRank)
    {
        return offerCommand(IngestSlot.REMOVE_WORKER, indexKey, workerId, dpRank);
    }

    /**
     * The block size an index was registered with.
     *
     * @param indexKey key of the index.
     * @return tokens per block.
     */
    public int blockSize(final int indexKey)
    {
        return writer.blockSize(indexKey);
    }

    /**
     * Add an index while the pipeline runs (a registration for a new {@code (model, tenant)}); its key is the
     * number of indexes added before it, those of the context included.
     *
     * @param index     the index, written only by the pipeline's writer from now on.
     * @param blockSize its tokens per block; engine batches must name the same.
     * @return the index's key.
     */
    public int addIndex(final BlockIndex index, final int blockSize)
    {
        return writer.addIndex(index, blockSize);
    }

    /**
     * Number of indexes the writer knows.
     *
     * @return the count.
     */
    public int indexCount()
    {
        return writer.indexCount();
    }

    /**
     * Offer a task to run on the writer thread after every slot published before it (e.g. a consistent dump).
     *
     * @param task the task; the writer applies nothing else while it runs.
     * @return false when the ring was full (counted as an overflow).
     */
    public boolean offerTask(final Runnable task)
    {
        final long sequence = tryClaim();
        if (sequence < 0)
        {
            return false;
        }
        ring.get(sequence).task(task);
        publish(sequence);
        return true;
    }

    /**
     * The writer, to step by hand when the pipeline is not started.
     *
     * @return the writer.
     */
    public IndexWriter writer()
    {
        return writer;
    }

    /**
     * The pipeline's counters.
     *
     * @return the counters.
     */
    public IngestCounters counters()
    {
        return counters;
    }

    /**
     * Slots free for producers right now; {@link #capacity()} minus the occupancy.
     *
     * @return the remaining capacity.
     */
    public long remainingCapacity()
    {
        return ring.remainingCapacity();
    }

    /**
     * Number of slots in the ring.
     *
     * @return the ring size.
     */
    public int capacity()
    {
        return ring.getBufferSize();
    }

    /**
     * Stop the writer, if started, and wait for its thread to end; the indexes stay the caller's. Idempotent.
     */
    @Override
    public void close()
    {
        if (null != runner)
        {
            runner.close();
        }
    }

    private boolean offerCommand(final int kind, final int indexKey, final long workerId, final int dpRank)
    {
        final long sequence = tryClaim();
        if (sequence < 0)
        {
            return false;
        }
        ring.get(sequence).command(kind, indexKey, workerId, dpRank);
        publish(sequence);
        return true;
    }

    /**
     * Property names and defaults of the pipeline.
     */
    public static final class Configuration
    {
        /** Property for the number of ring slots, a power of two. */
        public static final String RING_SIZE_PROP_NAME = "kvindex.ingest.ring.size";

        /** Default number of ring slots. */
        public static final int RING_SIZE_DEFAULT = 4096;

        /** Property for the most slots the writer applies per duty cycle. */
        public static final String WRITE_LIMIT_PROP_NAME = "kvindex.ingest.write.limit";

        /** Default most slots applied per duty cycle. */
        public static final int WRITE_LIMIT_DEFAULT = 256;

        private Configuration()
        {
        }

        /**
         * Number of ring slots.
         *
         * @return the property's value or the default.
         */
        public static int ringSize()
        {
            return Integer.getInteger(RING_SIZE_PROP_NAME, RING_SIZE_DEFAULT);
        }

        /**
         * Most slots applied per duty cycle.
         *
         * @return the property's value or the default.
         */
        public static int writeLimit()
        {
            return Integer.getInteger(WRITE_LIMIT_PROP_NAME, WRITE_LIMIT_DEFAULT);
        }
    }

    /**
     * Settings of a pipeline and the indexes it writes, each index under a key: its position of registration.
     */
    public static final class Context
    {
        private final List<BlockIndex> indexes = new ArrayList<>();
        private final List<Integer> blockSizes = new ArrayList<>();
        private int ringSize = Configuration.ringSize();
        private int writeLimit = Configuration.writeLimit();
        private int maxMmHashes = KvEventBatchDecoder.DEFAULT_MAX_MM_HASHES;
        private IdleStrategy idleStrategy;
        private ThreadFactory threadFactory;
        private ErrorHandler errorHandler;
        private boolean concluded;

        /**
         * Register an index the writer applies to from the start; its key is the number of indexes registered before
     * it. More can be added while the pipeline runs with {@link IngestPipeline#addIndex(BlockIndex, int)}.
         *
         * @param index     the index, written only by the pipeline's writer from now on.
         * @param blockSize its tokens per block; engine batches must name the same.
         * @return this context.
         */
        public Context addIndex(final BlockIndex index, final int blockSize)
        {
            indexes.add(index);
            blockSizes.add(blockSize);
            return this;
        }

        /**
         * Number of registered indexes.
         *
         * @return the count.
         */
        public int indexCount()
        {
            return indexes.size();
        }

        /**
         * A registered index.
         *
         * @param key its key.
         * @return the index.
         */
        public BlockIndex index(final int key)
        {
            return indexes.get(key);
        }

        /**
         * The block size a registered index was added with.
         *
         * @param key its key.
         * @return tokens per block.
         */
        public int blockSize(final int key)
        {
            return blockSizes.get(key);
        }

        /**
         * Set the number of ring slots.
         *
         * @param ringSize a power of two.
         * @return this context.
         */
        public Context ringSize(final int ringSize)
        {
            this.ringSize = ringSize;
            return this;
        }

        /**
         * Number of ring slots.
         *
         * @return the ring size.
         */
        public int ringSize()
        {
            return ringSize;
        }

        /**
         * Set the most slots the writer applies per duty cycle.
         *
         * @param writeLimit at least 1.
         * @return this context.
         */
        public Context writeLimit(final int writeLimit)
        {
            this.writeLimit = writeLimit;
            return this;
        }

        /**
         * Most slots the writer applies per duty cycle.
         *
         * @return the limit.
         */
        public int writeLimit()
        {
            return writeLimit;
        }

        /**
         * Set the most multimodal hashes per block, as the producers' decoders allow.
         *
         * @param maxMmHashes the limit.
         * @return this context.
         */
        public Context maxMmHashes(final int maxMmHashes)
        {
            this.maxMmHashes = maxMmHashes;
            return this;
        }

        /**
         * Most multimodal hashes per block.
         *
         * @return the limit.
         */
        public int maxMmHashes()
        {
            return maxMmHashes;
        }

        /**
         * Set how the writer idles when the ring is empty (the pipeline's wait strategy).
         *
         * @param idleStrategy the strategy.
         * @return this context.
         */
        public Context idleStrategy(final IdleStrategy idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        /**
         * How the writer idles when the ring is empty; a backoff from spinning to 1 ms parks by default.
         *
         * @return the strategy.
         */
        public IdleStrategy idleStrategy()
        {
            return idleStrategy;
        }

        /**
         * Set the factory of the writer's thread.
         *
         * @param threadFactory the factory.
         * @return this context.
         */
        public Context threadFactory(final ThreadFactory threadFactory)
        {
            this.threadFactory = threadFactory;
            return this;
        }

        /**
         * The factory of the writer's thread.
         *
         * @return the factory.
         */
        public ThreadFactory threadFactory()
        {
            return threadFactory;
        }

        /**
         * Set the handler of errors thrown while applying.
         *
         * @param errorHandler the handler.
         * @return this context.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * The handler of errors thrown while applying.
         *
         * @return the handler.
         */
        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }

        /**
         * Validate and fill defaults; runs once.
         *
         * @return this context.
         */
        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }
            concluded = true;
            if (ringSize < 1 || Integer.bitCount(ringSize) != 1)
            {
                throw new IllegalArgumentException("ring size must be a power of two: " + ringSize);
            }
            if (writeLimit < 1)
            {
                throw new IllegalArgumentException("write limit must be at least 1: " + writeLimit);
            }
            if (null == idleStrategy)
            {
                idleStrategy = new BackoffIdleStrategy();
            }
            if (null == threadFactory)
            {
                threadFactory = (runnable) -> new Thread(runnable, "index-writer");
            }
            if (null == errorHandler)
            {
                errorHandler = Throwable::printStackTrace;
            }
            return this;
        }
    }
}
