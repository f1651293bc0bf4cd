package io.kvindex.perf.report;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;

import java.util.List;
import java.util.Map;

/**
 * Plots of a layout erosion run ({@code tools/perf erosion}: windows of a long replay, {@code "plain"} without
 * compaction and {@code "compacting"} with it), against record turnover (blocks stored so far over the node
 * capacity): how queries find their children, and how fast find_matches and the whole replay run.
 */
public final class ErosionPlot
{
    private static final String TURNOVER = "record turnover (blocks stored so far / node capacity)";

    private ErosionPlot()
    {
    }

    /**
     * Layout over the replay: the share of query steps that found the child in the next record, and the share of
     * live nodes reached only through the branch table, without and with compaction.
     *
     * @param plain      the windows without compaction.
     * @param compacting the windows with compaction.
     * @param subtitle   appended to the title.
     * @return the chart.
     */
    public static XYChart layoutChart(
        final List<Map<String, Object>> plain, final List<Map<String, Object>> compacting, final String subtitle)
    {
        final XYChart chart = Charts.lineChart("Layout erosion over a long replay" + subtitle, TURNOVER, "share (%)");
        final XYStyler styler = chart.getStyler();
        styler.setxAxisTickLabelsFormattingFunction(Charts::number);
        styler.setyAxisTickLabelsFormattingFunction(Charts::number);
        styler.setYAxisMin(0.0);
        styler.setYAxisMax(100.0);
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        final double[] x = SweepPlot.column(plain, "turnover", 1);
        Charts.addLine(chart, "query steps found in the next record, no compaction", x,
            SweepPlot.column(plain, "next_record_step_fraction", 100));
        if (!compacting.isEmpty())
        {
            Charts.addLine(chart, "query steps found in the next record, with compaction",
                SweepPlot.column(compacting, "turnover", 1), SweepPlot.column(compacting, "next_record_step_fraction",
                100));
        }
        Charts.addLine(chart, "live nodes only reachable through the branch table, no compaction", x,
            SweepPlot.column(plain, "branch_node_fraction", 100));
        if (!compacting.isEmpty())
        {
            Charts.addLine(chart, "live nodes only reachable through the branch table, with compaction",
                SweepPlot.column(compacting, "turnover", 1), SweepPlot.column(compacting, "branch_node_fraction",
                100));
        }
        return chart;
    }

    /**
     * Speed over the replay: find_matches walked blocks per second (each window's queries re-run on the layout at
     * its end) and the replay's block ops per second (compaction time included), without and with compaction.
     *
     * @param plain      the windows without compaction.
     * @param compacting the windows with compaction.
     * @param subtitle   appended to the title.
     * @return the chart.
     */
    public static XYChart speedChart(
        final List<Map<String, Object>> plain, final List<Map<String, Object>> compacting, final String subtitle)
    {
        final XYChart chart = Charts.lineChart("Speed over a long replay" + subtitle, TURNOVER,
            "M blocks / s (one thread)");
        final XYStyler styler = chart.getStyler();
        styler.setxAxisTickLabelsFormattingFunction(Charts::number);
        styler.setyAxisTickLabelsFormattingFunction(Charts::number);
        styler.setYAxisMin(0.0);
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        final double[] x = SweepPlot.column(plain, "turnover", 1);
        Charts.addLine(chart, "find_matches walked blocks/s, no compaction", x,
            SweepPlot.column(plain, "find_matches_blocks_per_sec", 1e-6));
        if (!compacting.isEmpty())
        {
            Charts.addLine(chart, "find_matches walked blocks/s, with compaction",
                SweepPlot.column(compacting, "turnover", 1),
                SweepPlot.column(compacting, "find_matches_blocks_per_sec", 1e-6));
        }
        Charts.addLine(chart, "replay block ops/s (events + queries), no compaction", x,
            SweepPlot.column(plain, "block_ops_per_sec", 1e-6));
        if (!compacting.isEmpty())
        {
            Charts.addLine(chart, "replay block ops/s (events + queries), with compaction (its time included)",
                SweepPlot.column(compacting, "turnover", 1), SweepPlot.column(compacting, "block_ops_per_sec", 1e-6));
        }
        return chart;
    }
}
