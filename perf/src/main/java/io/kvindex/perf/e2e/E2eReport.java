package io.kvindex.perf.e2e;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a run measured: the query phase, the echo phase (or none), ingest, and where the .hgrm files went; printed as
 * one JSON object or as a table.
 */
public final class E2eReport
{
    private final E2eContext ctx;
    private final String server;
    private final long blocks;
    private final int owners;
    private final int queries;
    private final int queryBlocks;
    private final int requestBytes;
    private final List<Path> hgrmFiles = new ArrayList<>();
    private PhaseResult query;
    private PhaseResult echo;
    private long ingestEvents;
    private long ingestFailed;
    private double ingestRate;

    E2eReport(
        final E2eContext ctx,
        final String server,
        final long blocks,
        final int owners,
        final int queries,
        final int queryBlocks,
        final int requestBytes)
    {
        this.ctx = ctx;
        this.server = server;
        this.blocks = blocks;
        this.owners = owners;
        this.queries = queries;
        this.queryBlocks = queryBlocks;
        this.requestBytes = requestBytes;
    }

    void query(final PhaseResult query)
    {
        this.query = query;
    }

    PhaseResult query()
    {
        return query;
    }

    PhaseResult echo()
    {
        return echo;
    }

    List<Path> hgrmFiles()
    {
        return hgrmFiles;
    }

    void echo(final PhaseResult echo)
    {
        this.echo = echo;
    }

    void ingest(final long events, final long failed, final double rate)
    {
        ingestEvents = events;
        ingestFailed = failed;
        ingestRate = rate;
    }

    /**
     * Whether every query of both phases was answered OK, in time, with the expected content, and ingest applied
     * every event.
     *
     * @return true for a clean run.
     */
    public boolean clean()
    {
        return null != query && query.clean() && (null == echo || echo.clean()) && 0 == ingestFailed;
    }

    /**
     * The query phase's median, in microseconds.
     *
     * @return p50.
     */
    public double p50Us()
    {
        return query.percentileUs(50);
    }

