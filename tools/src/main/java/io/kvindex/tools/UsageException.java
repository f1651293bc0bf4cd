package io.kvindex.tools;

/**
 * A command line, environment variable or config file entry a tool cannot use, with a message for the user. The
 * launchers print it with a pointer to {@code --help} and exit with {@link ToolRunner#EXIT_USAGE}.
 */
public final class UsageException extends IllegalArgumentException
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
