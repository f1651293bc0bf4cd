package io.kvindex.index;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The off-heap index against the reference model under seeded random workloads with adversarial events: more than
 * a million operations per run of this class, every answer and status compared, full equivalence checked often.
 */
class DifferentialOffHeapTest
{
    @ParameterizedTest
    @ValueSource(longs = { 1, 2, 3, 4, 5, 6 })
    void shouldAgreeWithReferenceModel(final long seed)
    {
        try (BlockIndex reference = new ReferenceBlockIndex(1 << 16, 16);
            OffHeapBlockIndex offHeap = offHeap(1 << 16, 16))
        {
            final RandomIndexWorkload workload = new RandomIndexWorkload(seed, 16, reference, offHeap)
                .checkEvery(25_000);
            workload.run(150_000);

            assertTrue(workload.statusCount(EventStatus.INVALID_BLOCK) > 0, workload::toString);
            assertTrue(workload.nonEmptyQueries() > 10_000, workload::toString);
            assertEmptyFootprint(offHeap);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = { 11, 12, 13 })
    void shouldAgreeWithReferenceModelWhenFull(final long seed)
    {
        try (BlockIndex reference = new ReferenceBlockIndex(300, 8); OffHeapBlockIndex offHeap = offHeap(300, 8))
        {
            final RandomIndexWorkload workload = new RandomIndexWorkload(seed, 8, reference, offHeap)
                .checkEvery(5_000);
            workload.run(60_000);

            assertTrue(workload.statusCount(EventStatus.CAPACITY_EXCEEDED) > 100, workload::toString);
            assertEmptyFootprint(offHeap);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = { 21, 22 })
    void shouldAgreeWithReferenceModelBeyondTheInlineOwnerBits(final long seed)
    {
        try (BlockIndex reference = new ReferenceBlockIndex(1 << 16, 150);
            OffHeapBlockIndex offHeap = offHeap(1 << 16, 150))
        {
            final RandomIndexWorkload workload = new RandomIndexWorkload(seed, 150, reference, offHeap)
                .checkEvery(25_000);
            workload.run(100_000);

            assertEmptyFootprint(offHeap);
        }
    }

    private static OffHeapBlockIndex offHeap(final int maxBlocks, final int maxOwners)
    {
        return new OffHeapBlockIndex(
            new OffHeapBlockIndex.Context().maxBlocks(maxBlocks).maxOwners(maxOwners).initialTableEntries(64));
    }

    private static void assertEmptyFootprint(final OffHeapBlockIndex index)
    {
        assertEquals(0, index.liveBlocks());
        assertEquals(0, index.memberships());
        assertEquals(NodeRecords.RECORD_LENGTH, index.usedBytes());
    }
}
