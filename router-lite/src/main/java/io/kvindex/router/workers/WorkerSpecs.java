package io.kvindex.router.workers;

import io.kvindex.router.Worker;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses candidate workers written as {@code id[:dp]=url[;weight=W][;max_batched_tokens=N]}, several separated by
 * commas or newlines, {@code #} starting a comment; e.g. {@code 1=http://10.0.0.5:8000,2:1=http://10.0.0.6:8000}.
 * Ids are unsigned 64-bit; the weight (default 1) is for {@code device-aware-weighted} mode.
 */
public final class WorkerSpecs
{
    private WorkerSpecs()
    {
    }

    /**
     * Parse a list of worker specs.
     *
     * @param text the specs.
     * @return the workers, in order.
     * @throws IllegalArgumentException naming the bad spec.
     */
    public static List<Worker> parse(final String text)
    {
        final List<Worker> workers = new ArrayList<>();
        for (final String line : text.split("\n"))
        {
            final int hash = line.indexOf('#');
            final String content = hash >= 0 ? line.substring(0, hash) : line;
            for (final String spec : content.split(","))
            {
                if (!spec.isBlank())
                {
                    workers.add(parseOne(spec.trim()));
                }
            }
        }
        return workers;
    }

    /**
     * Parse one spec.
     *
     * @param spec e.g. {@code 3:1=http://127.0.0.1:8001;weight=2}.
     * @return the worker.
     */
    public static Worker parseOne(final String spec)
    {
        final int equals = spec.indexOf('=');
        if (equals <= 0 || equals == spec.length() - 1)
        {
            throw new IllegalArgumentException("worker spec must be id[:dp]=url: '" + spec + "'");
        }
        final String owner = spec.substring(0, equals).trim();
        final String[] parts = spec.substring(equals + 1).trim().split(";");
        final String url = parts[0].trim();
        if (!url.startsWith("http://") && !url.startsWith("https://"))
        {
            throw new IllegalArgumentException("worker URL must be http(s)://host:port: '" + spec + "'");
        }
        try
        {
            final int colon = owner.indexOf(':');
            final long id = Long.parseUnsignedLong(colon < 0 ? owner : owner.substring(0, colon));
            final int dpRank = colon < 0 ? 0 : Integer.parseInt(owner.substring(colon + 1));
            double weight = 1.0;
            long maxBatchedTokens = Worker.DEFAULT_MAX_NUM_BATCHED_TOKENS;
            for (int i = 1; i < parts.length; i++)
            {
                final String[] option = parts[i].trim().split("=", 2);
                if (2 == option.length && "weight".equals(option[0].trim()))
                {
                    weight = Double.parseDouble(option[1].trim());
                }
                else if (2 == option.length && "max_batched_tokens".equals(option[0].trim()))
                {
                    maxBatchedTokens = Long.parseLong(option[1].trim());
                }
                else
                {
                    throw new IllegalArgumentException("unknown worker option '" + parts[i] + "'");
                }
            }
            return new Worker(id, dpRank, weight, url, maxBatchedTokens);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("bad worker spec '" + spec + "': " + ex.getMessage(), ex);
        }
    }
}
