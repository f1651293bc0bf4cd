package io.kvindex.perf.trace;

/**
 * Receives the KV events a {@link SimulatedEngine} emits, as an engine would publish them. The arrays are the
 * engine's scratch: copy what must outlive the call.
 */
public interface EngineEventListener
{
    /**
     * Blocks were evicted, leaf first.
     *
     * @param workerId     the engine's worker id.
     * @param engineHashes the evicted blocks' engine hashes, in eviction order.
     * @param count        number of hashes.
     */
    void onRemoved(long workerId, long[] engineHashes, int count);

    /**
     * A chain of blocks was stored under a held parent (or the root).
     *
     * @param workerId         the engine's worker id.
     * @param hasParent        whether the chain continues under {@code parentEngineHash}.
     * @param parentEngineHash the engine hash of the last held block before the chain.
     * @param engineHashes     engine hashes of the chain, from {@code offset}.
     * @param localHashes      local hashes of the chain, from {@code offset}.
     * @param offset           index of the first stored block in both arrays.
     * @param count            number of blocks.
     */
    void onStored(
        long workerId,
        boolean hasParent,
        long parentEngineHash,
        long[] engineHashes,
        long[] localHashes,
        int offset,
        int count);
}
