package io.kvindex.tools;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsTest
{
    @Test
    void shouldFillDefaultsForEmptyCommandLine()
    {
        final Options options = Options.parse();

        assertFalse(options.help());
        assertNull(options.dataDir());
        assertEquals(1_000_000L, options.maxBlocks());
        assertEquals(4096, options.maxOwners());
        assertNull(options.aeronDir());
        assertEquals(5000L, options.statusIntervalMs());
        assertEquals(0L, options.exitAfterMs());
    }

    @Test
    void shouldParseEveryFlagInBothForms()
    {
        final Options options = Options.parse(
            "--data-dir", "/tmp/kv data", "--max-blocks=123", "--max-owners", "7", "--aeron-dir=/dev/shm/x",
            "--status-interval-ms", "0", "--exit-after-ms=2_500");

        assertEquals(Path.of("/tmp/kv data"), options.dataDir());
        assertEquals(123L, options.maxBlocks());
        assertEquals(7, options.maxOwners());
        assertEquals("/dev/shm/x", options.aeronDir());
        assertEquals(0L, options.statusIntervalMs());
        assertEquals(2500L, options.exitAfterMs());
    }

    @Test
    void shouldKeepLastValueOfRepeatedFlag()
    {
        assertEquals(9L, Options.parse("--max-blocks", "3", "--max-blocks", "9").maxBlocks());
    }

    @Test
    void shouldListEveryOptionWithItsDefaultInHelp()
    {
        final String help = Options.helpText();
        final List<String> names = Options.flagNames();

        assertEquals(List.of("--data-dir", "--max-blocks", "--max-owners", "--aeron-dir", "--status-interval-ms",
            "--exit-after-ms", "--help"), names);
        for (final String name : names)
        {
            assertTrue(help.contains("  " + name), name + " missing from help:\n" + help);
        }
        assertTrue(help.contains("(default: 1000000)"), help);
        assertTrue(help.contains("(default: 4096)"), help);
        assertTrue(help.contains("(default: 5000)"), help);
        assertTrue(help.contains("(default: 0)"), help);
        assertTrue(help.contains("(default: a fresh temp dir, deleted on exit)"), help);
        assertTrue(help.contains("(default: a unique dir under /dev/shm"), help);
        assertEquals(6, help.split("\\(default: ", -1).length - 1, help);
        for (final String line : help.split("\n"))
        {
            assertTrue(line.length() <= 120, line);
        }
    }

    @Test
    void shouldRecogniseHelp()
    {
        assertTrue(Options.parse("--help").help());
        assertTrue(Options.parse("--max-blocks", "5", "--help").help());
    }

    @Test
    void shouldRejectUnknownFlag()
    {
        final Options.UsageException ex = assertThrows(
            Options.UsageException.class, () -> Options.parse("--max-blocks", "5", "--max-blokcs=6"));
        assertEquals("unknown option: --max-blokcs", ex.getMessage());
        assertEquals("unknown option: -x", assertThrows(
            Options.UsageException.class, () -> Options.parse("-x")).getMessage());
    }

    @Test
    void shouldRejectStrayArgument()
    {
        assertEquals("unexpected argument: data", assertThrows(
            Options.UsageException.class, () -> Options.parse("data")).getMessage());
    }

    @Test
    void shouldRejectMissingOrEmptyValue()
    {
        final Options.UsageException ex = assertThrows(
            Options.UsageException.class, () -> Options.parse("--data-dir"));
        assertTrue(ex.getMessage().contains("--data-dir needs a value"), ex.getMessage());
        assertThrows(Options.UsageException.class, () -> Options.parse("--aeron-dir="));
        assertThrows(Options.UsageException.class, () -> Options.parse("--help=yes"));
    }

    @Test
    void shouldRejectMalformedOrOutOfRangeNumbers()
    {
        final String[][] bad =
        {
            { "--max-blocks", "many" },
            { "--max-blocks", "0" },
            { "--max-owners", "-1" },
            { "--max-owners", "4294967296" },
            { "--status-interval-ms", "-5" },
            { "--exit-after-ms", "1.5" },
        };
        for (final String[] args : bad)
        {
            final Options.UsageException ex = assertThrows(Options.UsageException.class, () -> Options.parse(args));
            assertTrue(ex.getMessage().startsWith("option " + args[0] + " needs an integer in ["), ex.getMessage());
            assertTrue(ex.getMessage().endsWith("got '" + args[1] + "'"), ex.getMessage());
        }
    }
}
