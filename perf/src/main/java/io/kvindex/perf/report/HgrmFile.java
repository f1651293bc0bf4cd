package io.kvindex.perf.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A percentile distribution as HdrHistogram's {@code outputPercentileDistribution} writes it (an {@code .hgrm} file):
 * rows of {@code Value Percentile TotalCount 1/(1-Percentile)} after a header, then {@code #[...]} summary lines.
 * Perf tools write values in microseconds (nanosecond histograms scaled by 1000); the report assumes so.
 */
public final class HgrmFile
{
    private final String name;
    private final double[] values;
    private final double[] percentiles;
    private final long totalCount;

    private HgrmFile(final String name, final double[] values, final double[] percentiles, final long totalCount)
    {
        this.name = name;
        this.values = values;
        this.percentiles = percentiles;
        this.totalCount = totalCount;
    }

    /**
     * Read a file; its name without {@code .hgrm} names the distribution.
     *
     * @param file the file.
     * @return the distribution.
     * @throws IOException when it cannot be read or has no rows.
     */
    public static HgrmFile read(final Path file) throws IOException
    {
        final String fileName = file.getFileName().toString();
        final String name = fileName.endsWith(".hgrm") ? fileName.substring(0, fileName.length() - 5) : fileName;
        return parse(name, Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    /**
     * Parse the lines of a distribution.
     *
     * @param name  its name.
     * @param lines the lines.
     * @return the distribution.
     * @throws IOException when no row parses.
     */
    public static HgrmFile parse(final String name, final List<String> lines) throws IOException
    {
        double[] values = new double[64];
        double[] percentiles = new double[64];
        int rows = 0;
        long total = 0;
        for (final String line : lines)
        {
            final String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || !Character.isDigit(trimmed.charAt(0)))
            {
                continue;
            }
            final String[] columns = trimmed.split("\\s+");
            if (columns.length < 3)
            {
                continue;
            }
            try
            {
                final double value = Double.parseDouble(columns[0]);
                final double percentile = Double.parseDouble(columns[1]);
                total = Math.max(total, Long.parseLong(columns[2]));
                if (rows == values.length)
                {
                    values = Arrays.copyOf(values, rows * 2);
                    percentiles = Arrays.copyOf(percentiles, rows * 2);
                }
                values[rows] = value;
                percentiles[rows] = percentile;
                rows++;
            }
            catch (final NumberFormatException ignore)
            {
                // a header or a foreign line
            }
        }
        if (0 == rows)
        {
            throw new IOException(name + ": no percentile rows");
        }
        return new HgrmFile(name, Arrays.copyOf(values, rows), Arrays.copyOf(percentiles, rows), total);
    }

    /**
     * The distribution's name (the file name without {@code .hgrm}).
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * The value column, one per row.
     *
     * @return values (not a copy).
     */
    public double[] values()
    {
        return values;
    }

    /**
     * The percentile column as fractions in [0, 1], one per row.
     *
     * @return percentiles (not a copy).
     */
    public double[] percentiles()
    {
        return percentiles;
    }

    /**
     * The samples recorded.
     *
     * @return the largest TotalCount.
     */
    public long totalCount()
    {
        return totalCount;
    }

    /**
     * The value at a percentile: the first row at or above it.
     *
     * @param percentile a fraction in [0, 1].
     * @return the value, or the last row's when none reaches it.
     */
    public double valueAt(final double percentile)
    {
        for (int i = 0; i < percentiles.length; i++)
        {
            if (percentiles[i] >= percentile)
            {
                return values[i];
            }
        }
        return values[values.length - 1];
    }
}
