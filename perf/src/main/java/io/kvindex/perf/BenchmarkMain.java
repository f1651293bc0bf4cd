package io.kvindex.perf;

import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.ProfilersFailedException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The JMH command line ({@code org.openjdk.jmh.Main}) with the project's JVM flag line, from the
 * {@code kvindex-jvm.flags} resource, appended to every fork; a {@code -jvmArgsAppend} given on the command
 * line comes after it.
 */
public final class BenchmarkMain
{
    /** Classpath resource holding the JVM flag line, filtered from the root pom's {@code kvindex.jvm.flags}. */
    public static final String FLAGS_RESOURCE = "/kvindex-jvm.flags";

    private BenchmarkMain()
    {
    }

    /**
     * Run JMH.
     *
     * @param args JMH arguments; {@code -h} lists them.
     * @throws IOException if the flag resource or the help text cannot be read.
     */
    public static void main(final String[] args) throws IOException
    {
        final CommandLineOptions cmdOptions;
        try
        {
            cmdOptions = new CommandLineOptions(args);
        }
        catch (final CommandLineOptionException ex)
        {
            System.err.println("Error parsing command line:");
            System.err.println(" " + ex.getMessage());
            System.exit(1);
            return;
        }

        final List<String> appended = new ArrayList<>(jvmFlags());
        appended.addAll(cmdOptions.getJvmArgsAppend().orElse(List.of()));
        final Options options = new OptionsBuilder()
            .parent(cmdOptions)
            .jvmArgsAppend(appended.toArray(new String[0]))
            .build();
        final Runner runner = new Runner(options);

        if (cmdOptions.shouldHelp())
        {
            cmdOptions.showHelp();
        }
        else if (cmdOptions.shouldList())
        {
            runner.list();
        }
        else if (cmdOptions.shouldListWithParams())
        {
            runner.listWithParams(cmdOptions);
        }
        else if (cmdOptions.shouldListProfilers())
        {
            cmdOptions.listProfilers();
        }
        else if (cmdOptions.shouldListResultFormats())
        {
            cmdOptions.listResultFormats();
        }
        else
        {
            run(runner, cmdOptions);
        }
    }

    /**
     * The JVM flag line of the build, split on whitespace.
     *
     * @return the flags.
     * @throws IOException if the resource cannot be read.
     */
    public static List<String> jvmFlags() throws IOException
    {
        try (InputStream in = BenchmarkMain.class.getResourceAsStream(FLAGS_RESOURCE))
        {
            if (null == in)
            {
                throw new IllegalStateException(FLAGS_RESOURCE + " is not on the classpath; build perf first");
            }
            final String line = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            if (line.contains("${"))
            {
                throw new IllegalStateException(FLAGS_RESOURCE + " was not filtered by Maven: " + line);
            }
            return line.isEmpty() ? List.of() : Arrays.asList(line.split("\\s+"));
        }
    }

    private static void run(final Runner runner, final CommandLineOptions cmdOptions)
    {
        try
        {
            runner.run();
        }
        catch (final NoBenchmarksException ex)
        {
            System.err.println("No matching benchmarks. Miss-spelled regexp?");
            if (VerboseMode.EXTRA != cmdOptions.verbosity().orElse(VerboseMode.NORMAL))
            {
                System.err.println("Use " + VerboseMode.EXTRA + " verbose mode to debug the pattern matching.");
            }
            else
            {
                runner.list();
            }
            System.exit(1);
        }
        catch (final ProfilersFailedException ex)
        {
            for (Throwable t = ex; null != t; t = t.getCause())
            {
                System.err.println(t.getMessage());
                for (final Throwable suppressed : t.getSuppressed())
                {
                    System.err.println(suppressed.getMessage());
                }
            }
            System.exit(1);
        }
        catch (final RunnerException ex)
        {
            System.err.print("ERROR: ");
            ex.printStackTrace(System.err);
            System.exit(1);
        }
    }
}
