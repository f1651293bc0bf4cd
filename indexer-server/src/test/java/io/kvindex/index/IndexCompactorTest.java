package io.kvindex.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An index eroded by churn at full capacity, compacted: the copy holds exactly the same state, needs far fewer
 * branch-table entries, and keeps agreeing with the original (and its event counters) as events go on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class IndexCompactorTest
{
    private static final int CAPACITY = 4096;
    private static final int OWNERS = 8;
    private static final int CHAIN = 12;

    private final SplittableRandom random = new SplittableRandom(42);
    private final long[] engine = new long[CHAIN];
    private final long[] local = new long[CHAIN];

    @Test
    void shouldLayOutAnErodedIndexAfresh()
    {
        try (OffHeapBlockIndex original = index(CAPACITY); ReferenceBlockIndex reference =
            new ReferenceBlockIndex(CAPACITY, OWNERS))
        {
            churn(original, reference, 40_000);
            assertEquals(original.recordCapacity(), original.recordHighWater());
            assertTrue(IndexCompactor.isEroded(original, 0.2), "branch entries " + original.branchEntries() +
                " of " + original.liveBlocks());

            try (OffHeapBlockIndex compacted = IndexCompactor.compact(original, context(CAPACITY)))
            {
                IndexEquivalence.assertEquivalent(original, compacted);
                assertTrue(compacted.branchEntries() * 2 < original.branchEntries(),
                    compacted.branchEntries() + " vs " + original.branchEntries());
                assertTrue(compacted.recordHighWater() < CAPACITY);
                assertFalse(IndexCompactor.isEroded(compacted, 0.2));
                for (int type = 0; type < EventType.COUNT; type++)
                {
                    assertEquals(original.counters().total(type), compacted.counters().total(type));
                }

                churn(compacted, reference, 20_000);
                IndexEquivalence.assertEquivalent(reference, compacted);
            }
        }
    }

    @Test
    void shouldRefuseATooSmallTarget()
    {
        try (OffHeapBlockIndex original = index(CAPACITY); ReferenceBlockIndex reference =
            new ReferenceBlockIndex(CAPACITY, OWNERS))
        {
            churn(original, reference, 5_000);
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> IndexCompactor.compact(original, context(64)));
            assertTrue(ex.getMessage().contains("capacity"), ex.getMessage());
        }
    }

    private void churn(final BlockIndex index, final ReferenceBlockIndex reference, final int events)
    {
        for (int e = 0; e < events; e++)
        {
            final long worker = random.nextInt(OWNERS);
            final int prefix = random.nextInt(4);
            final int length = 1 + random.nextInt(CHAIN);
            for (int i = 0; i < length; i++)
            {
                local[i] = 1000L * prefix + (i < 3 ? i : random.nextInt(64) + 10L * i);
                engine[i] = (i == 0 ? worker * 7919 : engine[i - 1] * 31) + local[i];
            }
            if (random.nextInt(3) == 0)
            {
                final int count = 1 + random.nextInt(length);
                assertEquals(reference.remove(worker, 0, engine, count), index.remove(worker, 0, engine, count));
            }
            else
            {
                assertEquals(reference.store(worker, 0, false, 0, engine, local, length),
                    index.store(worker, 0, false, 0, engine, local, length));
            }
        }
    }

    private static OffHeapBlockIndex index(final int capacity)
    {
        return new OffHeapBlockIndex(context(capacity));
    }

    private static OffHeapBlockIndex.Context context(final int capacity)
    {
        return new OffHeapBlockIndex.Context().maxBlocks(capacity).maxOwners(OWNERS).initialTableEntries(64);
    }
}
