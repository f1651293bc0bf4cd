package io.kvindex.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One writer applies a random history of events to the off-heap index while reader threads query it without
 * locks. Each answer is then checked against the reference model replayed over the same history: no owner's
 * score may exceed the largest score the reference gives it in any state the query overlapped.
 */
class ConcurrentQueryStressTest
{
    private static final int DEPTH = 24;
    private static final int QUERIES = 64;
    private static final int MAX_INTERVAL = 4_000;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldNeverOverCountWhileTheWriterReusesMemory() throws InterruptedException
    {
        run(7, 8, 2, 1_500, 300_000, 1);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldNeverOverCountOwnersBeyondTheInlineBits() throws InterruptedException
    {
        run(11, 40, 2, 2_000, 200_000, 1);
    }

    private static void run(
        final long seed, final int workers, final int dpRanks, final int maxBlocks, final int operations,
        final int readers) throws InterruptedException
    {
        final History history = new History(seed, workers, dpRanks, operations);
        final int maxOwners = workers * dpRanks;
        final OffHeapBlockIndex index = new OffHeapBlockIndex(
            new OffHeapBlockIndex.Context().maxBlocks(maxBlocks).maxOwners(maxOwners).initialTableEntries(64));
        final AtomicLong applied = new AtomicLong();
        final List<QueryLog> logs = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < readers; r++)
        {
            final QueryLog log = new QueryLog(100_000, maxOwners, r + seed);
            logs.add(log);
            final Thread reader = new Thread(() -> log.record(index, history, applied, operations), "reader-" + r);
            threads.add(reader);
            reader.start();
        }
        for (int op = 0; op < operations; op++)
        {
            history.apply(op, index);
            applied.lazySet(op + 1);
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }

        final ReferenceBlockIndex reference = new ReferenceBlockIndex(maxBlocks);
        final long checked = check(history, maxBlocks, logs, operations, dpRanks, maxOwners);
        for (int op = 0; op < operations; op++)
        {
            history.apply(op, reference);
        }
        assertTrue(checked > 1_000, "too few queries overlapped the writes: " + checked);
        final OverlapScores expected = new OverlapScores(maxOwners);
        final OverlapScores actual = new OverlapScores(maxOwners);
        for (int q = 0; q < QUERIES; q++)
        {
            reference.findMatches(history.queries[q], DEPTH, expected);
            index.findMatches(history.queries[q], DEPTH, actual);
            assertEquals(sorted(expected), sorted(actual), "final answers differ for query " + q);
        }
        index.close();
    }

    private static long check(
        final History history, final int maxBlocks, final List<QueryLog> logs, final int operations,
        final int dpRanks, final int owners)
    {
        final OverlapScores scores = new OverlapScores(owners);
        final int[][] answerAt = new int[QUERIES][owners];
        long checked = 0;
        for (final QueryLog log : logs)
        {
            final int[][] allowed = new int[log.size][owners];
            final Integer[] order = new Integer[log.size];
            for (int i = 0; i < log.size; i++)
            {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Long.compare(log.start[a], log.start[b]));
            replay(history, new ReferenceBlockIndex(maxBlocks), log, order, allowed, answerAt, scores, operations,
                dpRanks);
            for (int i = 0; i < log.size; i++)
            {
                if (log.end[i] - log.start[i] > MAX_INTERVAL)
                {
                    continue;
                }
                checked++;
                for (int e = 0; e < log.entries[i]; e++)
                {
                    final int owner = log.owner[i][e];
                    if (log.score[i][e] > allowed[i][owner])
                    {
                        fail("over-count: query " + log.query[i] + " owner " + owner + " scored " + log.score[i][e] +
                            " but the reference allows at most " + allowed[i][owner] + " in states " + log.start[i] +
                            ".." + (log.end[i] + 1));
                    }
                }
            }
        }
        return checked;
    }

    private static void replay(
        final History history, final ReferenceBlockIndex fresh, final QueryLog log, final Integer[] order,
        final int[][] allowed, final int[][] answerAt, final OverlapScores scores, final int operations,
        final int dpRanks)
    {
        int next = 0;
        final List<Integer> active = new ArrayList<>();
        for (int state = 0; state <= operations; state++)
        {
            if (state > 0)
            {
                history.apply(state - 1, fresh);
            }
            while (next < order.length && log.start[order[next]] <= state)
            {
                active.add(order[next++]);
            }
            if (active.isEmpty())
            {
                continue;
            }
            final boolean[] computed = new boolean[QUERIES];
            for (int a = active.size() - 1; a >= 0; a--)
            {
                final int i = active.get(a);
                if (log.end[i] - log.start[i] > MAX_INTERVAL)
                {
                    active.remove(a);
                    continue;
                }
                final int q = log.query[i];
                if (!computed[q])
                {
                    computed[q] = true;
                    Arrays.fill(answerAt[q], 0);
                    fresh.findMatches(history.queries[q], DEPTH, scores);
                    for (int e = 0; e < scores.size(); e++)
                    {
                        answerAt[q][(int)scores.workerId(e) * dpRanks + scores.dpRank(e)] = scores.matchedBlocks(e);
                    }
                }
                for (int owner = 0; owner < answerAt[q].length; owner++)
                {
                    allowed[i][owner] = Math.max(allowed[i][owner], answerAt[q][owner]);
                }
                if (state >= log.end[i] + 1)
                {
                    active.remove(a);
                }
            }
        }
    }

