package io.kvindex.tools;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line options of {@link IndexerServerMain}. One table lists every flag with its default and help line;
 * parsing, defaults and {@code --help} all come from it.
 */
public final class Options
{
    /** Flag: directory for the index's files. */
    public static final String DATA_DIR = "--data-dir";
    /** Flag: most blocks the index holds. */
    public static final String MAX_BLOCKS = "--max-blocks";
    /** Flag: most owners the index tracks. */
    public static final String MAX_OWNERS = "--max-owners";
    /** Flag: the embedded media driver's directory. */
    public static final String AERON_DIR = "--aeron-dir";
    /** Flag: milliseconds between status lines. */
    public static final String STATUS_INTERVAL_MS = "--status-interval-ms";
    /** Flag: stop by itself after this many milliseconds. */
    public static final String EXIT_AFTER_MS = "--exit-after-ms";
    /** Flag: print the help text and exit. */
    public static final String HELP = "--help";

    /** Default of {@link #MAX_BLOCKS}. */
    public static final long MAX_BLOCKS_DEFAULT = 1_000_000L;
    /** Default of {@link #MAX_OWNERS}. */
    public static final int MAX_OWNERS_DEFAULT = 4096;
    /** Default of {@link #STATUS_INTERVAL_MS}. */
    public static final long STATUS_INTERVAL_MS_DEFAULT = 5000L;
    /** Default of {@link #EXIT_AFTER_MS}: run until SIGTERM or SIGINT. */
    public static final long EXIT_AFTER_MS_DEFAULT = 0L;

    private static final String COMPUTED = "";
    private static final List<Flag> FLAGS = List.of(
        new Flag(DATA_DIR, "DIR", COMPUTED, "a fresh temp dir, deleted on exit",
            "directory for the index's files; created if missing and kept on exit"),
        new Flag(MAX_BLOCKS, "N", Long.toString(MAX_BLOCKS_DEFAULT), null,
            "most blocks the index holds; stores beyond it are refused and counted"),
        new Flag(MAX_OWNERS, "N", Integer.toString(MAX_OWNERS_DEFAULT), null,
            "most owners (worker id, dp rank) the index tracks"),
        new Flag(AERON_DIR, "DIR", COMPUTED, "a unique dir under /dev/shm, or the temp dir without it",
            "embedded media driver directory; deleted on start and on exit, never share it"),
        new Flag(STATUS_INTERVAL_MS, "MS", Long.toString(STATUS_INTERVAL_MS_DEFAULT), null,
            "milliseconds between status lines; 0 prints none"),
        new Flag(EXIT_AFTER_MS, "MS", Long.toString(EXIT_AFTER_MS_DEFAULT), null,
            "stop by itself after this many ms (scripts, tests); 0 runs until SIGTERM or SIGINT"),
        new Flag(HELP, null, COMPUTED, null, "print this help and exit"));

    private final boolean help;
    private final Path dataDir;
    private final long maxBlocks;
    private final int maxOwners;
    private final String aeronDir;
    private final long statusIntervalMs;
    private final long exitAfterMs;

    private Options(final Map<String, String> values)
    {
        help = values.containsKey(HELP);
        dataDir = values.get(DATA_DIR).isEmpty() ? null : Path.of(values.get(DATA_DIR));
        maxBlocks = parseLong(values, MAX_BLOCKS, 1L, Long.MAX_VALUE);
        maxOwners = (int)parseLong(values, MAX_OWNERS, 1L, Integer.MAX_VALUE);
        aeronDir = values.get(AERON_DIR).isEmpty() ? null : values.get(AERON_DIR);
        statusIntervalMs = parseLong(values, STATUS_INTERVAL_MS, 0L, Long.MAX_VALUE);
        exitAfterMs = parseLong(values, EXIT_AFTER_MS, 0L, Long.MAX_VALUE);
    }

