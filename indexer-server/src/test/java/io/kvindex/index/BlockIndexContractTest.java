package io.kvindex.index;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.kvindex.index.EventStatus.BLOCK_NOT_FOUND;
import static io.kvindex.index.EventStatus.CAPACITY_EXCEEDED;
import static io.kvindex.index.EventStatus.INVALID_BLOCK;
import static io.kvindex.index.EventStatus.OK;
import static io.kvindex.index.EventStatus.PARENT_BLOCK_NOT_FOUND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link BlockIndex} shares ({@code spec/dynamo-compat.md} section 2); each implementation
 * runs it through a subclass. Local hashes are small numbers; owner A's engine hash of local {@code n} on the
 * main chain is {@code 100 + n}, owner B's {@code 200 + n}.
 */
public abstract class BlockIndexContractTest
{
    private static final long W1 = 1;
    private static final long W2 = 2;
    private static final long W3 = 0xFFFF_FFFF_FFFF_FFF0L;
    private static final int MAX_OWNERS = 64;

    private final List<BlockIndex> indexes = new ArrayList<>();
    private final OverlapScores scores = new OverlapScores(MAX_OWNERS);
    private BlockIndex index;

    /**
     * A new empty index of the implementation under test.
     *
     * @param maxBlocks the most tree nodes it may hold.
     * @param maxOwners the most owners it may know.
     * @return the index.
     */
    protected abstract BlockIndex newIndex(int maxBlocks, int maxOwners);

    @BeforeEach
    void setUp()
    {
        index = create(4096, MAX_OWNERS);
    }

    @AfterEach
    void tearDown()
    {
        for (final BlockIndex created : indexes)
        {
            created.close();
        }
    }

    @Test
    void shouldStoreChainUnderRootAndMatchIt()
    {
        assertEquals(OK, store(index, W1, 0, longs(101, 102, 103), longs(1, 2, 3)));

        assertEquals(3, matched(index, W1, 0, 1, 2, 3));
        assertEquals(2, matched(index, W1, 0, 1, 2));
        assertEquals(3, matched(index, W1, 0, 1, 2, 3, 4));
        assertEquals(3, index.treeSize(W1, 0));
        assertEquals(1, index.ownerCount());
    }

    @Test
    void shouldContinueChainUnderParent()
    {
        assertEquals(OK, store(index, W1, 0, longs(101, 102), longs(1, 2)));

        assertEquals(OK, storeUnder(index, W1, 0, 102, longs(103, 104), longs(3, 4)));
        assertEquals(OK, storeUnder(index, W1, 0, 101, longs(105), longs(5)));

        assertEquals(4, matched(index, W1, 0, 1, 2, 3, 4));
        assertEquals(2, matched(index, W1, 0, 1, 5));
        assertEquals(5, index.treeSize(W1, 0));
    }

    @Test
    void shouldRejectStoreWithUnknownParent()
    {
        store(index, W1, 0, longs(101), longs(1));
        final Map<?, ?> before = IndexEquivalence.canonicalForm(index);

        assertEquals(PARENT_BLOCK_NOT_FOUND, storeUnder(index, W1, 0, 999, longs(102, 103), longs(2, 3)));

        assertEquals(before, IndexEquivalence.canonicalForm(index));
        assertEquals(1, index.treeSize(W1, 0));
    }

    @Test
    void shouldRejectStoreUnderParentOfAnotherOwner()
    {
        store(index, W1, 0, longs(101), longs(1));

        assertEquals(PARENT_BLOCK_NOT_FOUND, storeUnder(index, W2, 0, 101, longs(102), longs(2)));
        assertEquals(PARENT_BLOCK_NOT_FOUND, storeUnder(index, W1, 1, 101, longs(102), longs(2)));

        assertEquals(1, index.ownerCount());
        assertEquals(0, index.treeSize(W2, 0));
        assertEquals(0, index.treeSize(W1, 1));
        assertEquals(1, matched(index, W1, 0, 1, 2));
    }

    @Test
    void shouldRejectEmptyStoreWithUnknownParent()
    {
        assertEquals(PARENT_BLOCK_NOT_FOUND, index.store(W1, 0, true, 999, longs(), longs(), 0));
        store(index, W1, 0, longs(101), longs(1));
        assertEquals(PARENT_BLOCK_NOT_FOUND, index.store(W1, 0, true, 999, longs(), longs(), 0));
    }

