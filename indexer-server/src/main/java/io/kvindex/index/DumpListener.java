package io.kvindex.index;

/**
 * Receives an index as the Stored events that rebuild it, parents before children.
 */
@FunctionalInterface
public interface DumpListener
{
    /**
     * One Stored event of the dump. The arrays are reused after the call returns.
     *
     * @param workerId         the owner's worker id.
     * @param dpRank           the owner's data-parallel rank.
     * @param hasParent        whether the chain continues under a parent block.
     * @param parentEngineHash the owner's engine hash of the parent block, when {@code hasParent}.
     * @param engineHashes     the owner's engine hashes of the blocks.
     * @param localHashes      the local (token) hashes of the blocks.
     * @param count            how many blocks of the arrays are valid.
     */
    void onStored(
        long workerId,
        int dpRank,
        boolean hasParent,
        long parentEngineHash,
        long[] engineHashes,
        long[] localHashes,
        int count);
}