    /**
     * Parse a command line: {@code --flag value} or {@code --flag=value}; a repeated flag keeps its last value.
     *
     * @param args the command line.
     * @return the options, defaults filled in.
     * @throws UsageException for an unknown flag, a missing or malformed value, or a stray argument.
     */
    public static Options parse(final String... args)
    {
        final Map<String, String> values = new HashMap<>();
        for (final Flag flag : FLAGS)
        {
            if (null != flag.valueName)
            {
                values.put(flag.name, flag.defaultValue);
            }
        }
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            final int equals = arg.indexOf('=');
            final String name = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
            final Flag flag = find(name);
            if (null == flag)
            {
                throw new UsageException(arg.startsWith("-") ?
                    "unknown option: " + name : "unexpected argument: " + arg);
            }
            if (null == flag.valueName)
            {
                if (name.length() != arg.length())
                {
                    throw new UsageException("option " + name + " takes no value");
                }
                values.put(name, "true");
            }
            else
            {
                final String value = name.length() != arg.length() ? arg.substring(equals + 1) :
                    i + 1 < args.length ? args[++i] : "";
                if (value.isEmpty())
                {
                    throw new UsageException("option " + name + " needs a value: " + name + " " + flag.valueName);
                }
                values.put(name, value);
            }
        }
        return new Options(values);
    }

    /**
     * The {@code --help} text: usage and one line per flag with its default.
     *
     * @return the text, ending with a newline.
     */
    public static String helpText()
    {
        final StringBuilder text = new StringBuilder()
            .append("Usage: indexer-server [options]\n")
            .append("Runs the kvindex indexer with an embedded Aeron media driver.\n")
            .append("Stops cleanly, with exit code 0, on SIGTERM or SIGINT.\n")
            .append("\nOptions:\n");
        for (final Flag flag : FLAGS)
        {
            final String left = null == flag.valueName ? flag.name : flag.name + " " + flag.valueName;
            text.append(String.format("  %-26s %s%n", left, flag.description));
            if (null != flag.valueName)
            {
                final String shown = null != flag.defaultText ? flag.defaultText : flag.defaultValue;
                text.append(String.format("  %-26s (default: %s)%n", "", shown));
            }
        }
        return text.toString();
    }

    /**
     * Every flag name, in help order.
     *
     * @return the names, e.g. {@code --max-blocks}.
     */
    public static List<String> flagNames()
    {
        final List<String> names = new ArrayList<>(FLAGS.size());
        for (final Flag flag : FLAGS)
        {
            names.add(flag.name);
        }
        return Collections.unmodifiableList(names);
    }

    /**
     * Whether {@code --help} was given.
     *
     * @return true to print help and exit.
     */
    public boolean help()
    {
        return help;
    }

    /**
     * The data directory given, or null for a fresh temp dir deleted on exit.
     *
     * @return the directory or null.
     */
    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * Most blocks the index holds.
     *
     * @return the capacity in blocks.
     */
    public long maxBlocks()
    {
        return maxBlocks;
    }

    /**
     * Most owners the index tracks.
     *
     * @return the capacity in owners.
     */
    public int maxOwners()
    {
        return maxOwners;
    }

    /**
     * The media driver directory given, or null for a unique one.
     *
     * @return the directory name or null.
     */
    public String aeronDir()
    {
        return aeronDir;
    }

    /**
     * Milliseconds between status lines, 0 for none.
     *
     * @return the interval.
     */
    public long statusIntervalMs()
    {
        return statusIntervalMs;
    }

    /**
     * Milliseconds after which the server stops by itself, 0 for never.
     *
     * @return the run time limit.
     */
    public long exitAfterMs()
    {
        return exitAfterMs;
    }

    private static Flag find(final String name)
    {
        for (final Flag flag : FLAGS)
        {
            if (flag.name.equals(name))
            {
                return flag;
            }
        }
        return null;
    }

    private static long parseLong(final Map<String, String> values, final String name, final long min, final long max)
    {
        final String text = values.get(name);
        try
        {
            final long value = Long.parseLong(text.replace("_", ""));
            if (value >= min && value <= max)
            {
                return value;
            }
        }
        catch (final NumberFormatException ignore)
        {
        }
        throw new UsageException("option " + name + " needs an integer in [" + min + ", " + max + "], got '" +
            text + "'");
    }

    private record Flag(String name, String valueName, String defaultValue, String defaultText, String description)
    {
    }

    /**
     * A command line that cannot be parsed; the message is meant for the user.
     */
    public static final class UsageException extends IllegalArgumentException
    {
        private static final long serialVersionUID = 1L;

        /**
         * An error with a message for the user.
         *
         * @param message what is wrong with the command line.
         */
        public UsageException(final String message)
        {
            super(message);
        }
    }
}