    @Test
    void shouldIgnoreEmptyStore()
    {
        assertEquals(OK, index.store(W1, 0, false, 0, longs(), longs(), 0));
        assertEquals(0, index.ownerCount());

        store(index, W1, 0, longs(101), longs(1));
        assertEquals(OK, index.store(W1, 0, true, 101, longs(), longs(), 0));
        assertEquals(1, index.treeSize(W1, 0));
        assertEquals(1, index.ownerCount());
    }

    @Test
    void shouldHonourCountOverArrayLength()
    {
        assertEquals(OK, index.store(W1, 0, false, 0, longs(101, 102, 103), longs(1, 2, 3), 2));

        assertEquals(2, index.treeSize(W1, 0));
        index.findMatches(longs(1, 2, 3), 1, scores);
        assertEquals(1, scores.matchedBlocks(W1, 0));
        assertEquals(OK, index.remove(W1, 0, longs(102, 999), 1));
        assertEquals(1, index.treeSize(W1, 0));
    }

    @Test
    void shouldBeIdempotentOnReStore()
    {
        store(index, W1, 0, longs(101, 102, 103), longs(1, 2, 3));
        final Map<?, ?> before = IndexEquivalence.canonicalForm(index);

        assertEquals(OK, store(index, W1, 0, longs(101, 102, 103), longs(1, 2, 3)));
        assertEquals(OK, store(index, W1, 0, longs(101), longs(1)));
        assertEquals(OK, storeUnder(index, W1, 0, 101, longs(102, 103), longs(2, 3)));

        assertEquals(before, IndexEquivalence.canonicalForm(index));
        assertEquals(3, index.treeSize(W1, 0));
        assertEquals(1, index.ownerCount());
    }

    @Test
    void shouldExtendChainWhenReStoringItsPrefix()
    {
        store(index, W1, 0, longs(101, 102), longs(1, 2));

        assertEquals(OK, store(index, W1, 0, longs(101, 102, 103, 104), longs(1, 2, 3, 4)));

        assertEquals(4, index.treeSize(W1, 0));
        assertEquals(4, matched(index, W1, 0, 1, 2, 3, 4));
    }

    @Test
    void shouldSupportDifferentEngineHashesForSamePrefix()
    {
        assertEquals(OK, store(index, W1, 0, longs(101, 102), longs(1, 2)));
        assertEquals(OK, store(index, W2, 0, longs(201, 202), longs(1, 2)));

        assertEquals(OK, storeUnder(index, W1, 0, 102, longs(103), longs(3)));
        assertEquals(OK, storeUnder(index, W2, 0, 202, longs(203), longs(3)));
        assertEquals(PARENT_BLOCK_NOT_FOUND, storeUnder(index, W1, 0, 202, longs(104), longs(4)));
        assertEquals(3, matched(index, W1, 0, 1, 2, 3));
        assertEquals(3, matched(index, W2, 0, 1, 2, 3));

        assertEquals(BLOCK_NOT_FOUND, remove(index, W1, 0, 202));
        assertEquals(OK, remove(index, W2, 0, 202));
        assertEquals(3, matched(index, W1, 0, 1, 2, 3));
        assertEquals(1, matched(index, W2, 0, 1, 2, 3));
    }

    @Test
    void shouldLetOwnersShareEngineHashes()
    {
        store(index, W1, 0, longs(101, 102), longs(1, 2));
        store(index, W2, 0, longs(101, 102), longs(1, 2));
        store(index, W1, 1, longs(101, 102), longs(1, 2));

        assertEquals(OK, remove(index, W1, 0, 101));

        assertEquals(0, index.treeSize(W1, 0));
        assertEquals(2, matched(index, W2, 0, 1, 2));
        assertEquals(2, matched(index, W1, 1, 1, 2));
        assertEquals(OK, storeUnder(index, W2, 0, 102, longs(103), longs(3)));
    }

    @Test
    void shouldRejectConflictingEngineHash()
    {
        store(index, W1, 0, longs(101, 102), longs(1, 2));

        assertEquals(INVALID_BLOCK, store(index, W1, 0, longs(103, 101, 105), longs(3, 4, 5)));

        assertEquals(3, index.treeSize(W1, 0));
        assertEquals(1, matched(index, W1, 0, 3, 4, 5));
        assertEquals(2, matched(index, W1, 0, 1, 2));
        assertEquals(OK, storeUnder(index, W1, 0, 103, longs(104), longs(4)));
        assertEquals(2, matched(index, W1, 0, 3, 4, 5));
    }

