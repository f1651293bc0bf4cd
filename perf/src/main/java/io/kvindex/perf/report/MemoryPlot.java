package io.kvindex.perf.report;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.XYStyler;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Memory against index size, from {@code MemoryFootprint --sizes} (the JSON's {@code "footprint_sizes"} list, one
 * footprint object per size): off-heap bytes used and reserved by the off-heap index, and the heap the reference
 * model holds, in MB against indexed blocks.
 */
public final class MemoryPlot
{
    private MemoryPlot()
    {
    }

    /**
     * The chart.
     *
     * @param sizes    the footprint objects, in increasing size.
     * @param subtitle appended to the title.
     * @return the chart.
     */
    public static XYChart chart(final List<Map<String, Object>> sizes, final String subtitle)
    {
        final XYChart chart = Charts.lineChart("Memory against index size" + subtitle,
            "indexed blocks (millions)", "memory (MB)");
        final XYStyler styler = chart.getStyler();
        styler.setxAxisTickLabelsFormattingFunction(Charts::number);
        styler.setyAxisTickLabelsFormattingFunction(Charts::number);
        final int n = sizes.size();
        final double[] blocks = new double[n];
        final double[] used = new double[n];
        final double[] reserved = new double[n];
        final double[] reference = new double[n];
        boolean hasOffHeap = false;
        boolean hasReference = false;
        for (int i = 0; i < n; i++)
        {
            final Map<String, Object> size = sizes.get(i);
            blocks[i] = number(object(size, "workload"), "blocks") * 1e-6;
            used[i] = number(object(size, "offheap"), "offHeapUsedBytes") * 1e-6;
            reserved[i] = number(object(size, "offheap"), "offHeapReservedBytes") * 1e-6;
            reference[i] = number(object(size, "reference"), "heapBytes") * 1e-6;
            hasOffHeap |= used[i] > 0;
            hasReference |= reference[i] > 0;
        }
        final double last = n > 0 ? blocks[n - 1] * 1e6 : 1;
        if (hasOffHeap)
        {
            Charts.addLine(chart, "offheap used" + perBlock(used[n - 1], last), blocks, used);
            Charts.addLine(chart, "offheap reserved (allocated)" + perBlock(reserved[n - 1], last), blocks, reserved);
        }
        if (hasReference)
        {
            Charts.addLine(chart, "reference (on-heap model) heap" + perBlock(reference[n - 1], last), blocks,
                reference);
        }
        return chart;
    }

    private static String perBlock(final double megabytes, final double blocks)
    {
        return String.format(Locale.ROOT, ": %.1f B per block at the largest size", megabytes * 1e6 / blocks);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(final Map<String, Object> map, final String key)
    {
        final Object value = map.get(key);
        return value instanceof Map ? (Map<String, Object>)value : Map.of();
    }

    private static double number(final Map<String, Object> map, final String key)
    {
        final Object value = map.get(key);
        return value instanceof Number ? ((Number)value).doubleValue() : Double.NaN;
    }
}
