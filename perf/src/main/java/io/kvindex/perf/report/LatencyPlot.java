package io.kvindex.perf.report;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Latency by percentile, one line per {@code .hgrm} distribution, drawn as HdrHistogram's plotter does: the x axis
 * is {@code 1 / (1 - percentile)} on a log scale (plotted as its log10), labelled 90%, 99%, 99.9%..., so the tail
 * gets the room; the y axis is latency in microseconds on a log scale, so distributions of different magnitude
 * share one plot.
 */
public final class LatencyPlot
{
    private LatencyPlot()
    {
    }

    /**
     * The chart of some distributions.
     *
     * @param title         the title.
     * @param distributions the distributions (values in microseconds).
     * @return the chart.
     */
    public static XYChart chart(final String title, final List<HgrmFile> distributions)
    {
        final XYChart chart = Charts.lineChart(title, "percentile", "latency (µs, log scale)");
        final XYStyler styler = chart.getStyler();
        styler.setYAxisLogarithmic(true);
        styler.setYAxisDecimalPattern(Charts.LOG_AXIS_PATTERN);
        styler.setxAxisTickLabelsFormattingFunction(LatencyPlot::decadeLabel);
        styler.setMarkerSize(0);
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        double maxDecades = 1;
        for (final HgrmFile hgrm : distributions)
        {
            final double[] x = new double[hgrm.values().length];
            final double[] y = new double[x.length];
            int n = 0;
            for (int i = 0; i < x.length; i++)
            {
                final double p = hgrm.percentiles()[i];
                if (p < 1.0 && hgrm.values()[i] > 0)
                {
                    x[n] = Math.log10(1.0 / (1.0 - p));
                    y[n] = hgrm.values()[i];
                    n++;
                }
            }
            if (n > 0)
            {
                maxDecades = Math.max(maxDecades, x[n - 1]);
                Charts.addLine(chart, legend(hgrm), Arrays.copyOf(x, n), Arrays.copyOf(y, n));
            }
        }
        styler.setXAxisMin(0.0);
        styler.setXAxisMax(Math.ceil(maxDecades));
        return chart;
    }

    /**
     * The label of a tick on the x axis, which is {@code log10(1 / (1 - percentile))} on a linear scale (XChart
     * cannot relabel a log axis): whole decades get their percentile (0 is 0%, 1 is 90%, 3 is 99.9%), other ticks
     * no label.
     *
     * @param decades the axis value.
     * @return the label, empty between whole decades.
     */
    public static String decadeLabel(final double decades)
    {
        final long whole = Math.round(decades);
        return Math.abs(decades - whole) < 1e-6 && whole >= 0 ? percentileLabel(Math.pow(10, whole)) : "";
    }

    /**
     * The label of a tick on the {@code 1 / (1 - percentile)} axis: 1 is 0%, 10 is 90%, 1000 is 99.9%.
     *
     * @param x the axis value.
     * @return the percentile as text.
     */
    public static String percentileLabel(final double x)
    {
        if (x <= 1.0)
        {
            return "0%";
        }
        final double percent = 100.0 * (1.0 - 1.0 / x);
        final int nines = (int)Math.max(0, Math.round(Math.log10(x)) - 2);
        return String.format(Locale.ROOT, "%." + nines + "f%%", percent);
    }

    private static String legend(final HgrmFile hgrm)
    {
        return String.format(Locale.ROOT, "%s: p50 %s, p99 %s, p99.9 %s, max %s µs (%,d samples)", hgrm.name(),
            Charts.number(hgrm.valueAt(0.5)), Charts.number(hgrm.valueAt(0.99)), Charts.number(hgrm.valueAt(0.999)),
            Charts.number(hgrm.values()[hgrm.values().length - 1]), hgrm.totalCount());
    }
}