    /**
     * Write each phase's percentile distribution, in microseconds, to a directory.
     *
     * @param dir the directory, created if missing.
     * @throws IOException when a file cannot be written.
     */
    void writeHgrm(final Path dir) throws IOException
    {
        Files.createDirectories(dir);
        final String prefix = ctx.transport().label() + "-" + ctx.rate() + "qps" +
            (ctx.ingestRate() > 0 ? "-ingest" + ctx.ingestRate() + "eps" : "") + "-";
        final String time = LocalTime.now().format(DateTimeFormatter.ofPattern("HHmmss"));
        for (final PhaseResult phase : new PhaseResult[]{ query, echo })
        {
            if (null != phase)
            {
                final Path file = dir.resolve(prefix + phase.name() + "-" + time + ".hgrm");
                try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8))
                {
                    phase.histogram().outputPercentileDistribution(out, 1000.0);
                }
                hgrmFiles.add(file);
            }
        }
    }

    /**
     * The report as one JSON object on one line.
     *
     * @return the JSON text.
     */
    public String toJson()
    {
        final JsonLine json = new JsonLine()
            .field("transport", ctx.transport().label())
            .field("server", server)
            .field("offered_rate", ctx.rate())
            .field("achieved_rate", Math.round(query.achievedRate()))
            .field("seconds", ctx.seconds())
            .field("warmup_seconds", ctx.warmupSeconds())
            .field("p50_us", query.percentileUs(50))
            .field("p90_us", query.percentileUs(90))
            .field("p99_us", query.percentileUs(99))
            .field("p999_us", query.percentileUs(99.9))
            .field("max_us", query.maxUs())
            .field("mean_us", PhaseResult.roundUs(query.histogram().getMean()));
        echoFields(json);
        countFields(json, "", query);
        if (null != echo)
        {
            countFields(json, "echo_", echo);
        }
        return json
            .field("ingest_rate", ctx.ingestRate())
            .field("ingest_events", ingestEvents)
            .field("ingest_achieved_rate", Math.round(ingestRate))
            .field("ingest_failed", ingestFailed)
            .field("server_idle", ctx.serverIdle())
            .field("driver_idle", ctx.driverIdle())
            .field("blocks", blocks)
            .field("owners", owners)
            .field("queries", queries)
            .field("query_blocks", queryBlocks)
            .field("request_bytes", requestBytes)
            .field("clean", clean())
            .field("hgrm_files", hgrmFiles)
            .field("jdk", System.getProperty("java.runtime.version"))
            .field("cores", Runtime.getRuntime().availableProcessors())
            .field("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
            .toString();
    }

    /**
     * The report as a readable table.
     *
     * @return the text.
     */
    public String toTable()
    {
        final StringBuilder sb = new StringBuilder(1024);
        sb.append(String.format(Locale.ROOT, "perf e2e: %s, server %s (%,d blocks, %d owners), offered %,d queries/s " +
            "for %s s after %s s warm-up, ingest %,d events/s, server idle %s, driver idle %s%n",
            ctx.transport().label(), server, blocks, owners, ctx.rate(), ctx.seconds(), ctx.warmupSeconds(),
            ctx.ingestRate(), ctx.serverIdle(), ctx.driverIdle()));
        sb.append(String.format(Locale.ROOT, "%-6s %9s %9s %9s %9s %10s %12s %11s %7s %9s%n", "phase", "p50 us",
            "p90 us", "p99 us", "p99.9 us", "max us", "achieved/s", "answered", "errors", "timeouts"));
        row(sb, query);
        if (null != echo)
        {
            row(sb, echo);
            sb.append(String.format(Locale.ROOT, "overhead (query - echo): p50 %.2f us, p99 %.2f us%n",
                query.percentileUs(50) - echo.percentileUs(50), query.percentileUs(99) - echo.percentileUs(99)));
        }
        sb.append(String.format(Locale.ROOT, "answers: %,d OK (%,d with no owner), %,d mismatched, %,d errors " +
            "(unknown index %,d, bad request %,d, overload %,d, server error %,d), %,d timeouts, %,d unanswered, " +
            "%,d not sent%n", query.ok(), query.empty(), query.mismatched(), query.errors(), query.unknownIndex(),
            query.badRequest(), query.overload(), query.serverError(), query.timeouts(), query.unanswered(),
            query.unsent()));
        if (null != echo)
        {
            sb.append(String.format(Locale.ROOT, "echo answers: %,d of %,d sent, %,d of an unexpected size, %,d " +
                "timeouts, %,d unanswered, %,d not sent%n", echo.answered(), echo.sent(), echo.mismatched(),
                echo.timeouts(), echo.unanswered(), echo.unsent()));
        }
        if (ctx.ingestRate() > 0)
        {
            sb.append(String.format(Locale.ROOT, "ingest: %,.0f events/s applied (%,d events, %,d failed)%n",
                ingestRate, ingestEvents, ingestFailed));
        }
        sb.append(String.format(Locale.ROOT, "gc during the measured query phase: %d collections, %d ms; clean: %b%n",
            query.gcCount(), query.gcMillis(), clean()));
        sb.append(String.format(Locale.ROOT, "JDK %s, %d cores, %s %s%n", System.getProperty("java.runtime.version"),
            Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
            System.getProperty("os.version")));
        for (final Path file : hgrmFiles)
        {
            sb.append("hgrm: ").append(file).append(System.lineSeparator());
        }
        return sb.toString();
    }

    private void echoFields(final JsonLine json)
    {
        final boolean has = null != echo;
        json.field("echo_p50_us", has ? echo.percentileUs(50) : null)
            .field("echo_p90_us", has ? echo.percentileUs(90) : null)
            .field("echo_p99_us", has ? echo.percentileUs(99) : null)
            .field("echo_p999_us", has ? echo.percentileUs(99.9) : null)
            .field("echo_max_us", has ? echo.maxUs() : null)
            .field("echo_achieved_rate", has ? Math.round(echo.achievedRate()) : null)
            .field("overhead_p50_us", has ? round2(query.percentileUs(50) - echo.percentileUs(50)) : null)
            .field("overhead_p99_us", has ? round2(query.percentileUs(99) - echo.percentileUs(99)) : null);
    }

    private static void countFields(final JsonLine json, final String prefix, final PhaseResult phase)
    {
        json.field(prefix + "sent", phase.sent())
            .field(prefix + "answered", phase.answered())
            .field(prefix + "ok", phase.ok())
            .field(prefix + "empty_answers", phase.empty())
            .field(prefix + "mismatched_answers", phase.mismatched())
            .field(prefix + "errors", phase.errors())
            .field(prefix + "unknown_index", phase.unknownIndex())
            .field(prefix + "bad_request", phase.badRequest())
            .field(prefix + "overload", phase.overload())
            .field(prefix + "server_error", phase.serverError())
            .field(prefix + "timeouts", phase.timeouts())
            .field(prefix + "unanswered", phase.unanswered())
            .field(prefix + "unsent", phase.unsent())
            .field(prefix + "gc_count", phase.gcCount())
            .field(prefix + "gc_ms", phase.gcMillis());
    }

    private static void row(final StringBuilder sb, final PhaseResult phase)
    {
        sb.append(String.format(Locale.ROOT, "%-6s %9.2f %9.2f %9.2f %9.2f %10.2f %,12.0f %,11d %,7d %,9d%n",
            phase.name(), phase.percentileUs(50), phase.percentileUs(90), phase.percentileUs(99),
            phase.percentileUs(99.9), phase.maxUs(), phase.achievedRate(), phase.answered(), phase.errors(),
            phase.timeouts()));
    }

    private static double round2(final double value)
    {
        return Math.round(value * 100) / 100.0;
    }
}
