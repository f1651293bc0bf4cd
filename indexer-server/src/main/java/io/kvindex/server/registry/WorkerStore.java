package io.kvindex.server.registry;

import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The worker registry as it survives a restart: one entry per registered stream in a Chronicle Map persisted to
 * {@code workers.cm} in the data directory, with the stream's last applied seq (saved every so often, never per
 * event). Other processes may open the same file while the server runs ({@link #openExisting(Path)}, or
 * {@code java io.kvindex.server.registry.WorkerStore DATA_DIR} to list it).
 * <p>
 * Entries are text, so that any tool can read them: the key is
 * {@code instance_id=..&dp_rank=..&model_name=..&tenant_id=..} and the value
 * {@code endpoint=..&replay_endpoint=..&block_size=..&last_seq=..&saved_at_ms=..}, values URL-encoded, the replay
 * endpoint absent when there is none and {@code last_seq} -1 before the first batch.
 */
public final class WorkerStore implements AutoCloseable
{
    /** Name of the store's file in the data directory. */
    public static final String FILE_NAME = "workers.cm";

    /** Default most streams the store holds. */
    public static final int CAPACITY_DEFAULT = 4096;

    private static final String MAP_NAME = "kvindex-workers";
    private static final double AVERAGE_KEY_BYTES = 96;
    private static final double AVERAGE_VALUE_BYTES = 192;

    private final ChronicleMap<CharSequence, CharSequence> map;
    private final Path file;

    /**
     * One saved stream.
     *
     * @param registration the stream.
     * @param lastSeq      the last seq saved, -1 when none.
     * @param savedAtMs    when the entry was last written, ms since the epoch.
     */
    public record Saved(WorkerRegistration registration, long lastSeq, long savedAtMs)
    {
    }

    private WorkerStore(final ChronicleMap<CharSequence, CharSequence> map, final Path file)
    {
        this.map = map;
        this.file = file;
    }

    /**
     * Open the store of a data directory as its owner, creating it when missing; an existing map is recovered (a
     * crash may have left it inconsistent), so no other process should write it meanwhile.
     *
     * @param dataDir  the data directory.
     * @param capacity most streams it holds.
     * @return the store.
     * @throws IllegalStateException when the file exists but cannot be read (use {@code --reset-state}).
     */
    public static WorkerStore open(final Path dataDir, final int capacity)
    {
        final Path file = dataDir.resolve(FILE_NAME);
        try
        {
            final ChronicleMapBuilder<CharSequence, CharSequence> builder = ChronicleMap
                .of(CharSequence.class, CharSequence.class)
                .name(MAP_NAME)
                .entries(capacity)
                .averageKeySize(AVERAGE_KEY_BYTES)
                .averageValueSize(AVERAGE_VALUE_BYTES);
            // The server is the file's owner: an existing file is recovered, in case a crash left a lock held.
            return new WorkerStore(Files.exists(file) ?
                builder.recoverPersistedTo(file.toFile(), true) : builder.createPersistedTo(file.toFile()), file);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IllegalStateException("cannot open the worker registry " + file + " (" + ex +
                "); start with --reset-state to discard it", ex);
        }
    }

    /**
     * Open an existing store, e.g. from a tool while the server runs; the server's writes show through.
     *
     * @param file the store's file.
     * @return the store.
     * @throws IllegalStateException when the file is missing or unreadable.
     */
    public static WorkerStore openExisting(final Path file)
    {
        if (!Files.isRegularFile(file))
        {
            throw new IllegalStateException("no worker registry at " + file);
        }
        try
        {
            return new WorkerStore(ChronicleMap.of(CharSequence.class, CharSequence.class)
                .name(MAP_NAME)
                .entries(CAPACITY_DEFAULT)
                .averageKeySize(AVERAGE_KEY_BYTES)
                .averageValueSize(AVERAGE_VALUE_BYTES)
                .createPersistedTo(file.toFile()), file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open the worker registry " + file, ex);
        }
    }

    /**
     * Delete the store of a data directory.
     *
     * @param dataDir the data directory.
     * @return the file deleted, or null when there was none.
     */
    public static Path delete(final Path dataDir)
    {
        final Path file = dataDir.resolve(FILE_NAME);
        try
        {
            return Files.deleteIfExists(file) ? file : null;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + file, ex);
        }
    }

    /**
     * Save a registration. The last seq is kept when the same stream is saved again with the same endpoints, and
     * reset to -1 when they changed (another engine process).
     *
     * @param registration the stream.
     */
    public void put(final WorkerRegistration registration)
    {
        final String key = key(registration);
        final CharSequence previous = map.get(key);
        long lastSeq = -1;
        if (null != previous)
        {
            final Saved saved = decode(key, previous.toString());
            lastSeq = registration.equals(saved.registration()) ? saved.lastSeq() : -1;
        }
        map.put(key, value(registration, lastSeq));
    }

    /**
     * Save the last applied seq of a registered stream; ignored when the stream is no longer saved.
     *
     * @param registration the stream.
     * @param lastSeq      the seq.
     */
    public void saveSeq(final WorkerRegistration registration, final long lastSeq)
    {
        final String key = key(registration);
        if (map.containsKey(key))
        {
            map.put(key, value(registration, lastSeq));
        }
    }

    /**
     * Forget a stream.
     *
     * @param registration the stream.
     */
    public void remove(final WorkerRegistration registration)
    {
        map.remove(key(registration));
    }

    /**
     * Every saved stream, ordered by model, tenant, instance and rank; an entry that does not decode is skipped.
     *
     * @return a new list.
     */
    public List<Saved> entries()
    {
        final List<Saved> saved = new ArrayList<>();
        map.forEach((key, value) ->
        {
            try
            {
                saved.add(decode(key.toString(), value.toString()));
            }
            catch (final RuntimeException ignore)
            {
                // A malformed entry (written by hand or by another version) is not a registration to restore.
            }
        });
        saved.sort(Comparator.comparing((Saved s) -> s.registration().model())
            .thenComparing(s -> s.registration().tenant())
            .thenComparing(s -> s.registration().instanceId(), Long::compareUnsigned)
            .thenComparingInt(s -> s.registration().dpRank()));
        return saved;
    }

    /**
     * The store's file.
     *
     * @return the path.
     */
    public Path file()
    {
        return file;
    }

    /**
     * Close the map; the file stays.
     */
    @Override
    public void close()
    {
        map.close();
    }

    /**
     * List the registry of a data directory, one stream a line; works while the server runs.
     *
     * @param args the data directory, or the store's file.
     */
    public static void main(final String[] args)
    {
        if (1 != args.length)
        {
            System.err.println("usage: WorkerStore DATA_DIR|FILE");
            System.exit(2);
        }
        final Path path = Path.of(args[0]);
        try (WorkerStore store = openExisting(Files.isDirectory(path) ? path.resolve(FILE_NAME) : path))
        {
            print(store.entries(), System.out);
        }
    }

    /**
     * Print saved streams, one a line.
     *
     * @param entries the streams.
     * @param out     where to print.
     */
    public static void print(final List<Saved> entries, final PrintStream out)
    {
        for (final Saved s : entries)
        {
            final WorkerRegistration r = s.registration();
            out.println("instance_id=" + Long.toUnsignedString(r.instanceId()) + " dp_rank=" + r.dpRank() +
                " model_name=" + r.model() + " tenant_id=" + r.tenant() + " endpoint=" + r.endpoint() +
                " replay_endpoint=" + (null == r.replayEndpoint() ? "none" : r.replayEndpoint()) + " block_size=" +
                r.blockSize() + " last_seq=" + s.lastSeq() + " saved_at_ms=" + s.savedAtMs());
        }
        out.flush();
    }

    static String key(final WorkerRegistration r)
    {
        return "instance_id=" + Long.toUnsignedString(r.instanceId()) + "&dp_rank=" + r.dpRank() + "&model_name=" +
            encode(r.model()) + "&tenant_id=" + encode(r.tenant());
    }

    private static String value(final WorkerRegistration r, final long lastSeq)
    {
        return "endpoint=" + encode(r.endpoint()) +
            (null == r.replayEndpoint() ? "" : "&replay_endpoint=" + encode(r.replayEndpoint())) +
            "&block_size=" + r.blockSize() + "&last_seq=" + lastSeq + "&saved_at_ms=" + System.currentTimeMillis();
    }

    static Saved decode(final String key, final String value)
    {
        final Map<String, String> fields = fields(key);
        fields.putAll(fields(value));
        final WorkerRegistration registration = new WorkerRegistration(
            Long.parseUnsignedLong(fields.get("instance_id")),
            Integer.parseInt(fields.get("dp_rank")),
            fields.get("endpoint"),
            fields.get("replay_endpoint"),
            Integer.parseInt(fields.get("block_size")),
            fields.get("model_name"),
            fields.get("tenant_id"));
        return new Saved(registration, Long.parseLong(fields.getOrDefault("last_seq", "-1")),
            Long.parseLong(fields.getOrDefault("saved_at_ms", "0")));
    }

    private static Map<String, String> fields(final String text)
    {
        final Map<String, String> fields = new HashMap<>();
        for (final String pair : text.split("&"))
        {
            final int equals = pair.indexOf('=');
            if (equals > 0)
            {
                fields.put(pair.substring(0, equals),
                    URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }

    private static String encode(final String text)
    {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