    @Test
    void shouldRejectBlockHeldUnderAnotherEngineHash()
    {
        store(index, W1, 0, longs(101, 102), longs(1, 2));

        assertEquals(INVALID_BLOCK, store(index, W1, 0, longs(101, 999, 103), longs(1, 2, 3)));

        assertEquals(2, index.treeSize(W1, 0));
        assertEquals(2, matched(index, W1, 0, 1, 2, 3));
        assertEquals(BLOCK_NOT_FOUND, remove(index, W1, 0, 999));
    }

    @Test
    void shouldRejectEngineHashRepeatedWithinEvent()
    {
        assertEquals(INVALID_BLOCK, store(index, W1, 0, longs(101, 101), longs(1, 2)));

        assertEquals(1, index.treeSize(W1, 0));
        assertEquals(1, matched(index, W1, 0, 1, 2));
    }

    @Test
    void shouldAllowEngineHashReuseAfterRemove()
    {
        store(index, W1, 0, longs(101), longs(1));
        remove(index, W1, 0, 101);

        assertEquals(OK, store(index, W1, 0, longs(101), longs(7)));

        assertEquals(1, matched(index, W1, 0, 7));
        assertEquals(0, matched(index, W1, 0, 1));
    }

    @Test
    void shouldRemovePrefixClosed()
    {
        store(index, W1, 0, longs(101, 102, 103, 104), longs(1, 2, 3, 4));
        storeUnder(index, W1, 0, 102, longs(105, 106), longs(5, 6));
        store(index, W2, 0, longs(101, 102, 103, 104), longs(1, 2, 3, 4));

        assertEquals(OK, remove(index, W1, 0, 102));

        assertEquals(1, index.treeSize(W1, 0));
        assertEquals(1, matched(index, W1, 0, 1, 2, 3, 4));
        assertEquals(1, matched(index, W1, 0, 1, 2, 5, 6));
        assertEquals(4, matched(index, W2, 0, 1, 2, 3, 4));
        assertEquals(PARENT_BLOCK_NOT_FOUND, storeUnder(index, W1, 0, 104, longs(107), longs(7)));
        assertEquals(PARENT_BLOCK_NOT_FOUND, storeUnder(index, W1, 0, 106, longs(107), longs(7)));
        assertEquals(BLOCK_NOT_FOUND, remove(index, W1, 0, 103));
        assertEquals(OK, storeUnder(index, W1, 0, 101, longs(102), longs(2)));
        assertEquals(2, matched(index, W1, 0, 1, 2, 3, 4));
    }

    @Test
    void shouldCountBlockNotFoundAndApplyTheRest()
    {
        store(index, W1, 0, longs(101, 102, 103), longs(1, 2, 3));
        store(index, W1, 0, longs(111), longs(11));

        assertEquals(BLOCK_NOT_FOUND, remove(index, W1, 0, 999, 103, 111));

        assertEquals(2, index.treeSize(W1, 0));
        assertEquals(2, matched(index, W1, 0, 1, 2, 3));
        assertEquals(0, matched(index, W1, 0, 11));
    }

    @Test
    void shouldNotCountDescendantRemovedEarlierInSameEventAsNotFound()
    {
        store(index, W1, 0, longs(101, 102, 103), longs(1, 2, 3));
        store(index, W2, 0, longs(201, 202, 203), longs(1, 2, 3));

        assertEquals(OK, remove(index, W1, 0, 102, 103));
        assertEquals(OK, remove(index, W2, 0, 203, 202));

        assertEquals(1, index.treeSize(W1, 0));
        assertEquals(1, index.treeSize(W2, 0));
    }

    @Test
    void shouldReturnBlockNotFoundForUnknownOwner()
    {
        store(index, W1, 0, longs(101), longs(1));

        assertEquals(BLOCK_NOT_FOUND, remove(index, W2, 0, 101));
        assertEquals(BLOCK_NOT_FOUND, remove(index, W1, 1, 101));
        assertEquals(OK, index.remove(W2, 0, longs(), 0));

        assertEquals(1, index.ownerCount());
        assertEquals(1, index.treeSize(W1, 0));
    }

