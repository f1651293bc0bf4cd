package io.kvindex.index;

/**
 * The semantics of {@code spec/dynamo-compat.md} section 2: which owners {@code (workerId, dpRank)} hold which
 * prefixes of local block hashes. Writes come from one thread; {@link #findMatches} may be called from others
 * where the implementation says so.
 */
public interface BlockIndex extends BlockEventSink, AutoCloseable
{
    /**
     * Apply a Stored event: the blocks form a chain under the parent (or the root when there is none).
     *
     * @param workerId         owner's worker id.
     * @param dpRank           owner's data-parallel rank.
     * @param hasParent        whether {@code parentEngineHash} is given.
     * @param parentEngineHash the owner's engine hash of the block the chain continues under.
     * @param engineHashes     the owner's engine hashes of the blocks, in chain order.
     * @param localHashes      the local hashes of the blocks, in chain order.
     * @param count            number of blocks.
     * @return an {@link EventStatus}.
     */
    int store(
        long workerId,
        int dpRank,
        boolean hasParent,
        long parentEngineHash,
        long[] engineHashes,
        long[] localHashes,
        int count);

    /**
     * Apply a Removed event: the owner no longer holds these blocks nor anything after them on their chains.
     *
     * @param workerId     owner's worker id.
     * @param dpRank       owner's data-parallel rank.
     * @param engineHashes the owner's engine hashes of the removed blocks.
     * @param count        number of hashes.
     * @return {@link EventStatus#OK}, or {@link EventStatus#BLOCK_NOT_FOUND} when some were not held when the event
     *         began (a block already dropped by an earlier hash of the same event is not counted).
     */
    int remove(long workerId, int dpRank, long[] engineHashes, int count);

    /**
     * Apply a Cleared event: every dp rank of the worker drops every block; the worker stays known.
     *
     * @param workerId the worker.
     * @return an {@link EventStatus}.
     */
    int clear(long workerId);

    /**
     * Drop every block of every dp rank of a worker and forget it.
     *
     * @param workerId the worker.
     * @return an {@link EventStatus}.
     */
    int removeWorker(long workerId);

    /**
     * Drop every block of one dp rank of a worker and forget that owner.
     *
     * @param workerId the worker.
     * @param dpRank   the dp rank.
     * @return an {@link EventStatus}.
     */
    int removeWorker(long workerId, int dpRank);

    /**
     * For every owner holding the first block: how many consecutive blocks it holds from the first.
     *
     * @param localHashes the query's local block hashes.
     * @param count       number of hashes.
     * @param scores      filled with one entry per owner with a score above zero.
     */
    void findMatches(long[] localHashes, int count, OverlapScores scores);

    /**
     * The number of blocks the index holds for an owner.
     *
     * @param workerId owner's worker id.
     * @param dpRank   owner's dp rank.
     * @return its tree size, 0 when unknown.
     */
    long treeSize(long workerId, int dpRank);

    /**
     * Number of owners the index knows (holding blocks or not).
     *
     * @return owner count.
     */
    int ownerCount();

    /**
     * The whole index as Stored events, parents before children, per owner.
     *
     * @param listener receives the events.
     */
    void dump(DumpListener listener);

    /**
     * Release the memory the index holds.
     */
    @Override
    void close();
}
