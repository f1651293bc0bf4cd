package io.kvindex.perf;

import io.kvindex.index.BlockIndex;
import io.kvindex.index.EventStatus;

/**
 * The apply benchmarks' fixture: a warm index from {@link SharingWorkload} and its apply chains grouped in
 * batches of {@link #CHAINS_PER_BATCH} chains of {@link #CHAIN_BLOCKS} new blocks, each chain under a block its
 * owner holds. A batch is stored as one Stored event per chain and removed as one Removed event per chain
 * (engine hashes leaf first), which brings the index back to its warm state.
 */
final class ApplyBatches
{
    static final int CHAIN_BLOCKS = 16;
    static final int CHAINS_PER_BATCH = 256;
    static final int BATCH_BLOCKS = CHAIN_BLOCKS * CHAINS_PER_BATCH;
    static final int BATCHES = 16;

    private final SharingWorkload workload;
    private final BlockIndex index;
    private final long[] workerIds;
    private final int[] dpRanks;
    private final long[] parents;
    private final long[][] engineHashes;
    private final long[][] localHashes;
    private final long[][] removals;

    ApplyBatches(final String kind, final int blocks, final String engineHashes)
    {
        workload = new SharingWorkload(
            Workloads.context(blocks, engineHashes).applyChains(CHAINS_PER_BATCH * BATCHES, CHAIN_BLOCKS));
        index = IndexFactory.create(kind, workload.capacityHint(), workload.owners());
        workload.populate(index);
        workload.verify(index);
        workerIds = workload.chainWorkerIds();
        dpRanks = workload.chainDpRanks();
        parents = workload.chainParents();
        this.engineHashes = workload.chainEngineHashes();
        localHashes = workload.chainLocalHashes();
        removals = workload.chainRemovals();
    }

    String describe()
    {
        return workload.describe();
    }

    /**
     * Store every chain of a batch.
     *
     * @return events not applied OK.
     */
    int store(final int batch)
    {
        int failures = 0;
        for (int c = batch * CHAINS_PER_BATCH, end = c + CHAINS_PER_BATCH; c < end; c++)
        {
            final int status = index.store(
                workerIds[c], dpRanks[c], true, parents[c], engineHashes[c], localHashes[c], CHAIN_BLOCKS);
            failures += EventStatus.OK == status ? 0 : 1;
        }
        return failures;
    }

    /**
     * Remove every chain of a batch.
     *
     * @return events not applied OK.
     */
    int remove(final int batch)
    {
        int failures = 0;
        for (int c = batch * CHAINS_PER_BATCH, end = c + CHAINS_PER_BATCH; c < end; c++)
        {
            final int status = index.remove(workerIds[c], dpRanks[c], removals[c], CHAIN_BLOCKS);
            failures += EventStatus.OK == status ? 0 : 1;
        }
        return failures;
    }

    /**
     * Check the index is back to the warm workload, then release it.
     */
    void verifyAndClose()
    {
        try
        {
            workload.verify(index);
        }
        finally
        {
            index.close();
        }
    }

    static void requireNoFailures(final int failures, final String what)
    {
        if (0 != failures)
        {
            throw new IllegalStateException(failures + " " + what + " events were not applied OK: results invalid");
        }
    }
}
