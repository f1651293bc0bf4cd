package io.kvindex.perf.report;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;

import java.util.List;
import java.util.Map;

/**
 * Plots of an offered-rate sweep ({@code tools/perf index --sweep}, the JSON's {@code "sweep"} object, one entry
 * per index kind with its {@code "levels"}): achieved against offered throughput, and find_matches p99 against
 * offered throughput, both as service time and as response time from each op's scheduled start.
 */
public final class SweepPlot
{
    private static final String[] KINDS = {"offheap", "reference"};

    private SweepPlot()
    {
    }

    /**
     * Achieved against offered rate, one line per kind, and the line where they are equal.
     *
     * @param sweep    the sweep object.
     * @param subtitle what was swept (workers, machine), appended to the title.
     * @return the chart.
     */
    public static XYChart throughputChart(final Map<String, Object> sweep, final String subtitle)
    {
        final XYChart chart = Charts.lineChart("Offered-rate sweep: achieved throughput" + subtitle,
            "offered rate (M events + queries / s)", "achieved rate (M events + queries / s)");
        final XYStyler styler = chart.getStyler();
        styler.setxAxisTickLabelsFormattingFunction(Charts::number);
        styler.setyAxisTickLabelsFormattingFunction(Charts::number);
        double maxOffered = 0;
        for (final String kind : KINDS)
        {
            final List<Map<String, Object>> levels = levels(sweep, kind);
            if (levels.isEmpty())
            {
                continue;
            }
            final double[] offered = column(levels, "offered_ops_per_sec", 1e-6);
            final double[] achieved = column(levels, "achieved_ops_per_sec", 1e-6);
            maxOffered = Math.max(maxOffered, offered[offered.length - 1]);
            final Object sustained = kindObject(sweep, kind).get("sustained_ops_per_sec");
            final Object stop = kindObject(sweep, kind).get("stop_reason");
            final String note = sustained instanceof Number ? " (sustained " +
                Charts.number(((Number)sustained).doubleValue() * 1e-6) + " M/s; then " + stop + ")" : "";
            Charts.addLine(chart, kind + note, offered, achieved);
        }
        Charts.addGuide(chart, "achieved = offered", new double[]{0, maxOffered}, new double[]{0, maxOffered});
        return chart;
    }

    /**
     * find_matches p99 against offered rate: response time (from the op's scheduled start, so waiting behind a
     * late schedule counts) and service time, one pair per kind.
     *
     * @param sweep    the sweep object.
     * @param subtitle what was swept, appended to the title.
     * @return the chart.
     */
    public static XYChart latencyChart(final Map<String, Object> sweep, final String subtitle)
    {
        final XYChart chart = Charts.lineChart("Offered-rate sweep: find_matches p99" + subtitle,
            "offered rate (M events + queries / s)", "p99 latency (µs, log scale)");
        final XYStyler styler = chart.getStyler();
        styler.setYAxisLogarithmic(true);
        styler.setYAxisDecimalPattern(Charts.LOG_AXIS_PATTERN);
        styler.setxAxisTickLabelsFormattingFunction(Charts::number);
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        for (final String kind : KINDS)
        {
            final List<Map<String, Object>> levels = levels(sweep, kind);
            if (levels.isEmpty())
            {
                continue;
            }
            final double[] offered = column(levels, "offered_ops_per_sec", 1e-6);
            Charts.addLine(chart, kind + " p99 response time (from scheduled start)", offered,
                floor(column(levels, "response_p99_ns", 1e-3)));
            Charts.addLine(chart, kind + " p99 service time", offered,
                floor(column(levels, "find_matches_p99_ns", 1e-3)));
        }
        return chart;
    }

    /**
     * Whether a sweep object holds any levels.
     *
     * @param sweep the sweep object.
     * @return true when some kind has levels.
     */
    public static boolean hasLevels(final Map<String, Object> sweep)
    {
        for (final String kind : KINDS)
        {
            if (!levels(sweep, kind).isEmpty())
            {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> kindObject(final Map<String, Object> sweep, final String kind)
    {
        final Object value = sweep.get(kind);
        return value instanceof Map ? (Map<String, Object>)value : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> levels(final Map<String, Object> sweep, final String kind)
    {
        final Object levels = kindObject(sweep, kind).get("levels");
        return levels instanceof List ? (List<Map<String, Object>>)levels : List.of();
    }

    static double[] column(final List<Map<String, Object>> rows, final String key, final double scale)
    {
        final double[] values = new double[rows.size()];
        for (int i = 0; i < values.length; i++)
        {
            final Object value = rows.get(i).get(key);
            values[i] = value instanceof Number ? ((Number)value).doubleValue() * scale : Double.NaN;
        }
        return values;
    }

    private static double[] floor(final double[] values)
    {
        for (int i = 0; i < values.length; i++)
        {
            values[i] = Math.max(values[i], 0.001);
        }
        return values;
    }
}
