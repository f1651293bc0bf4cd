package io.kvindex.index;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@link RandomIndexWorkload} with the reference index on both sides, so the harness itself is checked: it must
 * hold together, reach every event status, stay fast, and catch an index with a planted fault.
 */
class DifferentialReferenceTest
{
    private static final int[] EVENT_STATUSES =
    {
        EventStatus.OK, EventStatus.PARENT_BLOCK_NOT_FOUND, EventStatus.BLOCK_NOT_FOUND, EventStatus.INVALID_BLOCK
    };

    @ParameterizedTest
    @ValueSource(longs = { 1, 7, 42 })
    void shouldAgreeWithItselfUnderRandomWorkload(final long seed)
    {
        try (BlockIndex a = new ReferenceBlockIndex(); BlockIndex b = new ReferenceBlockIndex())
        {
            final RandomIndexWorkload workload = new RandomIndexWorkload(seed, 12, a, b).checkEvery(5_000);
            workload.run(20_000);

            for (final int status : EVENT_STATUSES)
            {
                assertTrue(workload.statusCount(status) > 200, workload::toString);
            }
            assertTrue(workload.nonEmptyQueries() > 5_000, workload::toString);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = { 3, 99 })
    void shouldAgreeWithItselfWhenFull(final long seed)
    {
        try (BlockIndex a = new ReferenceBlockIndex(300, 8); BlockIndex b = new ReferenceBlockIndex(300, 8))
        {
            final RandomIndexWorkload workload = new RandomIndexWorkload(seed, 8, a, b).checkEvery(2_000);
            workload.run(10_000);

            assertTrue(workload.statusCount(EventStatus.CAPACITY_EXCEEDED) > 200, workload::toString);
            assertTrue(workload.statusCount(EventStatus.OK) > 2_000, workload::toString);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = { FaultyIndex.REMOVE_FIRST_ONLY, FaultyIndex.FORGET_ON_CLEAR, FaultyIndex.SHORT_LONG_STORES })
    void shouldDetectIndexWithPlantedFault(final int fault)
    {
        try (BlockIndex a = new ReferenceBlockIndex(); BlockIndex b = new FaultyIndex(fault))
        {
            final RandomIndexWorkload workload = new RandomIndexWorkload(5, 8, a, b).checkEvery(1_000);

            assertThrows(AssertionError.class, () -> workload.run(10_000));
        }
    }

    /**
     * The reference index with one planted fault, to prove the workload notices.
     */
    private static final class FaultyIndex implements BlockIndex
    {
        static final int REMOVE_FIRST_ONLY = 1;
        static final int FORGET_ON_CLEAR = 2;
        static final int SHORT_LONG_STORES = 3;

        private final ReferenceBlockIndex delegate = new ReferenceBlockIndex();
        private final int fault;

        FaultyIndex(final int fault)
        {
            this.fault = fault;
        }

        @Override
        public int store(
            final long workerId,
            final int dpRank,
            final boolean hasParent,
            final long parentEngineHash,
            final long[] engineHashes,
            final long[] localHashes,
            final int count)
        {
            final int stored = SHORT_LONG_STORES == fault && count > 40 ? count - 1 : count;
            return delegate.store(workerId, dpRank, hasParent, parentEngineHash, engineHashes, localHashes, stored);
        }

        @Override
        public int remove(final long workerId, final int dpRank, final long[] engineHashes, final int count)
        {
            final int removed = REMOVE_FIRST_ONLY == fault ? Math.min(count, 1) : count;
            return delegate.remove(workerId, dpRank, engineHashes, removed);
        }

        @Override
        public int clear(final long workerId)
        {
            if (FORGET_ON_CLEAR == fault)
            {
                delegate.removeWorker(workerId);
                return EventStatus.OK;
            }
            return delegate.clear(workerId);
        }

        @Override
        public int removeWorker(final long workerId)
        {
            return delegate.removeWorker(workerId);
        }

        @Override
        public int removeWorker(final long workerId, final int dpRank)
        {
            return delegate.removeWorker(workerId, dpRank);
        }

        @Override
        public void findMatches(final long[] localHashes, final int count, final OverlapScores scores)
        {
            delegate.findMatches(localHashes, count, scores);
        }

        @Override
        public long treeSize(final long workerId, final int dpRank)
        {
            return delegate.treeSize(workerId, dpRank);
        }

        @Override
        public int ownerCount()
        {
            return delegate.ownerCount();
        }

        @Override
        public void dump(final DumpListener listener)
        {
            delegate.dump(listener);
        }

        @Override
        public void close()
        {
            delegate.close();
        }
    }
}
