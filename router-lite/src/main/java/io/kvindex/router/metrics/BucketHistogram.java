package io.kvindex.router.metrics;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A Prometheus histogram with fixed upper bounds: one writer thread records (ordered stores, no locks, no allocation),
 * any thread renders the text exposition. Bucket counts are kept per bucket and summed when rendered, so that a reader
 * sees cumulative counts that never decrease; {@code _sum} and {@code _count} may lag the buckets by the one value
 * being recorded.
 */
final class BucketHistogram
{
    private final String name;
    private final String help;
    private final double[] upperBounds;
    private final String[] boundLabels;
    private final double scale;
    private final AtomicLongArray counts;
    private final AtomicLongArray sumAndCount = new AtomicLongArray(2);

    /**
     * @param name        metric name.
     * @param help        help text.
     * @param upperBounds bucket upper bounds in the rendered unit, ascending; {@code +Inf} is added.
     * @param scale       factor from the recorded value to the rendered unit.
     */
    BucketHistogram(final String name, final String help, final double[] upperBounds, final double scale)
    {
        this.name = name;
        this.help = help;
        this.upperBounds = upperBounds.clone();
        this.scale = scale;
        this.boundLabels = new String[upperBounds.length];
        for (int i = 0; i < upperBounds.length; i++)
        {
            boundLabels[i] = Double.toString(upperBounds[i]);
        }
        this.counts = new AtomicLongArray(upperBounds.length + 1);
    }

    /**
     * Record one value, in the recorded unit (scaled to the rendered unit here). Writer thread only.
     *
     * @param value the value.
     */
    void record(final double value)
    {
        final double scaled = value * scale;
        int bucket = 0;
        while (bucket < upperBounds.length && scaled > upperBounds[bucket])
        {
            bucket++;
        }
        counts.lazySet(bucket, counts.get(bucket) + 1);
        final double sum = Double.longBitsToDouble(sumAndCount.get(0)) + scaled;
        sumAndCount.lazySet(0, Double.doubleToRawLongBits(sum));
        sumAndCount.lazySet(1, sumAndCount.get(1) + 1);
    }

    long count()
    {
        return sumAndCount.get(1);
    }

    double sum()
    {
        return Double.longBitsToDouble(sumAndCount.get(0));
    }

    void render(final Appendable out) throws IOException
    {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
        long cumulative = 0;
        for (int i = 0; i <= upperBounds.length; i++)
        {
            cumulative += counts.get(i);
            out.append(name).append("_bucket{le=\"").append(i < upperBounds.length ? boundLabels[i] : "+Inf")
                .append("\"} ").append(Long.toString(cumulative)).append('\n');
        }
        out.append(name).append("_sum ").append(Double.toString(sum())).append('\n');
        out.append(name).append("_count ").append(Long.toString(cumulative)).append('\n');
    }
}
