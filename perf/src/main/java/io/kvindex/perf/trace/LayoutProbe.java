package io.kvindex.perf.trace;

import io.kvindex.index.BlockIndex;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.index.OverlapScores;
import org.HdrHistogram.Histogram;

/**
 * Counts how queries find their children, and times a window's queries read-only.
 */
final class LayoutProbe implements StreamReplayer.QueryProbe
{
    private final ReplayStream stream;
    private final long[] hashes;
    private final long[] steps = new long[2];
    private final OverlapScores scores;
    private final Histogram latencies = new Histogram(IndexMeasurement.HISTOGRAM_MAX_NS, 3);
    private long queries;
    private long walked;
    private long nanos;

    LayoutProbe(final ReplayStream stream)
    {
        this.stream = stream;
        this.hashes = new long[Math.max(1, stream.maxCount())];
        this.scores = new OverlapScores(Math.max(1, stream.workers()));
    }

    void resetSteps()
    {
        steps[0] = 0;
        steps[1] = 0;
        queries = 0;
    }

    public void onQuery(final BlockIndex index, final int op, final int query)
    {
        System.arraycopy(stream.data(), stream.offset(op), hashes, 0, stream.count(op));
        ((OffHeapBlockIndex)index).layoutSteps(hashes, stream.walkedBlocks(query), steps);
        queries++;
    }

    void timeQueries(final OffHeapBlockIndex index, final int from, final int to, final int repeats)
    {
        latencies.reset();
        walked = 0;
        nanos = 0;
        for (int r = 0; r < repeats; r++)
        {
            for (int i = from; i < to; i++)
            {
                if (ReplayStream.QUERY != stream.kind(i))
                {
                    continue;
                }
                final int count = stream.count(i);
                System.arraycopy(stream.data(), stream.offset(i), hashes, 0, count);
                final long start = System.nanoTime();
                index.findMatches(hashes, count, scores);
                final long took = System.nanoTime() - start;
                nanos += took;
                latencies.recordValue(took);
                int most = 0;
                for (int s = 0; s < scores.size(); s++)
                {
                    most = Math.max(most, scores.matchedBlocks(s));
                }
                walked += most;
            }
        }
    }

    long nextRecordSteps()
    {
        return steps[0];
    }

    long steps()
    {
        return steps[0] + steps[1];
    }

    long queries()
    {
        return queries;
    }

    double walkedBlocksPerSecond()
    {
        return nanos > 0 ? walked * 1e9 / nanos : 0;
    }

    Histogram latencies()
    {
        return latencies;
    }
}
