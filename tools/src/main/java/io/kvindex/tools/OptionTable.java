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
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * The options of one tool as a table, from which parsing, defaults and {@code --help} all come. Every tool follows the
 * same rules:
 * <ul>
 *     <li>{@code --flag value} or {@code --flag=value}; an on/off option is {@code --flag} or {@code --no-flag};</li>
 *     <li>every option but {@code --help} also comes from its environment variable (the prefix, e.g.
 *     {@code KVINDEX_}, and the upper-snake flag name; an alias may be accepted too) or, by its name without the
 *     dashes, from the properties file named by {@code --config};</li>
 *     <li>a flag wins over the environment, which wins over the file, which wins over the default;</li>
 *     <li>a repeatable option collects every occurrence of its flag, or the comma-separated values of its variable
 *     or file entry; any other option keeps its last value.</li>
 * </ul>
 * Errors are {@link UsageException}s that name where the bad value came from.
 */
final class OptionTable
{
    /** Flag of the properties file; every table has it. */
    static final String CONFIG = "--config";
    /** Flag of the help text; every table has it. */
    static final String HELP = "--help";
    /** Prefix of the environment variables of kvindex's own tools. */
    static final String KVINDEX_ENV_PREFIX = "KVINDEX_";

    private static final String ON = "true";
    private static final String OFF = "false";
    private static final String NONE = "";
    private static final String NEGATION = "--no-";
    private static final int MIN_HELP_COLUMN = 26;
    private static final int MAX_HELP_LINE = 120;

    private final String envPrefix;
    private final Map<String, String> envAliases;
    private final String usage;
    private final String footer;
    private final List<Flag> flags;

    /**
     * One option.
     *
     * @param name         the flag, e.g. {@code --block-size}.
     * @param valueName    what the value is, e.g. {@code N}; null for an on/off option.
     * @param defaultValue the value when none is given: {@code true} or {@code false} for an on/off option; empty
     *                     when the default is decided later (then {@code defaultText} says how).
     * @param defaultText  what {@code --help} shows as the default instead of the value, or null.
     * @param description  one line of help.
     * @param repeatable   whether every value given is kept.
     */
    record Flag(
        String name, String valueName, String defaultValue, String defaultText, String description, boolean repeatable)
    {
        /**
         * An option with a value and a default.
         */
        static Flag value(final String name, final String valueName, final String defaultValue, final String help)
        {
            return new Flag(name, valueName, defaultValue, null, help, false);
        }

        /**
         * An option with a value whose default is decided at run time, described in words.
         */
        static Flag described(final String name, final String valueName, final String defaultText, final String help)
        {
            return new Flag(name, valueName, NONE, defaultText, help, false);
        }

        /**
         * An option with a value that may be given several times.
         */
        static Flag repeatable(
            final String name, final String valueName, final String defaultText, final String help)
        {
            return new Flag(name, valueName, NONE, defaultText, help, true);
        }

        /**
         * An on/off option.
         *
         * @param defaultText what {@code --help} shows as the default, or null for {@code on} / {@code off}.
         */
        static Flag onOff(final String name, final boolean on, final String defaultText, final String help)
        {
            return new Flag(name, null, on ? ON : OFF, defaultText, help, false);
        }

        /**
         * An on/off option whose default is decided at run time ({@link Values#get} is empty unless given).
         */
        static Flag onOffDescribed(final String name, final String defaultText, final String help)
        {
            return new Flag(name, null, NONE, defaultText, help, false);
        }

        boolean isOnOff()
        {
            return null == valueName;
        }
    }

    /**
     * A table of a kvindex tool ({@code KVINDEX_*} environment variables).
     *
     * @param usage text printed before the options in {@code --help}, ending with a newline.
     * @param flags the options, in help order, between {@link #CONFIG} (added first) and {@link #HELP} (last).
     */
    OptionTable(final String usage, final List<Flag> flags)
    {
        this(KVINDEX_ENV_PREFIX, Map.of(), usage, "", flags);
    }

