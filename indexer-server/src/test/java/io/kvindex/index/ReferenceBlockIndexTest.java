package io.kvindex.index;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReferenceBlockIndexTest extends BlockIndexContractTest
{
    @Override
    protected BlockIndex newIndex(final int maxBlocks, final int maxOwners)
    {
        return new ReferenceBlockIndex(maxBlocks, maxOwners);
    }

    @Test
    void shouldReturnToEmptyTreeWhenAllOwnersLeave()
    {
        try (ReferenceBlockIndex index = new ReferenceBlockIndex())
        {
            final long[] engine = { 11, 12, 13 };
            index.store(1, 0, false, 0, engine, new long[]{ 1, 2, 3 }, 3);
            index.store(1, 1, false, 0, engine, new long[]{ 1, 2, 4 }, 3);
            index.store(2, 0, false, 0, engine, new long[]{ 1, 5, 6 }, 3);
            assertEquals(6, index.nodeCount());

            index.remove(1, 0, engine, 1);
            assertEquals(5, index.nodeCount());
            index.clear(1);
            assertEquals(3, index.nodeCount());
            index.removeWorker(2);
            assertEquals(0, index.nodeCount());
            assertEquals(2, index.ownerCount());
        }
    }

    @Test
    void shouldRejectNegativeLimits()
    {
        assertThrows(IllegalArgumentException.class, () -> new ReferenceBlockIndex(-1));
        assertThrows(IllegalArgumentException.class, () -> new ReferenceBlockIndex(1, -1));
    }
}
