package io.kvindex.index;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OffHeapBlockIndexTest
{
    private final OffHeapBlockIndex index = new OffHeapBlockIndex(
        new OffHeapBlockIndex.Context().maxBlocks(10_000).maxOwners(300).initialTableEntries(16));
    private final OverlapScores scores = new OverlapScores(300);

    @AfterEach
    void close()
    {
        index.close();
    }

    @Test
    void shouldKeepAStoredChainInConsecutiveRecords()
    {
        final long[] local = chain(1000, 32);
        assertEquals(EventStatus.OK, index.store(1, 0, false, 0, local, local, 32));

        assertEquals(32, index.liveBlocks());
        assertEquals(0, index.branchEntries());
        index.findMatches(local, 32, scores);
        assertEquals(1, scores.size());
        assertEquals(32, scores.matchedBlocks(1, 0));
    }

    @Test
    void shouldPutOnlyBranchPointsInTheTable()
    {
        final long[] a = chain(1000, 16);
        final long[] b = chain(1000, 16);
        b[8] = 5555;
        b[9] = 5556;
        assertEquals(EventStatus.OK, index.store(1, 0, false, 0, a, a, 16));
        assertEquals(EventStatus.OK, index.store(2, 0, false, 0, b, b, 16));

        assertEquals(16 + 8, index.liveBlocks());
        assertEquals(1, index.branchEntries());
        index.findMatches(b, 16, scores);
        assertEquals(8, scores.matchedBlocks(1, 0));
        assertEquals(16, scores.matchedBlocks(2, 0));
    }

    @Test
    void shouldCountLayoutStepsByHowEachChildWasFound()
    {
        final long[] a = chain(1000, 16);
        final long[] b = chain(1000, 16);
        b[8] = 5555;
        b[9] = 5556;
        assertEquals(EventStatus.OK, index.store(1, 0, false, 0, a, a, 16));
        assertEquals(EventStatus.OK, index.store(2, 0, false, 0, b, b, 16));
        final long[] steps = new long[2];

        assertEquals(16, index.layoutSteps(a, 16, steps));
        assertEquals(16, steps[0]);
        assertEquals(0, steps[1]);

        steps[0] = 0;
        assertEquals(12, index.layoutSteps(b, 12, steps));
        assertEquals(11, steps[0], "the root's child, 7 shared steps, then 3 after the branch point");
        assertEquals(1, steps[1], "the branch point");

        b[12] = 999;
        steps[0] = 0;
        steps[1] = 0;
        assertEquals(12, index.layoutSteps(b, 16, steps), "stops at the first hash without a node");
    }

    @Test
    void shouldScoreOwnersBeyondTheInlineBits()
    {
        final long[] local = chain(7, 10);
        for (int worker = 0; worker < 300; worker++)
        {
            final int blocks = 1 + worker % 10;
            final long[] engine = engineHashes(worker, local);
            assertEquals(EventStatus.OK, index.store(worker, 0, false, 0, engine, local, blocks));
        }
        index.findMatches(local, 10, scores);
        assertEquals(300, scores.size());
        for (int worker = 0; worker < 300; worker++)
        {
            assertEquals(1 + worker % 10, scores.matchedBlocks(worker, 0), "worker " + worker);
        }

        for (int worker = 0; worker < 300; worker += 2)
        {
            final long[] engine = engineHashes(worker, local);
            assertEquals(EventStatus.OK, index.remove(worker, 0, new long[]{ engine[0] }, 1));
        }
        index.findMatches(local, 10, scores);
        assertEquals(150, scores.size());
    }

    @Test
    void shouldServeFourThousandOwnersWithQueriesThatCostThePathNotTheFleet()
    {
        final int owners = 4096;
        final OverlapScores wide = new OverlapScores(owners);
        try (OffHeapBlockIndex fleet = new OffHeapBlockIndex(
            new OffHeapBlockIndex.Context().maxBlocks(200_000).maxOwners(owners)))
        {
            final long[] shared = chain(3, 8);
            for (int worker = 0; worker < owners; worker++)
            {
                final long[] local = shared.clone();
                local[4 + worker % 4] = 7_000_000L + worker;
                assertEquals(EventStatus.OK, fleet.store(worker, worker % 2, false, 0, local, local, 8));
            }
            assertEquals(owners, fleet.ownerCount());

            fleet.findMatches(shared, 8, wide);
            assertEquals(owners, wide.size());
            for (int i = 0; i < wide.size(); i++)
            {
                assertEquals(4 + wide.workerId(i) % 4, wide.matchedBlocks(i));
                assertEquals(8, wide.treeSize(i));
            }

            final long[] mine = shared.clone();
            mine[4] = 7_000_000L + 4092;
            fleet.findMatches(mine, 8, wide);
            assertEquals(owners, wide.size());
            assertEquals(8, wide.matchedBlocks(4092, 0));

            for (int worker = 0; worker < owners; worker++)
            {
                assertEquals(EventStatus.OK, fleet.removeWorker(worker));
            }
            assertEquals(0, fleet.liveBlocks());
            assertEquals(0, fleet.ownerCount());
        }
    }

    @Test
    void shouldAgreeWithReferenceWhenOwnerSlotsFoldIntoTheWordSummary()
    {
        final int owners = 9000;
        final Random random = new Random(17);
        final OverlapScores expected = new OverlapScores(owners);
        final OverlapScores actual = new OverlapScores(owners);
        try (OffHeapBlockIndex fleet = new OffHeapBlockIndex(
            new OffHeapBlockIndex.Context().maxBlocks(100_000).maxOwners(owners));
            ReferenceBlockIndex reference = new ReferenceBlockIndex(100_000, owners))
        {
            final long[][] paths = new long[8][];
            for (int p = 0; p < paths.length; p++)
            {
                paths[p] = chain(3, 6);
                paths[p][2 + p % 4] = 9_000_000L + p;
            }
            for (int round = 0; round < 3; round++)
            {
                for (int worker = 0; worker < owners; worker++)
                {
                    final long[] path = paths[random.nextInt(paths.length)];
                    final int blocks = 1 + random.nextInt(6);
                    assertEquals(reference.store(worker, 0, false, 0, path, path, blocks),
                        fleet.store(worker, 0, false, 0, path, path, blocks));
                    if (random.nextInt(3) == 0)
                    {
                        final long[] gone = { path[random.nextInt(blocks)] };
                        assertEquals(reference.remove(worker, 0, gone, 1), fleet.remove(worker, 0, gone, 1));
                    }
                }
                for (final long[] path : paths)
                {
                    reference.findMatches(path, 6, expected);
                    fleet.findMatches(path, 6, actual);
                    assertEquals(expected.size(), actual.size());
                    for (int i = 0; i < expected.size(); i++)
                    {
                        assertEquals(expected.matchedBlocks(i),
                            actual.matchedBlocks(expected.workerId(i), expected.dpRank(i)));
                    }
                }
                for (int worker = round; worker < owners; worker += 3)
                {
                    assertEquals(reference.clear(worker), fleet.clear(worker));
                }
            }
            for (int worker = 0; worker < owners; worker++)
            {
                fleet.removeWorker(worker);
            }
            assertEquals(0, fleet.liveBlocks());
            assertEquals(NodeRecords.RECORD_LENGTH, fleet.usedBytes());
        }
    }

    @Test
    void shouldFlagAResultHolderTooSmallForTheOwners()
    {
        final long[] local = chain(4, 3);
        for (int worker = 0; worker < 5; worker++)
        {
            index.store(worker, 0, false, 0, local, local, 3);
        }
        final OverlapScores small = new OverlapScores(3);
        index.findMatches(local, 3, small);
        assertEquals(3, small.size());
        assertTrue(small.truncated());
        index.findMatches(local, 3, scores);
        assertEquals(5, scores.size());
        assertTrue(!scores.truncated());
    }

    @Test
    void shouldCountEveryOutcomeByEventType()
    {
        final long[] local = chain(9, 4);
        index.store(1, 0, false, 0, local, local, 4);
        index.store(1, 0, true, 12345, local, local, 4);
        index.store(1, 0, false, 0, new long[]{ local[1] }, new long[]{ 99 }, 1);
        index.remove(1, 0, new long[]{ local[3], 777 }, 2);
        index.remove(1, 0, new long[]{ local[2] }, 1);
        index.clear(1);
        index.removeWorker(1);
        index.removeWorker(1);

        final EventCounters counters = index.counters();
        assertEquals(1, counters.get(EventType.STORED, EventStatus.OK));
        assertEquals(1, counters.get(EventType.STORED, EventStatus.PARENT_BLOCK_NOT_FOUND));
        assertEquals(1, counters.get(EventType.STORED, EventStatus.INVALID_BLOCK));
        assertEquals(1, counters.get(EventType.REMOVED, EventStatus.BLOCK_NOT_FOUND));
        assertEquals(1, counters.get(EventType.REMOVED, EventStatus.OK));
        assertEquals(1, counters.get(EventType.CLEARED, EventStatus.OK));
        assertEquals(1, counters.get(EventType.REMOVE_WORKER, EventStatus.OK));
        assertEquals(1, counters.get(EventType.REMOVE_WORKER, EventStatus.BLOCK_NOT_FOUND));
        assertEquals(3, counters.total(EventType.STORED));
    }

    @Test
    void shouldRefuseStoresWhenFullAndCountThem()
    {
        try (OffHeapBlockIndex small = new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(10)))
        {
            final long[] local = chain(5, 12);
            assertEquals(EventStatus.CAPACITY_EXCEEDED, small.store(1, 0, false, 0, local, local, 12));
            assertEquals(0, small.liveBlocks());
            assertEquals(EventStatus.OK, small.store(1, 0, false, 0, local, local, 10));
            assertEquals(EventStatus.CAPACITY_EXCEEDED, small.store(2, 0, false, 0, local, local, 11));
            assertEquals(EventStatus.OK, small.store(2, 0, false, 0, local, local, 10));
            assertEquals(2, small.counters().get(EventType.STORED, EventStatus.CAPACITY_EXCEEDED));
            assertEquals(10, small.liveBlocks());
            small.findMatches(local, 12, scores);
            assertEquals(10, scores.matchedBlocks(1, 0));
            assertEquals(10, scores.matchedBlocks(2, 0));
        }
    }

    @Test
    void shouldReturnToTheEmptyFootprintAfterALongRandomRun()
    {
        final long empty = index.usedBytes();
        final Random random = new Random(42);
        final long[] engine = new long[64];
        final long[] local = new long[64];
        for (int op = 0; op < 200_000; op++)
        {
            final int worker = random.nextInt(200);
            final int length = 1 + random.nextInt(40);
            final int prefix = random.nextInt(30);
            for (int i = 0; i < length; i++)
            {
                local[i] = i < 3 ? i + 1 : (i < prefix ? 100 + i : random.nextInt(50) * 1000L + i);
                engine[i] = worker % 3 == 0 ? local[i] * 31 + i : (worker * 1_000_003L) ^ (local[i] * 7 + i);
            }
            final int action = random.nextInt(10);
            if (action < 6)
            {
                index.store(worker, random.nextInt(2), false, 0, engine, local, length);
            }
            else if (action < 9)
            {
                index.remove(worker, random.nextInt(2), engine, 1 + random.nextInt(3));
            }
            else
            {
                index.clear(worker);
            }
        }
        assertTrue(index.liveBlocks() > 0);
        for (int worker = 0; worker < 200; worker++)
        {
            index.clear(worker);
        }
        assertEquals(0, index.liveBlocks());
        assertEquals(0, index.memberships());
        assertEquals(empty, index.usedBytes());
    }

    private static long[] chain(final long seed, final int length)
    {
        final long[] hashes = new long[length];
        for (int i = 0; i < length; i++)
        {
            hashes[i] = seed * 1_000_000L + i;
        }
        return hashes;
    }

    private static long[] engineHashes(final long worker, final long[] local)
    {
        final long[] engine = new long[local.length];
        for (int i = 0; i < local.length; i++)
        {
            engine[i] = worker % 2 == 0 ? local[i] : local[i] ^ (worker << 40);
        }
        return engine;
    }
}
