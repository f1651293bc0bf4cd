package io.kvindex.perf.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The look every perf plot shares (XChart line charts on white, 1000 x 600 pixels, legend inside the plot) and
 * writing one as PNG. Rendering needs no display: the report runs with {@code java.awt.headless=true}.
 */
public final class Charts
{
    /** Width of a plot in pixels. */
    public static final int WIDTH = 1000;

    /** Height of a plot in pixels. */
    public static final int HEIGHT = 600;

    /**
     * Tick label pattern for a log axis: XChart computes log ticks only without a formatting function, so log axes
     * take a decimal pattern instead.
     */
    public static final String LOG_AXIS_PATTERN = "#,##0.###";

    private static final Color[] COLORS =
    {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)
    };

    private Charts()
    {
    }

    /**
     * A new empty line chart.
     *
     * @param title  the title.
     * @param xTitle the x axis title, with its unit.
     * @param yTitle the y axis title, with its unit.
     * @return the chart.
     */
    public static XYChart lineChart(final String title, final String xTitle, final String yTitle)
    {
        final XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
            .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        final XYStyler styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotBorderColor(Color.GRAY);
        styler.setPlotGridLinesColor(new Color(0xdddddd));
        styler.setLegendPosition(Styler.LegendPosition.InsideNW);
        styler.setLegendBorderColor(Color.LIGHT_GRAY);
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        styler.setSeriesColors(COLORS);
        styler.setMarkerSize(6);
        styler.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        styler.setAntiAlias(true);
        return chart;
    }

    /**
     * Add a line with a marker at every point.
     *
     * @param chart the chart.
     * @param name  the legend text.
     * @param x     x values.
     * @param y     y values.
     * @return the series.
     */
    public static XYSeries addLine(final XYChart chart, final String name, final double[] x, final double[] y)
    {
        final XYSeries series = chart.addSeries(name, x, y);
        series.setLineStyle(new BasicStroke(2f));
        return series;
    }

    /**
     * Add a dashed line without markers, for a reference such as "offered = achieved".
     *
     * @param chart the chart.
     * @param name  the legend text.
     * @param x     x values.
     * @param y     y values.
     * @return the series.
     */
    public static XYSeries addGuide(final XYChart chart, final String name, final double[] x, final double[] y)
    {
        final XYSeries series = chart.addSeries(name, x, y);
        series.setMarker(SeriesMarkers.NONE);
        series.setLineColor(Color.GRAY);
        series.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[]{6f, 4f}, 0f));
        return series;
    }

    /**
     * Tick labels for a linear value axis: up to three significant digits without trailing zeros, whole numbers
     * from 1,000 up with thousands separated.
     *
     * @param value the tick value.
     * @return its label.
     */
    public static String number(final double value)
    {
        final double abs = Math.abs(value);
        if (!Double.isFinite(value))
        {
            return "";
        }
        if (abs >= 1000 || 0 == abs)
        {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }

    /**
     * Write a chart as a PNG file, creating its directory.
     *
     * @param chart the chart.
     * @param file  the file, ending in {@code .png}.
     * @throws IOException when it cannot be written.
     */
    public static void savePng(final XYChart chart, final Path file) throws IOException
    {
        final Path dir = file.toAbsolutePath().getParent();
        if (null != dir)
        {
            Files.createDirectories(dir);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
