package io.kvindex.perf.report;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report renders real PNGs from a tiny results directory: two .hgrm files and the JSON of a sweep, a footprint
 * size series and an erosion run.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PerfReportTest
{
    private static final byte[] PNG_SIGNATURE = {(byte)0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path dir;

    @BeforeAll
    static void headless()
    {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void shouldRenderEveryPlotTheResultsAllow() throws IOException
    {
        writeHgrm(dir.resolve("index-16-offheap.hgrm"), 200);
        writeHgrm(dir.resolve("ipc-50000qps-query-120000.hgrm"), 5_000);
        Files.writeString(dir.resolve("index-16.json"), JsonWriter.write(sweepResult()));
        Files.writeString(dir.resolve("footprint-sizes.json"), "a table line\n" + JsonWriter.write(footprint()));
        Files.writeString(dir.resolve("erosion.json"), JsonWriter.write(erosion()));
        Files.writeString(dir.resolve("jmh.json"), "[{\"benchmark\":\"x\"}]");
        final Path out = dir.resolve("plots");

        final List<Path> written = PerfReport.render(dir, out);

        final List<String> names = new ArrayList<>();
        for (final Path png : written)
        {
            names.add(png.getFileName().toString());
            assertValidPng(png);
        }
        assertEquals(List.of("erosion-layout.png", "erosion-speed.png", "footprint-sizes-memory.png",
            "index-16-sweep-throughput.png", "index-16-sweep-p99.png", "latency-index.png", "latency-ipc.png",
            "latency-all.png"), names);
    }

    @Test
    void shouldReadTheDistributionHdrHistogramWrites() throws IOException
    {
        final Path file = dir.resolve("one.hgrm");
        writeHgrm(file, 1_000);

        final HgrmFile hgrm = HgrmFile.read(file);

        assertEquals("one", hgrm.name());
        assertEquals(10_000, hgrm.totalCount());
        assertEquals(1.0, hgrm.percentiles()[hgrm.percentiles().length - 1]);
        assertEquals(6.0, hgrm.valueAt(0.5), 0.1, "µs: 1,000 ns base plus 0 to 9,999 ns, evenly");
        assertEquals("99%", LatencyPlot.decadeLabel(2));
        assertEquals("", LatencyPlot.decadeLabel(2.5));
        assertEquals("99.9%", LatencyPlot.percentileLabel(1000));
        assertEquals("90%", LatencyPlot.percentileLabel(10));
    }

    private static void assertValidPng(final Path png) throws IOException
    {
        assertTrue(Files.isRegularFile(png), png + " exists");
        final byte[] bytes = Files.readAllBytes(png);
        assertTrue(bytes.length > 10_000, png + " has a plot's worth of pixels: " + bytes.length + " bytes");
        final byte[] head = new byte[PNG_SIGNATURE.length];
        System.arraycopy(bytes, 0, head, 0, head.length);
        assertArrayEquals(PNG_SIGNATURE, head, png + " is a PNG");
        final BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, png + " decodes");
        assertEquals(Charts.WIDTH, image.getWidth());
        assertEquals(Charts.HEIGHT, image.getHeight());
    }

    private static void writeHgrm(final Path file, final long baseNs) throws IOException
    {
        final Histogram histogram = new Histogram(3);
        for (int i = 0; i < 10_000; i++)
        {
            histogram.recordValue(baseNs + (i * 7919L) % 10_000);
        }
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8))
        {
            histogram.outputPercentileDistribution(out, 1000.0);
        }
    }

    private static Map<String, Object> sweepResult()
    {
        final Map<String, Object> sweep = new LinkedHashMap<>();
        sweep.put("offheap", sweepKind(1_000_000, 1_000));
        sweep.put("reference", sweepKind(200_000, 9_000));
        final Map<String, Object> result = new LinkedHashMap<>();
        result.put("workers", 16);
        result.put("sweep", sweep);
        return result;
    }

    private static Map<String, Object> sweepKind(final long unpaced, final long p99)
    {
        final List<Object> levels = new ArrayList<>();
        for (final double fraction : new double[]{0.1, 0.5, 1.0, 1.5})
        {
            final Map<String, Object> level = new LinkedHashMap<>();
            level.put("offered_ops_per_sec", Math.round(fraction * unpaced));
            level.put("achieved_ops_per_sec", Math.round(Math.min(fraction, 1.0) * unpaced));
            level.put("find_matches_p99_ns", p99);
            level.put("response_p99_ns", fraction > 1 ? p99 * 1000 : p99 + 100);
            levels.add(level);
        }
        final Map<String, Object> kind = new LinkedHashMap<>();
        kind.put("sustained_ops_per_sec", unpaced);
        kind.put("stop_reason", "achieved below offered at 150%");
        kind.put("levels", levels);
        return kind;
    }

    private static Map<String, Object> footprint()
    {
        final List<Object> sizes = new ArrayList<>();
        for (final long blocks : new long[]{100_000, 200_000, 400_000})
        {
            final Map<String, Object> size = new LinkedHashMap<>();
            size.put("workload", Map.of("blocks", blocks));
            size.put("offheap", Map.of("offHeapUsedBytes", 61 * blocks, "offHeapReservedBytes", 120 * blocks));
            size.put("reference", Map.of("heapBytes", 495 * blocks));
            sizes.add(size);
        }
        return Map.of("machine", "test", "footprint_sizes", sizes);
    }

    private static Map<String, Object> erosion()
    {
        final List<Object> plain = new ArrayList<>();
        final List<Object> compacting = new ArrayList<>();
        for (int w = 0; w < 10; w++)
        {
            plain.add(window(w, 0.95 - w * 0.05));
            compacting.add(window(w, 0.95 - (w % 3) * 0.05));
        }
        final Map<String, Object> result = new LinkedHashMap<>();
        result.put("erosion", Map.of("workers", 16, "engine_blocks", 512, "laps", 2));
        result.put("plain", plain);
        result.put("compacting", compacting);
        return result;
    }

    private static Map<String, Object> window(final int w, final double nextRecord)
    {
        final Map<String, Object> window = new LinkedHashMap<>();
        window.put("turnover", 0.5 * (w + 1));
        window.put("next_record_step_fraction", nextRecord);
        window.put("branch_node_fraction", 1 - nextRecord);
        window.put("find_matches_blocks_per_sec", Math.round(80e6 * nextRecord));
        window.put("block_ops_per_sec", Math.round(15e6 * nextRecord));
        return window;
    }
}