    @Test
    void shouldReleaseNodesWhenLastOwnerRemovesThem()
    {
        final BlockIndex small = create(4, 8);
        assertEquals(OK, store(small, W1, 0, longs(101, 102, 103, 104), longs(1, 2, 3, 4)));
        assertEquals(OK, store(small, W2, 0, longs(201, 202, 203, 204), longs(1, 2, 3, 4)));

        assertEquals(OK, remove(small, W1, 0, 101));
        assertEquals(CAPACITY_EXCEEDED, store(small, W1, 0, longs(105), longs(5)));
        assertEquals(OK, remove(small, W2, 0, 202));
        assertEquals(OK, store(small, W1, 0, longs(105, 106, 107), longs(5, 6, 7)));
        assertEquals(CAPACITY_EXCEEDED, store(small, W1, 0, longs(108), longs(8)));
    }

    @Test
    void shouldRefuseStoreWhenFull()
    {
        final BlockIndex small = create(3, 8);
        store(small, W1, 0, longs(101, 102), longs(1, 2));
        final Map<?, ?> before = IndexEquivalence.canonicalForm(small);

        assertEquals(CAPACITY_EXCEEDED, store(small, W1, 0, longs(101, 102, 103, 104), longs(1, 2, 3, 4)));
        assertEquals(CAPACITY_EXCEEDED, store(small, W2, 0, longs(205, 206), longs(5, 6)));

        assertEquals(before, IndexEquivalence.canonicalForm(small));
        assertEquals(1, small.ownerCount());
        assertEquals(OK, storeUnder(small, W1, 0, 102, longs(103), longs(3)));
        assertEquals(CAPACITY_EXCEEDED, store(small, W1, 0, longs(109), longs(9)));
        assertEquals(OK, store(small, W2, 0, longs(201, 202, 203), longs(1, 2, 3)));
        assertEquals(3, small.treeSize(W2, 0));
    }

    @Test
    void shouldCheckCapacityForWholeEventBeforeValidatingBlocks()
    {
        final BlockIndex small = create(3, 8);
        store(small, W1, 0, longs(101, 102), longs(1, 2));

        assertEquals(CAPACITY_EXCEEDED, store(small, W1, 0, longs(101, 999, 103, 104), longs(1, 2, 3, 4)));
        assertEquals(INVALID_BLOCK, store(small, W1, 0, longs(101, 999, 103), longs(1, 2, 3)));

        assertEquals(2, small.treeSize(W1, 0));
    }

    @Test
    void shouldRefuseNewOwnerWhenOwnersFull()
    {
        final BlockIndex small = create(100, 2);
        store(small, W1, 0, longs(101), longs(1));
        store(small, W1, 1, longs(101), longs(1));

        assertEquals(CAPACITY_EXCEEDED, store(small, W2, 0, longs(201), longs(1)));
        assertEquals(OK, small.clear(W1));
        assertEquals(CAPACITY_EXCEEDED, store(small, W2, 0, longs(201), longs(1)));
        assertEquals(OK, small.removeWorker(W1, 1));
        assertEquals(OK, store(small, W2, 0, longs(201), longs(1)));

        assertEquals(2, small.ownerCount());
        assertEquals(1, small.treeSize(W2, 0));
    }

    @Test
    void shouldClearAllDpRanksOfWorker()
    {
        store(index, W1, 0, longs(101, 102), longs(1, 2));
        store(index, W1, 1, longs(101, 102), longs(1, 2));
        store(index, W1, 2, longs(111), longs(11));
        store(index, W2, 0, longs(201, 202), longs(1, 2));

        assertEquals(OK, index.clear(W1));

        for (int dpRank = 0; dpRank < 3; dpRank++)
        {
            assertEquals(0, index.treeSize(W1, dpRank));
        }
        index.findMatches(longs(1, 2), 2, scores);
        assertEquals(1, scores.size());
        assertEquals(2, scores.matchedBlocks(W2, 0));
        assertEquals(2, index.treeSize(W2, 0));
    }

    @Test
    void shouldKeepWorkerKnownAfterClear()
    {
        store(index, W1, 0, longs(101, 102), longs(1, 2));
        store(index, W1, 1, longs(101, 102), longs(1, 2));

        index.clear(W1);

        assertEquals(2, index.ownerCount());
        assertEquals(PARENT_BLOCK_NOT_FOUND, storeUnder(index, W1, 0, 102, longs(103), longs(3)));
        assertEquals(OK, store(index, W1, 0, longs(101), longs(1)));
        assertEquals(2, index.ownerCount());
        assertEquals(OK, index.removeWorker(W1, 1));
        assertEquals(1, index.ownerCount());
    }

