package io.kvindex.perf;

import io.kvindex.index.BlockIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharingWorkloadTest
{
    private static SharingWorkloadContext small()
    {
        return new SharingWorkloadContext().targetBlocks(30_000).queries(1024, 64).applyChains(256, 16);
    }

    @Test
    void shouldGenerateTheSameWorkloadFromTheSameSeed()
    {
        final SharingWorkload a = new SharingWorkload(small());
        final SharingWorkload b = new SharingWorkload(small());

        assertEquals(a.liveBlocks(), b.liveBlocks());
        assertEquals(a.memberships(), b.memberships());
        assertArrayEquals(a.walkedBlocks(), b.walkedBlocks());
        for (int q = 0; q < a.queries().length; q++)
        {
            assertArrayEquals(a.queries()[q], b.queries()[q]);
        }
        assertArrayEquals(a.chainParents(), b.chainParents());
    }

    @Test
    void shouldReachTheTargetWithSharedPrefixesAndMostlyLongMatches()
    {
        final SharingWorkload workload = new SharingWorkload(small());

        assertTrue(workload.liveBlocks() >= 30_000 && workload.liveBlocks() < 31_000, workload.describe());
        assertEquals(workload.memberships(), workload.storedBlocks());
        assertTrue(workload.memberships() > workload.liveBlocks(), workload.describe());
        assertTrue(workload.averageWalkedBlocks() > 40 && workload.averageWalkedBlocks() < 64, workload.describe());
    }

    @ParameterizedTest
    @ValueSource(strings = { "shared", "per-owner" })
    void shouldPopulateEveryKindToTheExpectedAnswers(final String engineHashes)
    {
        final SharingWorkload workload = new SharingWorkload(
            small().perOwnerEngineHashes(Workloads.PER_OWNER_ENGINE_HASHES.equals(engineHashes)));
        for (final String kind : new String[]{ IndexFactory.OFF_HEAP, IndexFactory.REFERENCE })
        {
            try (BlockIndex index = IndexFactory.create(kind, workload.capacityHint(), workload.owners()))
            {
                workload.populate(index);
                workload.verify(index);
            }
        }
    }

    @Test
    void shouldNoticeAnIndexThatLostBlocks()
    {
        final SharingWorkload workload = new SharingWorkload(small());
        try (BlockIndex index = IndexFactory.create(IndexFactory.REFERENCE, workload.capacityHint(), 16))
        {
            workload.populate(index);
            index.remove(workload.chainWorkerIds()[0], workload.chainDpRanks()[0],
                new long[]{ workload.chainParents()[0] }, 1);

            assertThrows(IllegalStateException.class, () -> workload.verify(index));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { IndexFactory.OFF_HEAP, IndexFactory.REFERENCE })
    void shouldReturnToTheWarmIndexAfterStoringAndRemovingApplyBatches(final String kind)
    {
        final ApplyBatches batches = new ApplyBatches(kind, 30_000, Workloads.SHARED_ENGINE_HASHES);
        for (int b = 0; b < ApplyBatches.BATCHES; b++)
        {
            assertEquals(0, batches.store(b));
            assertEquals(0, batches.remove(b));
        }
        batches.verifyAndClose();
    }
}
