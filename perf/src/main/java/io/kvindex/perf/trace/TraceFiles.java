package io.kvindex.perf.trace;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the shared Mooncake trace: {@code shared/traces/conversation_trace.jsonl} in the working directory or one of
 * its parents (from a work tree, {@code ../shared/traces/...}), unless {@code KVINDEX_TRACE} names a file.
 */
public final class TraceFiles
{
    /** The trace's path under a directory that holds {@code shared/}. */
    public static final String CONVERSATION_TRACE = "shared/traces/conversation_trace.jsonl";

    private TraceFiles()
    {
    }

    /**
     * The conversation trace, if present.
     *
     * @return its path, or null when it cannot be found.
     */
    public static Path conversationTrace()
    {
        final String env = System.getenv("KVINDEX_TRACE");
        if (null != env && !env.isEmpty())
        {
            final Path path = Path.of(env);
            return Files.isRegularFile(path) ? path : null;
        }
        for (Path dir = Path.of("").toAbsolutePath(); null != dir; dir = dir.getParent())
        {
            final Path candidate = dir.resolve(CONVERSATION_TRACE);
            if (Files.isRegularFile(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