    @Test
    void shouldReturnOkWhenClearingUnknownWorker()
    {
        assertEquals(OK, index.clear(W1));
        assertEquals(0, index.ownerCount());
    }

    @Test
    void shouldReleaseNodesOnClear()
    {
        final BlockIndex small = create(3, 8);
        store(small, W1, 0, longs(101, 102, 103), longs(1, 2, 3));

        small.clear(W1);

        assertEquals(OK, store(small, W1, 0, longs(104, 105, 106), longs(4, 5, 6)));
    }

    @Test
    void shouldForgetWorkerOnRemoveWorker()
    {
        store(index, W1, 0, longs(101, 102), longs(1, 2));
        store(index, W1, 1, longs(101, 102), longs(1, 2));
        store(index, W2, 0, longs(201, 202), longs(1, 2));

        assertEquals(OK, index.removeWorker(W1));

        assertEquals(1, index.ownerCount());
        assertEquals(0, index.treeSize(W1, 0));
        assertEquals(0, index.treeSize(W1, 1));
        assertEquals(0, matched(index, W1, 0, 1, 2));
        assertEquals(2, matched(index, W2, 0, 1, 2));
        assertEquals(BLOCK_NOT_FOUND, index.removeWorker(W1));
        assertEquals(PARENT_BLOCK_NOT_FOUND, storeUnder(index, W1, 0, 102, longs(103), longs(3)));
        assertEquals(OK, store(index, W1, 0, longs(101), longs(1)));
        assertEquals(2, index.ownerCount());
    }

    @Test
    void shouldRemoveOneDpRank()
    {
        store(index, W1, 0, longs(101, 102), longs(1, 2));
        store(index, W1, 1, longs(101, 102), longs(1, 2));

        assertEquals(OK, index.removeWorker(W1, 1));

        assertEquals(1, index.ownerCount());
        assertEquals(0, index.treeSize(W1, 1));
        assertEquals(2, matched(index, W1, 0, 1, 2));
        assertEquals(BLOCK_NOT_FOUND, index.removeWorker(W1, 1));
        assertEquals(BLOCK_NOT_FOUND, index.removeWorker(W1, 7));
        assertEquals(OK, index.removeWorker(W1, 0));
        assertEquals(0, index.ownerCount());
        assertEquals(BLOCK_NOT_FOUND, index.removeWorker(W1));
    }

    @Test
    void shouldReturnBlockNotFoundWhenRemovingUnknownWorker()
    {
        assertEquals(BLOCK_NOT_FOUND, index.removeWorker(W1));
        assertEquals(BLOCK_NOT_FOUND, index.removeWorker(W1, 0));
    }

    @Test
    void shouldReleaseNodesOnRemoveWorker()
    {
        final BlockIndex small = create(3, 8);
        store(small, W1, 0, longs(101, 102), longs(1, 2));
        store(small, W1, 1, longs(111), longs(11));

        small.removeWorker(W1);

        assertEquals(OK, store(small, W2, 0, longs(204, 205, 206), longs(4, 5, 6)));
    }

    @Test
    void shouldOmitOwnersAtZero()
    {
        store(index, W1, 0, longs(101, 102), longs(1, 2));
        store(index, W2, 0, longs(202, 203), longs(2, 3));
        store(index, W3, 0, longs(301), longs(1));

        index.findMatches(longs(1, 2, 3), 3, scores);

        assertEquals(2, scores.size());
        assertEquals(2, scores.matchedBlocks(W1, 0));
        assertEquals(1, scores.matchedBlocks(W3, 0));
        for (int i = 0; i < scores.size(); i++)
        {
            assertTrue(scores.matchedBlocks(i) > 0, scores::toString);
        }
        index.findMatches(longs(9, 1, 2), 3, scores);
        assertEquals(0, scores.size());
        index.findMatches(longs(1, 2), 0, scores);
        assertEquals(0, scores.size());
    }

    @Test
    void shouldMatchOnlyConsecutiveBlocksFromFirst()
    {
        store(index, W1, 0, longs(101, 102, 103), longs(1, 2, 3));

        assertEquals(2, matched(index, W1, 0, 1, 2, 9, 3));
        assertEquals(0, matched(index, W1, 0, 2, 3));
        assertEquals(1, matched(index, W1, 0, 1, 3));
    }

