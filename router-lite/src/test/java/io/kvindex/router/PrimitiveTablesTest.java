package io.kvindex.router;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The router's primitive tables against {@code java.util} models under random operations with few distinct keys, so
 * that clusters form, wrap around and shift back on removal.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class PrimitiveTablesTest
{
    private static final int OPERATIONS = 200_000;

    @Test
    void shouldCountReferencesAsAMap()
    {
        final SplittableRandom random = new SplittableRandom(1);
        final BlockRefCounts counts = new BlockRefCounts();
        final Map<Long, Integer> model = new HashMap<>();
        for (int op = 0; op < OPERATIONS; op++)
        {
            final long key = random.nextInt(300) * 0x1000_0000_0000L;
            if (random.nextBoolean())
            {
                counts.increment(key);
                model.merge(key, 1, Integer::sum);
            }
            else
            {
                counts.decrement(key);
                model.computeIfPresent(key, (k, v) -> v > 1 ? v - 1 : null);
            }
            assertEquals(model.containsKey(key), counts.contains(key));
            assertEquals(model.size(), counts.size());
        }
        for (long k = 0; k < 300; k++)
        {
            assertEquals(model.containsKey(k * 0x1000_0000_0000L), counts.contains(k * 0x1000_0000_0000L));
        }
    }

    @Test
    void shouldKeepTimersAsAMap()
    {
        final SplittableRandom random = new SplittableRandom(2);
        final BlockTimers timers = new BlockTimers();
        final Map<Long, Long> model = new HashMap<>();
        for (int op = 0; op < OPERATIONS; op++)
        {
            final long key = random.nextInt(500) - 250;
            final long expiry = random.nextInt(4);
            if (random.nextInt(3) > 0)
            {
                final Long previous = model.put(key, expiry);
                assertEquals(null == previous ? BlockTimers.NO_EXPIRY : previous, timers.put(key, expiry, 7));
            }
            else
            {
                final boolean matches = model.containsKey(key) && model.get(key) == expiry;
                if (matches)
                {
                    model.remove(key);
                }
                assertEquals(matches, timers.removeIfExpiry(key, expiry));
            }
            assertEquals(model.getOrDefault(key, BlockTimers.NO_EXPIRY), timers.expiry(key));
            assertEquals(model.size(), timers.size());
        }
        int used = 0;
        for (int slot = 0; slot < timers.capacity(); slot++)
        {
            if (timers.isUsed(slot))
            {
                used++;
                assertEquals(model.get(timers.keyAt(slot)), timers.expiryAt(slot));
                assertEquals(7, timers.depthAt(slot));
            }
        }
        assertEquals(model.size(), used);
    }

    @Test
    void shouldMapOwnersAsAMap()
    {
        final SplittableRandom random = new SplittableRandom(3);
        final OwnerMap<String> owners = new OwnerMap<>();
        final Map<String, String> model = new HashMap<>();
        for (int op = 0; op < OPERATIONS; op++)
        {
            final long workerId = random.nextInt(40);
            final int dpRank = random.nextInt(3);
            final String key = workerId + "/" + dpRank;
            if (random.nextBoolean())
            {
                owners.put(workerId, dpRank, key);
                model.put(key, key);
            }
            else
            {
                assertEquals(model.remove(key), owners.remove(workerId, dpRank));
            }
            assertEquals(model.get(key), owners.get(workerId, dpRank));
            assertEquals(model.size(), owners.size());
        }
        assertNull(owners.get(1000, 0));
        owners.put(7, 1, "x");
        assertSame("x", owners.get(7, 1));
    }

    @Test
    void shouldPopEarliestExpiryThenDeepest()
    {
        final SplittableRandom random = new SplittableRandom(4);
        final ExpiryHeap heap = new ExpiryHeap(4);
        final PriorityQueue<long[]> model = new PriorityQueue<>((a, b) ->
            a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(b[1], a[1]));
        for (int op = 0; op < OPERATIONS; op++)
        {
            if (random.nextInt(5) < 3 || model.isEmpty())
            {
                final long expiry = random.nextInt(50);
                final int depth = random.nextInt(20);
                heap.push(expiry, op, depth, op % 11);
                model.add(new long[]{ expiry, depth });
            }
            else
            {
                final long[] expected = model.poll();
                assertEquals(expected[0], heap.topExpiry());
                assertEquals(expected[1], heap.topDepth());
                assertEquals(heap.topHash() % 11, heap.topOwner());
                heap.pop();
            }
            assertEquals(model.size(), heap.size());
        }
        assertTrue(heap.size() > 0);
    }
}
