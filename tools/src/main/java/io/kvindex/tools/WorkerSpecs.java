package io.kvindex.tools;

import io.kvindex.server.registry.WorkerRegistration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Engine streams to register, as {@code --workers} and {@code --workers-file} write them.
 * <p>
 * A spec is {@code INSTANCE_ID@ENDPOINT} followed by optional {@code ,key=value} items: {@code replay=ENDPOINT},
 * {@code dp=N}, {@code block_size=N}, {@code model=NAME}, {@code tenant=NAME} (the long names {@code replay_endpoint},
 * {@code dp_rank}, {@code model_name}, {@code tenant_id} work too). Several specs go in one comma-separated list: an
 * item with {@code @} starts the next worker. Missing model, tenant and block size come from {@code --model},
 * {@code --tenant} and {@code --block-size}; the rank defaults to 0.
 * <p>
 * A workers file holds one or more specs per line, or one JSON object per line with the fields of
 * {@code POST /register}: {@code {"instance_id": 1, "endpoint": "tcp://h:5557", "replay_endpoint": "tcp://h:5558",
 * "dp_rank": 0, "block_size": 16, "model_name": "llama", "tenant_id": "default"}}. Blank lines and lines starting
 * with {@code #} are skipped.
 */
final class WorkerSpecs
{
    private final String defaultModel;
    private final String defaultTenant;
    private final int defaultBlockSize;

    WorkerSpecs(final String defaultModel, final String defaultTenant, final int defaultBlockSize)
    {
        this.defaultModel = defaultModel;
        this.defaultTenant = defaultTenant;
        this.defaultBlockSize = defaultBlockSize;
    }

    /**
     * Parse a comma-separated list of specs.
     *
     * @param specs the list, e.g. {@code 1@tcp://h:5557,replay=tcp://h:5558,2@tcp://h2:5557,dp=1}.
     * @return the registrations, in order.
     * @throws IllegalArgumentException naming the bad item.
     */
    List<WorkerRegistration> parse(final String specs)
    {
        final List<WorkerRegistration> registrations = new ArrayList<>();
        Map<String, String> fields = null;
        for (final String rawItem : specs.split(","))
        {
            final String item = rawItem.trim();
            if (item.isEmpty())
            {
                continue;
            }
            final int at = item.indexOf('@');
            final int equals = item.indexOf('=');
            if (at > 0 && (equals < 0 || at < equals))
            {
                if (null != fields)
                {
                    registrations.add(registration(fields));
                }
                fields = new HashMap<>();
                fields.put("instance_id", item.substring(0, at));
                fields.put("endpoint", item.substring(at + 1));
            }
            else if (equals > 0 && null != fields)
            {
                fields.put(longName(item.substring(0, equals).trim()), item.substring(equals + 1).trim());
            }
            else
            {
                throw new IllegalArgumentException("bad worker item '" + item + "': expected INSTANCE_ID@ENDPOINT " +
                    "or key=value after one");
            }
        }
        if (null != fields)
        {
            registrations.add(registration(fields));
        }
        return registrations;
    }

    /**
     * Read a workers file: specs or JSON objects, one line each.
     *
     * @param file the file.
     * @return the registrations, in order.
     * @throws IllegalArgumentException naming the file and line of a bad entry.
     */
    List<WorkerRegistration> readFile(final Path file)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read workers file " + file + ": " + ex);
        }
        final List<WorkerRegistration> registrations = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            try
            {
                if (line.startsWith("{"))
                {
                    registrations.add(registration(FlatJson.parse(line)));
                }
                else
                {
                    registrations.addAll(parse(line));
                }
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + ex.getMessage(), ex);
            }
        }
        return registrations;
    }

    private WorkerRegistration registration(final Map<String, String> fields)
    {
        for (final String key : fields.keySet())
        {
            switch (key)
            {
                case "instance_id", "endpoint", "replay_endpoint", "dp_rank", "block_size", "model_name", "tenant_id":
                    break;
                default:
                    throw new IllegalArgumentException("unknown worker field '" + key + "'");
            }
        }
        final String model = fields.getOrDefault("model_name", defaultModel);
        if (null == model || model.isEmpty())
        {
            throw new IllegalArgumentException("worker " + fields.get("instance_id") + " names no model: add " +
                "model=NAME or give " + Options.MODEL);
        }
        return new WorkerRegistration(
            parseUnsigned("instance_id", fields.get("instance_id")),
            (int)parseNumber("dp_rank", fields.getOrDefault("dp_rank", "0")),
            fields.get("endpoint"),
            fields.get("replay_endpoint"),
            (int)parseNumber("block_size", fields.getOrDefault("block_size", Integer.toString(defaultBlockSize))),
            model,
            fields.getOrDefault("tenant_id", defaultTenant));
    }

    private static String longName(final String key)
    {
        return switch (key)
        {
            case "replay" -> "replay_endpoint";
            case "dp" -> "dp_rank";
            case "model" -> "model_name";
            case "tenant" -> "tenant_id";
            default -> key;
        };
    }

    private static long parseUnsigned(final String field, final String text)
    {
        try
        {
            return Long.parseUnsignedLong(text);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException(field + " must be an unsigned 64-bit integer, got '" + text + "'");
        }
    }

    private static long parseNumber(final String field, final String text)
    {
        try
        {
            final long value = Long.parseLong(text);
            if (value >= 0 && value <= Integer.MAX_VALUE)
            {
                return value;
            }
        }
        catch (final RuntimeException ignore)
        {
        }
        throw new IllegalArgumentException(field + " must be an integer >= 0, got '" + text + "'");
    }
}