    private static List<String> sorted(final OverlapScores scores)
    {
        final List<String> list = new ArrayList<>();
        for (int i = 0; i < scores.size(); i++)
        {
            list.add(scores.workerId(i) + "/" + scores.dpRank(i) + "=" + scores.matchedBlocks(i) + " tree " +
                scores.treeSize(i));
        }
        list.sort(null);
        return list;
    }

    /**
     * A deterministic history of events over a small tree of prefixes, so that queries and writes collide.
     */
    static final class History
    {
        final long[][] queries = new long[QUERIES][DEPTH];
        private final int[] kind;
        private final int[] worker;
        private final int[] dpRank;
        private final long[] path;
        private final int[] length;
        private final int[] parentLength;
        private final int dpRanks;
        private final long[] engine = new long[DEPTH];
        private final long[] local = new long[DEPTH];
        private final long[] parentScratch = new long[DEPTH];

        History(final long seed, final int workers, final int dpRanks, final int operations)
        {
            final SplittableRandom random = new SplittableRandom(seed);
            this.dpRanks = dpRanks;
            kind = new int[operations];
            worker = new int[operations];
            dpRank = new int[operations];
            path = new long[operations];
            length = new int[operations];
            parentLength = new int[operations];
            for (int op = 0; op < operations; op++)
            {
                final int roll = random.nextInt(1000);
                kind[op] = roll < 560 ? 0 : roll < 990 ? 1 : roll < 997 ? 2 : 3;
                worker[op] = random.nextInt(workers);
                dpRank[op] = random.nextInt(dpRanks);
                path[op] = random.nextLong();
                length[op] = 1 + random.nextInt(DEPTH);
                parentLength[op] = random.nextInt(4) == 0 ? random.nextInt(length[op]) : 0;
            }
            for (int q = 0; q < QUERIES; q++)
            {
                localHashes(random.nextLong(), DEPTH, queries[q]);
            }
        }

        void apply(final int op, final BlockIndex index)
        {
            final long workerId = worker[op];
            final int rank = dpRank[op];
            switch (kind[op])
            {
                case 0:
                {
                    localHashes(path[op], length[op], local);
                    engineHashes(workerId, local, length[op], engine);
                    final int from = parentLength[op];
                    final long parent = from > 0 ? engine[from - 1] : 0;
                    System.arraycopy(engine, from, parentScratch, 0, length[op] - from);
                    System.arraycopy(local, from, local, 0, length[op] - from);
                    index.store(workerId, rank, from > 0, parent, parentScratch, local, length[op] - from);
                    break;
                }
                case 1:
                {
                    localHashes(path[op], length[op], local);
                    engineHashes(workerId, local, length[op], engine);
                    engine[0] = engine[length[op] - 1];
                    index.remove(workerId, rank, engine, 1);
                    break;
                }
                case 2:
                    index.clear(workerId);
                    break;
                default:
                    index.removeWorker(workerId, rank);
                    break;
            }
        }

        private static void localHashes(final long pathSeed, final int length, final long[] out)
        {
            long choices = pathSeed;
            for (int d = 0; d < length; d++)
            {
                final int fanOut = d < 2 ? 2 : 3;
                out[d] = d * 16L + Math.floorMod(choices, fanOut) + 1;
                choices /= fanOut;
                if (0 == choices)
                {
                    choices = pathSeed >>> 7;
                }
            }
        }

        private void engineHashes(final long workerId, final long[] local, final int length, final long[] out)
        {
            long h = workerId % 2 == 0 ? 17 : 17 + workerId * 1_000_003L;
            for (int d = 0; d < length; d++)
            {
                h = h * 31 + local[d];
                out[d] = h;
            }
        }
    }

    /**
     * What one reader saw: the query, the write history positions around it, and the scores.
     */
    static final class QueryLog
    {
        final long[] start;
        final long[] end;
        final int[] query;
        final int[] entries;
        final int[][] owner;
        final int[][] score;
        final SplittableRandom random;
        int size;

        QueryLog(final int capacity, final int owners, final long seed)
        {
            start = new long[capacity];
            end = new long[capacity];
            query = new int[capacity];
            entries = new int[capacity];
            owner = new int[capacity][owners];
            score = new int[capacity][owners];
            random = new SplittableRandom(seed);
        }

        void record(final OffHeapBlockIndex index, final History history, final AtomicLong applied, final int ops)
        {
            final OverlapScores scores = new OverlapScores(owner[0].length);
            while (applied.get() < ops && size < start.length)
            {
                final int q = random.nextInt(QUERIES);
                final long before = applied.get();
                index.findMatches(history.queries[q], DEPTH, scores);
                final long after = applied.get();
                start[size] = before;
                end[size] = after;
                query[size] = q;
                entries[size] = scores.size();
                for (int e = 0; e < scores.size(); e++)
                {
                    owner[size][e] = (int)scores.workerId(e) * history.dpRanks + scores.dpRank(e);
                    score[size][e] = scores.matchedBlocks(e);
                }
                size++;
            }
        }
    }
}
