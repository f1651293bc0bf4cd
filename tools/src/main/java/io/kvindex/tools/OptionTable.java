package io.kvindex.tools;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * A tool's options as one table, with the conventions of {@link Options}: {@code --flag value} or
 * {@code --flag=value}; every option but {@code --help} also from its {@code KVINDEX_*} environment variable
 * ({@link Options#envName}) or, by its name without dashes, from the properties file named by {@code --config};
 * a flag wins over the environment, which wins over the file, which wins over the default. A repeatable option
 * collects every occurrence of its flag, or the comma-separated values of its variable or file entry. Errors are
 * {@link Options.UsageException}s. Parsing and {@code --help} both come from the table.
 */
final class OptionTable
{
    /** Flag of the properties file. */
    static final String CONFIG = "--config";
    /** Flag of the help text. */
    static final String HELP = "--help";

    private static final String ON = "true";

    private final String usage;
    private final List<Flag> flags;

    /**
     * One option.
     *
     * @param name         the flag, e.g. {@code --block-size}.
     * @param valueName    what the value is, e.g. {@code N}; null for an on/off option.
     * @param defaultValue the value when not given; empty for none.
     * @param defaultText  what {@code --help} shows as the default instead of the value, or null.
     * @param description  one line of help.
     * @param repeatable   whether the flag may be given more than once, each value kept.
     */
    record Flag(
        String name, String valueName, String defaultValue, String defaultText, String description, boolean repeatable)
    {
        static Flag value(final String name, final String valueName, final String defaultValue, final String help)
        {
            return new Flag(name, valueName, defaultValue, null, help, false);
        }

        static Flag switchOff(final String name, final String defaultText, final String help)
        {
            return new Flag(name, null, "", defaultText, help, false);
        }
    }

    /**
     * A table of options.
     *
     * @param usage text printed before the options in {@code --help}, ending with a newline.
     * @param flags the options, in help order; {@link #CONFIG} and {@link #HELP} are added.
     */
    OptionTable(final String usage, final List<Flag> flags)
    {
        this.usage = usage;
        final List<Flag> all = new ArrayList<>(flags);
        all.add(new Flag(CONFIG, "FILE", "", "none",
            "properties file of options, one name=value a line (repeatable ones comma-separated)", false));
        all.add(new Flag(HELP, null, "", null, "print this help and exit", false));
        this.flags = Collections.unmodifiableList(all);
    }

    /**
     * Parse a command line with an environment and an optional properties file.
     *
     * @param env  the environment, e.g. {@link System#getenv()}.
     * @param args the command line.
     * @return the values, defaults filled in.
     * @throws Options.UsageException for an unknown flag or file entry, a missing value or a stray argument.
     */
    Values parse(final Map<String, String> env, final String... args)
    {
        final Map<String, List<String>> given = new HashMap<>();
        parseFlags(args, given);
        final Map<String, List<String>> values = new HashMap<>();
        final Map<String, String> sources = new HashMap<>();
        final List<String> config = given.containsKey(CONFIG) ? given.get(CONFIG) : split(env.get(envName(CONFIG)));
        if (!config.isEmpty())
        {
            readConfigFile(Path.of(config.get(config.size() - 1)), values, sources);
        }
        for (final Flag flag : flags)
        {
            final String name = envName(flag.name());
            final String value = env.get(name);
            if (null != value && !HELP.equals(flag.name()))
            {
                put(flag, value, name, values, sources);
            }
        }
        for (final Map.Entry<String, List<String>> entry : given.entrySet())
        {
            values.put(entry.getKey(), entry.getValue());
            sources.remove(entry.getKey());
        }
        return new Values(values, sources);
    }

    /**
     * The {@code --help} text: usage, then every option with its default and environment variable.
     *
     * @return the text, ending with a newline.
     */
    String helpText()
    {
        final StringBuilder text = new StringBuilder(usage)
            .append("\nEvery option but --help can also be set by its environment variable (shown below) or in\n")
            .append("the --config file by its name without the dashes; on/off options take true or false.\n")
            .append("Precedence: flag > environment variable > config file > default.\n")
            .append("\nOptions:\n");
        for (final Flag flag : flags)
        {
            final String left = null == flag.valueName() ? flag.name() : flag.name() + " " + flag.valueName();
            text.append(String.format("  %-30s %s%s%n", left, flag.description(),
                flag.repeatable() ? " (repeatable)" : ""));
            if (HELP.equals(flag.name()))
            {
                continue;
            }
            final String shown = null != flag.defaultText() ? flag.defaultText() :
                flag.defaultValue().isEmpty() ? "none" : flag.defaultValue();
            text.append(String.format("  %-30s (default: %s)%n", "", shown));
            text.append(String.format("  %-30s (env: %s)%n", "", envName(flag.name())));
        }
        return text.toString();
    }

    /**
     * Every flag, in help order.
     *
     * @return the flags.
     */
    List<Flag> flags()
    {
        return flags;
    }

    private static String envName(final String flag)
    {
        return Options.envName(flag);
    }

    private Flag find(final String name)
    {
        for (final Flag flag : flags)
        {
            if (flag.name().equals(name))
            {
                return flag;
            }
        }
        return null;
    }

    private void parseFlags(final String[] args, final Map<String, List<String>> given)
    {
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            final int equals = arg.indexOf('=');
            final String name = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
            final Flag flag = find(name);
            if (null == flag)
            {
                throw new Options.UsageException(arg.startsWith("-") ?
                    "unknown option: " + name : "unexpected argument: " + arg);
            }
            final String value;
            if (null == flag.valueName())
            {
                if (name.length() != arg.length())
                {
                    throw new Options.UsageException("option " + name + " takes no value");
                }
                value = ON;
            }
            else
            {
                value = name.length() != arg.length() ? arg.substring(equals + 1) :
                    i + 1 < args.length ? args[++i] : "";
                if (value.isEmpty())
                {
                    throw new Options.UsageException(
                        "option " + name + " needs a value: " + name + " " + flag.valueName());
                }
            }
            final List<String> values = flag.repeatable() ? given.getOrDefault(name, new ArrayList<>()) :
                new ArrayList<>();
            values.add(value);
            given.put(name, values);
        }
    }

    private void readConfigFile(
        final Path file, final Map<String, List<String>> values, final Map<String, String> sources)
    {
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        catch (final IOException ex)
        {
            throw new Options.UsageException("cannot read config file " + file + ": " + ex);
        }
        for (final String key : new TreeSet<>(properties.stringPropertyNames()))
        {
            final Flag flag = find("--" + key);
            if (null == flag || HELP.equals(flag.name()) || CONFIG.equals(flag.name()))
            {
                throw new Options.UsageException("unknown option in config file " + file + ": " + key);
            }
            put(flag, properties.getProperty(key).trim(), key + " in " + file, values, sources);
        }
    }

    private static void put(
        final Flag flag,
        final String value,
        final String source,
        final Map<String, List<String>> values,
        final Map<String, String> sources)
    {
        if (null == flag.valueName())
        {
            if (ON.equalsIgnoreCase(value))
            {
                values.put(flag.name(), List.of(ON));
            }
            else if ("false".equalsIgnoreCase(value))
            {
                values.remove(flag.name());
            }
            else
            {
                throw new Options.UsageException(source + " needs true or false, got '" + value + "'");
            }
        }
        else
        {
            final List<String> list = flag.repeatable() ? split(value) : List.of(value);
            if (list.isEmpty() || value.isEmpty())
            {
                throw new Options.UsageException(source + " needs a value: " + flag.valueName());
            }
            values.put(flag.name(), list);
        }
        sources.put(flag.name(), source);
    }

    private static List<String> split(final String value)
    {
        final List<String> list = new ArrayList<>();
        if (null != value)
        {
            for (final String part : value.split(","))
            {
                if (!part.isBlank())
                {
                    list.add(part.trim());
                }
            }
        }
        return list;
    }

    /**
     * Parsed option values, defaults filled in.
     */
    final class Values
    {
        private final Map<String, List<String>> values;
        private final Map<String, String> sources;

        Values(final Map<String, List<String>> values, final Map<String, String> sources)
        {
            this.values = values;
            this.sources = sources;
        }

        /**
         * Whether an on/off option is on, or a value option was given (by flag, environment or file).
         *
         * @param flag the flag.
         * @return true when set.
         */
        boolean has(final String flag)
        {
            return values.containsKey(flag);
        }

        /**
         * The value of an option: the last given, else its default (empty when none).
         *
         * @param flag the flag.
         * @return the value.
         */
        String get(final String flag)
        {
            final List<String> list = values.get(flag);
            return null == list || list.isEmpty() ? find(flag).defaultValue() : list.get(list.size() - 1);
        }

        /**
         * Every value of a repeatable option, in order.
         *
         * @param flag the flag.
         * @return the values, empty when none was given.
         */
        List<String> list(final String flag)
        {
            return values.getOrDefault(flag, List.of());
        }

        /**
         * The value of an option as an integer in a range.
         *
         * @param flag the flag.
         * @param min  least value allowed.
         * @param max  greatest value allowed.
         * @return the value.
         * @throws Options.UsageException when it is not an integer in the range.
         */
        long getLong(final String flag, final long min, final long max)
        {
            final String text = get(flag);
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
            final String source = sources.getOrDefault(flag, "option " + flag);
            throw new Options.UsageException(
                source + " needs an integer in [" + min + ", " + max + "], got '" + text + "'");
        }
    }
}
