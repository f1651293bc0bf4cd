package io.kvindex.tools;

import io.kvindex.server.stat.CountersFile;
import io.kvindex.server.stat.CountersFileReader;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Prints a running indexer server's counters from outside its process, as AeronStat prints a media driver's: the
 * server keeps them in {@code <data dir>/counters.dat} ({@link CountersFile}). Refreshes every second until
 * interrupted, or prints once with {@code --once}.
 */
public final class IndexerStatMain
{
    /** Exit code when the counters were printed. */
    public static final int EXIT_OK = 0;
    /** Exit code when no counters file could be found or read. */
    public static final int EXIT_NOT_FOUND = 1;
    /** Exit code of a command line that cannot be parsed. */
    public static final int EXIT_USAGE = 2;

    private static final String NAME = "indexer-stat";
    private static final long INTERVAL_MS_DEFAULT = 1000L;
    private static final DateTimeFormatter TIME =
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private final PrintStream out;
    private final PrintStream err;
    private Path dataDir;
    private Path file;
    private boolean once;
    private long intervalMs = INTERVAL_MS_DEFAULT;
    private Pattern filter;

    private IndexerStatMain(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    /**
     * Entry point.
     *
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(run(System.getenv(), System.out, System.err, args));
    }

    /**
     * Run with the given environment and streams, for tests.
     *
     * @param env  environment ({@code KVINDEX_DATA_DIR} names the data directory).
     * @param out  where counters go.
     * @param err  where errors go.
     * @param args command line.
     * @return the exit code.
     */
    public static int run(final Map<String, String> env, final PrintStream out, final PrintStream err,
        final String... args)
    {
        final IndexerStatMain main = new IndexerStatMain(out, err);
        final String envDir = env.get("KVINDEX_DATA_DIR");
        main.dataDir = null == envDir || envDir.isEmpty() ? null : Path.of(envDir);
        try
        {
            if (!main.parse(args))
            {
                out.print(helpText());
                return EXIT_OK;
            }
        }
        catch (final IllegalArgumentException ex)
        {
            err.println(NAME + ": " + ex.getMessage());
            err.println("usage: " + NAME + " [--data-dir DIR | --file PATH] [--once] [--interval-ms N] " +
                "[--filter REGEX]  (--help for more)");
            return EXIT_USAGE;
        }
        return main.print();
    }

    /**
     * The {@code --help} text.
     *
     * @return the text.
     */
    public static String helpText()
    {
        return "usage: " + NAME + " [options]\n" +
            "Prints a running kvindex indexer server's counters (events applied by type and status, decode errors,\n" +
            "feed and replay counts, queries) from its counters file, refreshing until interrupted.\n\n" +
            "  --data-dir DIR     the server's data directory (env KVINDEX_DATA_DIR); default: the one running\n" +
            "                     server found under " + tempDir() + "/kvindex-*\n" +
            "  --file PATH        a counters file (" + CountersFile.FILE_NAME + ") to read directly\n" +
            "  --once             print once and exit (for scripts)\n" +
            "  --interval-ms N    refresh interval, default " + INTERVAL_MS_DEFAULT + "\n" +
            "  --filter REGEX     only counters whose label matches (find semantics)\n" +
            "  --help             this text\n" +
            "Exit codes: 0 printed, 1 no counters file found or readable, 2 bad command line.\n";
    }

    private boolean parse(final String[] args)
    {
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--help", "-h" ->
                {
                    return false;
                }
                case "--once" -> once = true;
                case "--data-dir" -> dataDir = Path.of(value(args, ++i, arg));
                case "--file" -> file = Path.of(value(args, ++i, arg));
                case "--interval-ms" -> intervalMs = parseInterval(value(args, ++i, arg));
                case "--filter" -> filter = parseFilter(value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        return true;
    }

    private static String value(final String[] args, final int i, final String flag)
    {
        if (i >= args.length)
        {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    private static long parseInterval(final String value)
    {
        try
        {
            final long ms = Long.parseLong(value);
            if (ms < 1)
            {
                throw new IllegalArgumentException("--interval-ms must be >= 1: " + value);
            }
            return ms;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--interval-ms is not a number: " + value, ex);
        }
    }

    private static Pattern parseFilter(final String value)
    {
        try
        {
            return Pattern.compile(value);
        }
        catch (final PatternSyntaxException ex)
        {
            throw new IllegalArgumentException("--filter is not a regular expression: " + ex.getMessage(), ex);
        }
    }

    private int print()
    {
        final Path path = locate();
        if (null == path)
        {
            return EXIT_NOT_FOUND;
        }
        final CountersFileReader reader;
        try
        {
            reader = new CountersFileReader(path);
        }
        catch (final RuntimeException ex)
        {
            err.println(NAME + ": " + ex.getMessage());
            return EXIT_NOT_FOUND;
        }
        try (reader)
        {
            while (true)
            {
                printOnce(reader);
                if (once || !reader.isRunning())
                {
                    return EXIT_OK;
                }
                Thread.sleep(intervalMs);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return EXIT_OK;
        }
    }

    private Path locate()
    {
        if (null != file)
        {
            return readable(file);
        }
        if (null != dataDir)
        {
            return readable(dataDir.resolve(CountersFile.FILE_NAME));
        }
        final List<Path> running = new ArrayList<>();
        for (final Path candidate : CountersFileReader.find(tempDir()))
        {
            try (CountersFileReader reader = new CountersFileReader(candidate))
            {
                if (reader.isRunning())
                {
                    running.add(candidate);
                }
            }
            catch (final RuntimeException ignore)
            {
                // not a counters file we can read: skip it
            }
        }
        if (1 == running.size())
        {
            return running.get(0);
        }
        if (running.isEmpty())
        {
            err.println(NAME + ": no running kvindex server found under " + tempDir() + "/kvindex-*; " +
                "pass --data-dir DIR (the server prints its data dir at start)");
        }
        else
        {
            err.println(NAME + ": " + running.size() + " running servers found; pick one with --data-dir:");
            running.forEach((p) -> err.println("  " + p.getParent()));
        }
        return null;
    }

    private Path readable(final Path path)
    {
        if (!Files.isReadable(path))
        {
            err.println(NAME + ": no counters file at " + path + " (is the server running with that data dir?)");
            return null;
        }
        return path;
    }

    private void printOnce(final CountersFileReader reader)
    {
        final long now = System.currentTimeMillis();
        final StringBuilder sb = new StringBuilder(4096);
        sb.append(TIME.format(Instant.ofEpochMilli(now))).append(" - kvindex server pid ").append(reader.pid())
            .append(reader.isRunning() ? ", running" : ", stopped").append(", up ")
            .append(formatUptime(now - reader.startTimeMs())).append(" - ").append(reader.path()).append('\n')
            .append("=".repeat(80)).append('\n');
        reader.counters().forEach((value, id, label) ->
        {
            if (null == filter || filter.matcher(label).find())
            {
                sb.append(String.format("%4d: %,20d - %s%n", id, value, label));
            }
        });
        out.print(sb);
        out.flush();
    }

    private static String formatUptime(final long ms)
    {
        final Duration d = Duration.ofMillis(Math.max(0, ms));
        return String.format("%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }

    private static Path tempDir()
    {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }
}
