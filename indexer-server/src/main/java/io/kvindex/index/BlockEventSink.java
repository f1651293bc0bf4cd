package io.kvindex.index;

/**
 * Where applied KV events go: the writes of a {@link BlockIndex}, and of anything else that takes events in
 * the index's terms (local hashes computed, owner resolved), such as a relay republishing them. Called from one
 * thread.
 */
public interface BlockEventSink
{
    /**
     * A Stored event: the blocks form a chain under the parent (or the root when there is none).
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
     * A Removed event: the owner no longer holds these blocks nor anything after them on their chains.
     *
     * @param workerId     owner's worker id.
     * @param dpRank       owner's data-parallel rank.
     * @param engineHashes the owner's engine hashes of the removed blocks.
     * @param count        number of hashes.
     * @return an {@link EventStatus}.
     */
    int remove(long workerId, int dpRank, long[] engineHashes, int count);

    /**
     * A Cleared event: every dp rank of the worker drops every block; the worker stays known.
     *
     * @param workerId the worker.
     * @return an {@link EventStatus}.
     */
    int clear(long workerId);

    /**
     * Forget one owner {@code (workerId, dpRank)} and its blocks (Dynamo's remove worker for one dp rank).
     *
     * @param workerId the worker.
     * @param dpRank   the dp rank.
     * @return an {@link EventStatus}.
     */
    int removeWorker(long workerId, int dpRank);
}
