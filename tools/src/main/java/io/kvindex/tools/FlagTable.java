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
 * The options of one tool: a table of flags, each with its value name, default and help line, from which parsing,
 * defaults and {@code --help} all come. Values come from flags ({@code --flag value} or {@code --flag=value}),
 * {@code KVINDEX_*} environment variables and a properties file ({@code --config} or {@code KVINDEX_CONFIG}): a flag
 * wins over the environment, which wins over the file, which wins over the default. Every tool's table has
 * {@link #CONFIG} and {@link #HELP}. Errors are {@link Options.UsageException}s with a message for the user.
 */
final class FlagTable
{
    /** Flag: properties file of options. */
    static final String CONFIG = "--config";
    /** Flag: print the help text and exit. */
    static final String HELP = "--help";
    /** Prefix of the environment variables: {@code --max-blocks} is {@code KVINDEX_MAX_BLOCKS}. */
    static final String ENV_PREFIX = "KVINDEX_";
    /** The default value of a flag whose default is described in words. */
    static final String COMPUTED = "";

    private static final String ON = "true";

    /**
     * One option: a flag with a value (named {@code valueName}) or an on/off switch ({@code valueName} null).
     *
     * @param name         e.g. {@code --max-blocks}.
     * @param valueName    e.g. {@code N}; null for a switch.
     * @param defaultValue the value when none is given ({@link #COMPUTED} for one described in words).
     * @param defaultText  how {@code --help} shows the default, or null to show {@code defaultValue}.
     * @param description  the help line.
     */
    record Flag(String name, String valueName, String defaultValue, String defaultText, String description)
    {
        boolean fromEnvOrFile()
        {
            return !HELP.equals(name);
        }
    }

    private final List<Flag> flags;

    FlagTable(final List<Flag> flags)
    {
        this.flags = List.copyOf(flags);
    }

    /**
     * The environment variable of an option.
     */
    static String envName(final String flag)
    {
        return ENV_PREFIX + flag.substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /**
     * Every flag name, in help order.
     */
    List<String> flagNames()
    {
        final List<String> names = new ArrayList<>(flags.size());
        for (final Flag flag : flags)
        {
            names.add(flag.name);
        }
        return Collections.unmodifiableList(names);
    }

    /**
     * The {@code --help} text: a description, the precedence rules, and one entry per flag with its default and
     * environment variable.
     *
     * @param header the usage line and description, each line ending with a newline.
     */
    String helpText(final String header)
    {
        final StringBuilder text = new StringBuilder(header)
            .append("\nEvery option but --help can also be set by its environment variable (shown below) or in\n")
            .append("the --config file by its name without the dashes; on/off options take true or false.\n")
            .append("Precedence: flag > environment variable > config file > default.\n")
            .append("\nOptions:\n");
        for (final Flag flag : flags)
        {
            final String left = null == flag.valueName ? flag.name : flag.name + " " + flag.valueName;
            text.append(String.format("  %-26s %s%n", left, flag.description));
            if (HELP.equals(flag.name))
            {
                continue;
            }
            final String shown = null != flag.defaultText ? flag.defaultText : flag.defaultValue;
            text.append(String.format("  %-26s (default: %s)%n", "", shown));
            text.append(String.format("  %-26s (env: %s)%n", "", envName(flag.name)));
        }
        return text.toString();
    }

    /**
     * Parse a command line, an environment and the config file they name.
     *
     * @throws Options.UsageException for an unknown flag or file entry, a missing value, or a stray argument.
     */
    Values parse(final Map<String, String> env, final String... args)
    {
        final Map<String, String> given = new HashMap<>();
        final Map<String, String> sources = new HashMap<>();
        parseFlags(args, given);
        final Map<String, String> values = new HashMap<>();
        for (final Flag flag : flags)
        {
            if (null != flag.valueName)
            {
                values.put(flag.name, flag.defaultValue);
            }
        }
        final String config = given.containsKey(CONFIG) ? given.get(CONFIG) : env.get(envName(CONFIG));
        if (null != config && !config.isEmpty())
        {
            readConfigFile(Path.of(config), values, sources);
        }
        for (final Flag flag : flags)
        {
            final String name = envName(flag.name);
            final String value = env.get(name);
            if (null != value && flag.fromEnvOrFile())
            {
                put(flag, value, name, values, sources);
            }
        }
        for (final Map.Entry<String, String> entry : given.entrySet())
        {
            values.put(entry.getKey(), entry.getValue());
            sources.remove(entry.getKey());
        }
        return new Values(values, sources);
    }

    private Flag find(final String name)
    {
        for (final Flag flag : flags)
        {
            if (flag.name.equals(name))
            {
                return flag;
            }
        }
        return null;
    }

    private void parseFlags(final String[] args, final Map<String, String> given)
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
            if (null == flag.valueName)
            {
                if (name.length() != arg.length())
                {
                    throw new Options.UsageException("option " + name + " takes no value");
                }
                given.put(name, ON);
            }
            else
            {
                final String value = name.length() != arg.length() ? arg.substring(equals + 1) :
                    i + 1 < args.length ? args[++i] : "";
                if (value.isEmpty())
                {
                    throw new Options.UsageException(
                        "option " + name + " needs a value: " + name + " " + flag.valueName);
                }
                given.put(name, value);
            }
        }
    }

    private void readConfigFile(final Path file, final Map<String, String> values, final Map<String, String> sources)
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
            if (null == flag || !flag.fromEnvOrFile() || CONFIG.equals(flag.name))
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
        final Map<String, String> values,
        final Map<String, String> sources)
    {
        if (null == flag.valueName)
        {
            if (ON.equalsIgnoreCase(value))
            {
                values.put(flag.name, ON);
            }
            else if ("false".equalsIgnoreCase(value))
            {
                values.remove(flag.name);
            }
            else
            {
                throw new Options.UsageException(source + " needs true or false, got '" + value + "'");
            }
        }
        else
        {
            if (value.isEmpty())
            {
                throw new Options.UsageException(source + " needs a value: " + flag.valueName);
            }
            values.put(flag.name, value);
        }
        sources.put(flag.name, source);
    }

    /**
     * Parsed values, defaults filled in, with typed readers that name where a bad value came from.
     */
    static final class Values
    {
        private final Map<String, String> values;
        private final Map<String, String> sources;

        private Values(final Map<String, String> values, final Map<String, String> sources)
        {
            this.values = values;
            this.sources = sources;
        }

        /**
         * Whether a switch is on.
         */
        boolean isOn(final String name)
        {
            return values.containsKey(name);
        }

        /**
         * A value as given, {@link #COMPUTED} when defaulted to one described in words.
         */
        String string(final String name)
        {
            return values.get(name);
        }

        /**
         * A value, or null when it was left to a default described in words.
         */
        String stringOrNull(final String name)
        {
            final String value = values.get(name);
            return null == value || value.isEmpty() ? null : value;
        }

        long longValue(final String name, final long min, final long max)
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
            throw new Options.UsageException(
                source(name) + " needs an integer in [" + min + ", " + max + "], got '" + text + "'");
        }

        double doubleValue(final String name, final double min, final double max)
        {
            final String text = values.get(name);
            try
            {
                final double value = Double.parseDouble(text.replace("_", ""));
                if (value >= min && value <= max)
                {
                    return value;
                }
            }
            catch (final NumberFormatException ignore)
            {
            }
            throw new Options.UsageException(
                source(name) + " needs a number in [" + min + ", " + max + "], got '" + text + "'");
        }

        /**
         * One of a few words, case-insensitive.
         *
         * @return the word as listed.
         */
        String choice(final String name, final String... allowed)
        {
            final String text = values.get(name);
            for (final String word : allowed)
            {
                if (word.equalsIgnoreCase(text))
                {
                    return word;
                }
            }
            throw new Options.UsageException(
                source(name) + " needs one of " + String.join(", ", allowed) + ", got '" + text + "'");
        }

        private String source(final String name)
        {
            return sources.getOrDefault(name, "option " + name);
        }
    }
}
