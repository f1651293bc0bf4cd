package io.kvindex.perf.trace;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulatedEngineTest
{
    private final List<String> events = new ArrayList<>();
    private final List<long[]> removed = new ArrayList<>();
    private final List<long[]> stored = new ArrayList<>();
    private final List<Long> parents = new ArrayList<>();

    private final EngineEventListener listener = new EngineEventListener()
    {
        public void onRemoved(final long workerId, final long[] engineHashes, final int count)
        {
            events.add("removed " + count);
            final long[] copy = new long[count];
            System.arraycopy(engineHashes, 0, copy, 0, count);
            removed.add(copy);
        }

        public void onStored(
            final long workerId,
            final boolean hasParent,
            final long parentEngineHash,
            final long[] engineHashes,
            final long[] localHashes,
            final int offset,
            final int count)
        {
            events.add("stored " + count + (hasParent ? " under parent" : " under root"));
            final long[] copy = new long[count];
            System.arraycopy(engineHashes, offset, copy, 0, count);
            stored.add(copy);
            parents.add(hasParent ? parentEngineHash : null);
        }
    };

    @Test
    void shouldStoreOnlyTheMissingBlocksUnderTheLastHeldOne()
    {
        final SimulatedEngine engine = new SimulatedEngine(1, 100, 7);

        assertEquals(0, engine.admit(new long[]{1, 2, 3}, 3, listener));
        assertEquals(2, engine.admit(new long[]{1, 2, 9, 10}, 4, listener));

        assertEquals(List.of("stored 3 under root", "stored 2 under parent"), events);
        assertEquals(engine.engineHash(new long[]{1, 2}, 2), parents.get(1));
        assertEquals(engine.engineHash(new long[]{1, 2, 9}, 3), stored.get(1)[0]);
        assertEquals(5, engine.cachedBlocks());
        assertEquals(3, engine.matchedBlocks(new long[]{1, 2, 9, 11}, 4));
    }

    @Test
    void shouldChainEngineHashesWithAPerEngineSeed()
    {
        final SimulatedEngine a = new SimulatedEngine(1, 10, 1);
        final SimulatedEngine b = new SimulatedEngine(2, 10, 2);

        assertNotEquals(a.engineHash(new long[]{5}, 1), b.engineHash(new long[]{5}, 1));
        assertNotEquals(a.engineHash(new long[]{5, 6}, 2), a.engineHash(new long[]{4, 6}, 2));
    }

    @Test
    void shouldEvictLeastRecentlyUsedLeavesFirst()
    {
        final SimulatedEngine engine = new SimulatedEngine(1, 5, 3);
        engine.admit(new long[]{1, 2, 3}, 3, listener);
        engine.admit(new long[]{1, 4}, 2, listener);
        events.clear();

        engine.admit(new long[]{8, 9, 10}, 3, listener);

        assertEquals(List.of("removed 2", "stored 3 under root"), events);
        assertArrayEquals(new long[]{
            engine.engineHash(new long[]{1, 2, 3}, 3),
            engine.engineHash(new long[]{1, 2}, 2)}, removed.get(0));
        assertEquals(2, engine.matchedBlocks(new long[]{1, 4}, 2));
        assertEquals(0, engine.matchedBlocks(new long[]{1, 2}, 2) - 1);
        assertEquals(5, engine.cachedBlocks());
        assertEquals(2, engine.evictedBlocks());
    }

    @Test
    void shouldNeverEvictThePrefixTheRequestReuses()
    {
        final SimulatedEngine engine = new SimulatedEngine(1, 4, 3);
        engine.admit(new long[]{1, 2}, 2, listener);
        engine.admit(new long[]{5, 6}, 2, listener);
        events.clear();

        assertEquals(2, engine.admit(new long[]{1, 2, 3, 4}, 4, listener));

        assertEquals(List.of("removed 2", "stored 2 under parent"), events);
        assertEquals(4, engine.matchedBlocks(new long[]{1, 2, 3, 4}, 4));
        assertEquals(0, engine.matchedBlocks(new long[]{5}, 1));
    }

    @Test
    void shouldCutPromptsLongerThanTheCapacity()
    {
        final SimulatedEngine engine = new SimulatedEngine(1, 2, 3);

        engine.admit(new long[]{1, 2, 3}, 3, listener);

        assertEquals(List.of("stored 2 under root"), events);
        assertTrue(engine.matchedBlocks(new long[]{1, 2}, 2) == 2);
        assertFalse(engine.cachedBlocks() > 2);
    }
}