    @Test
    void shouldReportTreeSizes()
    {
        store(index, W1, 0, longs(101, 102, 103), longs(1, 2, 3));
        storeUnder(index, W1, 0, 101, longs(104), longs(4));
        store(index, W2, 0, longs(201), longs(1));
        store(index, W2, 0, longs(209), longs(9));

        index.findMatches(longs(1, 2), 2, scores);

        assertEquals(2, scores.size());
        for (int i = 0; i < scores.size(); i++)
        {
            final boolean isW1 = scores.workerId(i) == W1;
            assertEquals(isW1 ? 2 : 1, scores.matchedBlocks(i));
            assertEquals(isW1 ? 4 : 2, scores.treeSize(i));
        }
        assertEquals(4, index.treeSize(W1, 0));
        assertEquals(2, index.treeSize(W2, 0));
        assertEquals(0, index.treeSize(W3, 0));
    }

    @Test
    void shouldRebuildEqualIndexFromDump()
    {
        buildVariedIndex(index);
        final BlockIndex rebuilt = create(4096, MAX_OWNERS);
        final List<String> failures = new ArrayList<>();

        index.dump((workerId, dpRank, hasParent, parentEngineHash, engineHashes, localHashes, count) ->
        {
            final int status = rebuilt.store(
                workerId, dpRank, hasParent, parentEngineHash, engineHashes, localHashes, count);
            if (OK != status)
            {
                failures.add(workerId + "/" + dpRank + ": " + EventStatus.name(status));
            }
        });

        assertEquals(List.of(), failures);
        IndexEquivalence.assertEquivalent(index, rebuilt);
        assertEquals(index.ownerCount(), rebuilt.ownerCount());
        assertEquals(203, rebuilt.treeSize(W3, 5));
    }

    @Test
    void shouldNotDumpOwnersHoldingNothing()
    {
        store(index, W1, 0, longs(101, 102), longs(1, 2));
        index.clear(W1);
        final int[] events = new int[1];

        index.dump((workerId, dpRank, hasParent, parentEngineHash, engineHashes, localHashes, count) -> events[0]++);

        assertEquals(0, events[0]);
        assertEquals(1, index.ownerCount());
    }

    private void buildVariedIndex(final BlockIndex target)
    {
        store(target, W1, 0, longs(101, 102, 103, 104), longs(1, 2, 3, 4));
        storeUnder(target, W1, 0, 102, longs(105, 106), longs(5, 6));
        storeUnder(target, W1, 0, 101, longs(107), longs(7));
        store(target, W1, 0, longs(111, 112), longs(11, 12));
        store(target, W1, 1, longs(101, 102, 103), longs(1, 2, 3));
        store(target, W2, 0, longs(201, 202, 205), longs(1, 2, 5));
        store(target, W2, 3, longs(201), longs(1));
        final long[] engineHashes = new long[200];
        final long[] localHashes = new long[200];
        for (int i = 0; i < 200; i++)
        {
            engineHashes[i] = 0x8000_0000_0000_0000L + i;
            localHashes[i] = 1000 + i;
        }
        store(target, W3, 5, longs(301, 302, 303), longs(1, 2, 3));
        storeUnder(target, W3, 5, 303, engineHashes, localHashes);
    }

    private BlockIndex create(final int maxBlocks, final int maxOwners)
    {
        final BlockIndex created = newIndex(maxBlocks, maxOwners);
        indexes.add(created);
        return created;
    }

    private int matched(final BlockIndex target, final long workerId, final int dpRank, final long... localHashes)
    {
        target.findMatches(localHashes, localHashes.length, scores);
        return scores.matchedBlocks(workerId, dpRank);
    }

    private static int store(
        final BlockIndex target, final long workerId, final int dpRank, final long[] engine, final long[] local)
    {
        return target.store(workerId, dpRank, false, 0, engine, local, engine.length);
    }

    private static int storeUnder(
        final BlockIndex target,
        final long workerId,
        final int dpRank,
        final long parent,
        final long[] engine,
        final long[] local)
    {
        return target.store(workerId, dpRank, true, parent, engine, local, engine.length);
    }

    private static int remove(final BlockIndex target, final long workerId, final int dpRank, final long... engine)
    {
        return target.remove(workerId, dpRank, engine, engine.length);
    }

    private static long[] longs(final long... values)
    {
        return values;
    }
}
