package io.kvindex.perf.report;

import org.knowm.xchart.XYChart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code tools/perf report [--in DIR] [--out DIR]}: renders PNG plots from the results perf tools wrote into a
 * directory (default: the newest {@code perf/results/<date>}; output next to them unless {@code --out}):
 * <ul>
 *     <li>every {@code *.hgrm} (values in µs): latency percentile curves, one plot per name prefix (the part
 *     before the first {@code -}) and one of all ({@link LatencyPlot});</li>
 *     <li>JSON with a {@code "sweep"} object ({@code tools/perf index --sweep}): achieved throughput and p99
 *     against offered rate ({@link SweepPlot});</li>
 *     <li>JSON with {@code "footprint_sizes"} ({@code tools/perf footprint --sizes}): memory against index size
 *     ({@link MemoryPlot});</li>
 *     <li>JSON with {@code "erosion"} ({@code tools/perf erosion}): layout and speed over a long replay
 *     ({@link ErosionPlot}).</li>
 * </ul>
 * Other files are ignored. Prints each PNG written.
 */
public final class PerfReport
{
    private PerfReport()
    {
    }

    /**
     * Render.
     *
     * @param args {@code [--in DIR] [--out DIR]}.
     * @throws IOException when a file cannot be read or written.
     */
    public static void main(final String[] args) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        Path in = null;
        Path out = null;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--in" -> in = Path.of(value(args, ++i));
                case "--out" -> out = Path.of(value(args, ++i));
                case "--help", "-h" -> usage(null);
                default -> usage("unknown option " + args[i]);
            }
        }
        if (null == in)
        {
            in = newestResults(Path.of("perf", "results"));
        }
        if (null == in || !Files.isDirectory(in))
        {
            usage("no results directory: " + in);
        }
        final List<Path> written = render(in, null == out ? in : out);
        for (final Path png : written)
        {
            System.out.println(png);
        }
        System.err.printf(Locale.ROOT, "perf report: %d plot(s) from %s%n", written.size(), in);
    }

    /**
     * Render every plot the files under a directory allow.
     *
     * @param in  the results directory (searched recursively).
     * @param out where the PNGs go.
     * @return the PNG files written.
     * @throws IOException when a file cannot be read or written.
     */
    public static List<Path> render(final Path in, final Path out) throws IOException
    {
        final List<Path> written = new ArrayList<>();
        final List<Path> files;
        try (Stream<Path> walk = Files.walk(in))
        {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        final Map<String, List<HgrmFile>> byPrefix = new TreeMap<>();
        final List<HgrmFile> all = new ArrayList<>();
        for (final Path file : files)
        {
            final String name = file.getFileName().toString();
            if (name.endsWith(".hgrm"))
            {
                final HgrmFile hgrm = HgrmFile.read(file);
                all.add(hgrm);
                final int dash = hgrm.name().indexOf('-');
                byPrefix.computeIfAbsent(dash > 0 ? hgrm.name().substring(0, dash) : hgrm.name(),
                    k -> new ArrayList<>()).add(hgrm);
            }
            else if (name.endsWith(".json"))
            {
                renderJson(file, out, written);
            }
        }
        if (byPrefix.size() > 1)
        {
            for (final Map.Entry<String, List<HgrmFile>> group : byPrefix.entrySet())
            {
                save(LatencyPlot.chart("Latency by percentile: " + group.getKey() + "*", group.getValue()),
                    out.resolve("latency-" + group.getKey() + ".png"), written);
            }
        }
        if (!all.isEmpty())
        {
            save(LatencyPlot.chart("Latency by percentile", all), out.resolve("latency-all.png"), written);
        }
        return written;
    }

    @SuppressWarnings("unchecked")
    private static void renderJson(final Path file, final Path out, final List<Path> written) throws IOException
    {
        final Object parsed = parseJson(file);
        if (!(parsed instanceof Map))
        {
            return;
        }
        final Map<String, Object> json = (Map<String, Object>)parsed;
        final String stem = file.getFileName().toString().replaceFirst("\\.json$", "");
        if (json.get("sweep") instanceof Map && SweepPlot.hasLevels((Map<String, Object>)json.get("sweep")))
        {
            final Map<String, Object> sweep = (Map<String, Object>)json.get("sweep");
            final String subtitle = " (" + json.get("workers") + " workers)";
            save(SweepPlot.throughputChart(sweep, subtitle), out.resolve(stem + "-sweep-throughput.png"), written);
            save(SweepPlot.latencyChart(sweep, subtitle), out.resolve(stem + "-sweep-p99.png"), written);
        }
        if (json.get("footprint_sizes") instanceof List)
        {
            final List<Map<String, Object>> sizes = (List<Map<String, Object>>)json.get("footprint_sizes");
            if (!sizes.isEmpty())
            {
                save(MemoryPlot.chart(sizes, " (SharingWorkload)"), out.resolve(stem + "-memory.png"), written);
            }
        }
        if (json.get("erosion") instanceof Map && json.get("plain") instanceof List)
        {
            final Map<String, Object> erosion = (Map<String, Object>)json.get("erosion");
            final List<Map<String, Object>> plain = (List<Map<String, Object>>)json.get("plain");
            final Object compactingValue = json.get("compacting");
            final List<Map<String, Object>> compacting = compactingValue instanceof List ?
                (List<Map<String, Object>>)compactingValue : List.of();
            final String subtitle = String.format(Locale.ROOT, " (%s workers, %s-block engines, %s laps)",
                erosion.get("workers"), erosion.get("engine_blocks"), erosion.get("laps"));
            save(ErosionPlot.layoutChart(plain, compacting, subtitle), out.resolve(stem + "-layout.png"), written);
            save(ErosionPlot.speedChart(plain, compacting, subtitle), out.resolve(stem + "-speed.png"), written);
        }
    }

    private static Object parseJson(final Path file) throws IOException
    {
        final String text = Files.readString(file, StandardCharsets.UTF_8);
        try
        {
            return JsonReader.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            final String[] lines = text.split("\n");
            for (int i = lines.length - 1; i >= 0; i--)
            {
                if (lines[i].startsWith("{"))
                {
                    try
                    {
                        return JsonReader.parse(lines[i]);
                    }
                    catch (final IllegalArgumentException ignore)
                    {
                        return null;
                    }
                }
            }
            return null;
        }
    }

    private static void save(final XYChart chart, final Path png, final List<Path> written) throws IOException
    {
        Charts.savePng(chart, png);
        written.add(png);
    }

    private static Path newestResults(final Path results) throws IOException
    {
        if (!Files.isDirectory(results))
        {
            return null;
        }
        try (Stream<Path> dirs = Files.list(results))
        {
            return dirs.filter(Files::isDirectory).max(Path::compareTo).orElse(null);
        }
    }

    private static String value(final String[] args, final int i)
    {
        if (i >= args.length)
        {
            usage("missing value for " + args[i - 1]);
        }
        return args[i];
    }

    private static void usage(final String problem)
    {
        if (null != problem)
        {
            System.err.println("perf report: " + problem);
        }
        System.err.println("usage: perf report [--in DIR] [--out DIR]   (default: the newest perf/results/<dir>)");
        System.exit(null == problem ? 0 : 2);
    }
}