    /**
     * A table.
     *
     * @param envPrefix  prefix of the environment variables, e.g. {@code KVINDEX_} or {@code DYN_}.
     * @param envAliases further environment variables by flag, read when the flag's own variable is not set.
     * @param usage      text printed before the options in {@code --help}, ending with a newline.
     * @param footer     text printed after the options in {@code --help}, empty or ending with a newline.
     * @param flags      the options, in help order, between {@link #CONFIG} (added first) and {@link #HELP} (last).
     */
    OptionTable(
        final String envPrefix,
        final Map<String, String> envAliases,
        final String usage,
        final String footer,
        final List<Flag> flags)
    {
        this.envPrefix = envPrefix;
        this.envAliases = Map.copyOf(envAliases);
        this.usage = usage;
        this.footer = footer;
        final List<Flag> all = new ArrayList<>();
        all.add(Flag.described(CONFIG, "FILE", "none",
            "properties file of options, one name=value a line; repeatable ones comma-separated"));
        all.addAll(flags);
        all.add(Flag.onOff(HELP, false, null, "print this help and exit"));
        this.flags = Collections.unmodifiableList(all);
    }

    /**
     * The environment variable of an option.
     *
     * @param flag the flag, e.g. {@code --max-blocks}.
     * @return the variable, e.g. {@code KVINDEX_MAX_BLOCKS}.
     */
    String envName(final String flag)
    {
        return envPrefix + flag.substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
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

    /**
     * Every flag name, in help order.
     *
     * @return the names, e.g. {@code --max-blocks}.
     */
    List<String> flagNames()
    {
        final List<String> names = new ArrayList<>(flags.size());
        for (final Flag flag : flags)
        {
            names.add(flag.name());
        }
        return Collections.unmodifiableList(names);
    }

    /**
     * The {@code --help} text: usage, the precedence rules, every option with its default and environment
     * variable, then the footer.
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
        int column = MIN_HELP_COLUMN;
        for (final Flag flag : flags)
        {
            column = Math.max(column, helpName(flag).length() + 1);
        }
        final String format = "  %-" + column + "s %s%n";
        for (final Flag flag : flags)
        {
            final String description = flag.description() + (flag.repeatable() ? " (repeatable)" : "");
            if (column + description.length() + 3 > MAX_HELP_LINE)
            {
                text.append("  ").append(helpName(flag)).append('\n');
                text.append("      ").append(description).append('\n');
            }
            else
            {
                text.append(String.format(format, helpName(flag), description));
            }
            if (HELP.equals(flag.name()))
            {
                continue;
            }
            final String alias = envAliases.get(flag.name());
            text.append(String.format(format, "", "(default: " + helpDefault(flag) + ")"));
            text.append(String.format(format, "", "(env: " + envName(flag.name()) +
                (null == alias ? "" : " or " + alias) + ")"));
        }
        return text.append(footer).toString();
    }

    /**
     * Parse a command line with an environment and the properties file they name.
     *
     * @param env  the environment, e.g. {@link System#getenv()}; variables that name no option are ignored.
     * @param args the command line.
     * @return the values, defaults filled in.
     * @throws UsageException for an unknown flag or file entry, a missing value or a stray argument.
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
            String name = envName(flag.name());
            String value = env.get(name);
            if (null == value && envAliases.containsKey(flag.name()))
            {
                name = envAliases.get(flag.name());
                value = env.get(name);
            }
            if (null != value && !HELP.equals(flag.name()) && !CONFIG.equals(flag.name()))
            {
                put(flag, value.trim(), name, values, sources);
            }
        }
        for (final Map.Entry<String, List<String>> entry : given.entrySet())
        {
            values.put(entry.getKey(), entry.getValue());
            sources.remove(entry.getKey());
        }
        return new Values(values, sources);
    }

    private static String helpName(final Flag flag)
    {
        if (!flag.isOnOff())
        {
            return flag.name() + " " + flag.valueName();
        }
        return OFF.equals(flag.defaultValue()) ? flag.name() : flag.name() + ", " + NEGATION + flag.name().substring(2);
    }

    private static String helpDefault(final Flag flag)
    {
        if (null != flag.defaultText())
        {
            return flag.defaultText();
        }
        if (flag.isOnOff())
        {
            return ON.equals(flag.defaultValue()) ? "on" : "off";
        }
        return flag.defaultValue().isEmpty() ? "none" : flag.defaultValue();
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
            final boolean negated = name.startsWith(NEGATION) && null == find(name);
            final Flag flag = find(negated ? "--" + name.substring(NEGATION.length()) : name);
            if (null == flag || (negated && (!flag.isOnOff() || HELP.equals(flag.name()))))
            {
                throw new UsageException(arg.startsWith("-") ?
                    "unknown option: " + name : "unexpected argument: " + arg);
            }
            final String value;
            if (flag.isOnOff())
            {
                if (name.length() != arg.length())
                {
                    throw new UsageException("option " + name + " takes no value");
                }
                value = negated ? OFF : ON;
            }
            else
            {
                value = name.length() != arg.length() ? arg.substring(equals + 1) :
                    i + 1 < args.length ? args[++i] : "";
                if (value.isEmpty())
                {
                    throw new UsageException("option " + name + " needs a value: " + name + " " + flag.valueName());
                }
            }
            final List<String> values = flag.repeatable() ? given.getOrDefault(flag.name(), new ArrayList<>()) :
                new ArrayList<>();
            values.add(value);
            given.put(flag.name(), values);
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
            throw new UsageException("cannot read config file " + file + ": " + ex);
        }
        for (final String key : new TreeSet<>(properties.stringPropertyNames()))
        {
            final Flag flag = find("--" + key);
            if (null == flag || HELP.equals(flag.name()) || CONFIG.equals(flag.name()))
            {
                throw new UsageException("unknown option in config file " + file + ": " + key);
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
        if (flag.isOnOff())
        {
            if (ON.equalsIgnoreCase(value) || "1".equals(value))
            {
                values.put(flag.name(), List.of(ON));
            }
            else if (OFF.equalsIgnoreCase(value) || "0".equals(value))
            {
                values.put(flag.name(), List.of(OFF));
            }
            else
            {
                throw new UsageException(source + " needs true or false, got '" + value + "'");
            }
        }
        else
        {
            final List<String> list = flag.repeatable() ? split(value) : List.of(value);
            if (list.isEmpty() || value.isEmpty())
            {
                throw new UsageException(source + " needs a value: " + flag.valueName());
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
     * Parsed option values, defaults filled in, with typed readers that name where a bad value came from.
     */
    final class Values
    {
        private final Map<String, List<String>> values;
        private final Map<String, String> sources;

        private Values(final Map<String, List<String>> values, final Map<String, String> sources)
        {
            this.values = values;
            this.sources = sources;
        }

        /**
         * Whether an on/off option is on.
         *
         * @param flag the flag.
         * @return true when on, given or by default.
         */
        boolean isOn(final String flag)
        {
            return ON.equals(get(flag));
        }

        /**
         * The value of an option: the last given, else its default (empty when decided at run time).
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
         * The value of an option, or null when it is empty (left to a default decided at run time).
         *
         * @param flag the flag.
         * @return the value or null.
         */
        String text(final String flag)
        {
            final String value = get(flag);
            return value.isEmpty() ? null : value;
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
         * The value of an option as an integer in a range ({@code _} separators allowed).
         *
         * @param flag the flag.
         * @param min  least value allowed.
         * @param max  greatest value allowed.
         * @return the value.
         * @throws UsageException when it is not an integer in the range.
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
            throw new UsageException(source(flag) + " needs an integer in [" + min + ", " + max + "], got '" +
                text + "'");
        }

        /**
         * The value of an option as a finite number in a range.
         *
         * @param flag the flag.
         * @param min  least value allowed.
         * @param max  greatest value allowed.
         * @return the value.
         * @throws UsageException when it is not a number in the range.
         */
        double getDouble(final String flag, final double min, final double max)
        {
            final String text = get(flag);
            try
            {
                final double value = Double.parseDouble(text.replace("_", ""));
                if (Double.isFinite(value) && value >= min && value <= max)
                {
                    return value;
                }
            }
            catch (final NumberFormatException ignore)
            {
            }
            throw new UsageException(source(flag) + " needs a number in [" + min + ", " + max + "], got '" +
                text + "'");
        }

        /**
         * The value of an option that must be one of a few words, case-insensitive.
         *
         * @param flag    the flag.
         * @param allowed the words.
         * @return the word as listed.
         * @throws UsageException when it is none of them.
         */
        String choice(final String flag, final String... allowed)
        {
            final String text = get(flag);
            for (final String word : allowed)
            {
                if (word.equalsIgnoreCase(text))
                {
                    return word;
                }
            }
            throw new UsageException(source(flag) + " needs one of " + String.join(", ", allowed) + ", got '" +
                text + "'");
        }

        /**
         * Where an option's value came from, for error messages.
         *
         * @param flag the flag.
         * @return e.g. {@code option --max-blocks}, {@code KVINDEX_MAX_BLOCKS} or {@code max-blocks in FILE}.
         */
        String source(final String flag)
        {
            return sources.getOrDefault(flag, "option " + flag);
        }
    }
}
