package io.kvindex.router.workers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvindex.router.Worker;
import io.kvindex.router.WorkerSet;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a router's {@link WorkerSet} equal to the union of its worker sources: workers given on the command line,
 * a workers file (one {@link WorkerSpecs} entry a line, reloaded when its modification time changes) and the
 * registry of an indexer ({@code GET <indexer>/workers}, spec/dynamo-compat.md section 3). The indexer knows ids and
 * dp ranks, not HTTP URLs: a registry worker takes the URL of the flag or file entry with the same id, else has none
 * (routable through the API, not through the pass-through). Flag and file entries win over registry ones. A worker
 * that leaves every source leaves the set at the next poll and receives no new traffic from the router's next call.
 * <p>
 * {@link #poll()} may be called by hand (tests) or every poll interval by {@link #start(long)} on a daemon thread.
 */
public final class WorkerSources implements AutoCloseable
{
    private static final System.Logger LOGGER = System.getLogger(WorkerSources.class.getName());
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final WorkerSet workerSet;
    private final List<Worker> fixed;
    private final Path file;
    private final String indexerUrl;
    private final HttpClient http;
    private List<Worker> fromFile = List.of();
    private List<Worker> fromRegistry = List.of();
    private FileTime fileTime;
    private String lastError;
    private ScheduledExecutorService timer;

    /**
     * Sources of one worker set.
     *
     * @param workerSet  the set to keep up to date.
     * @param fixed      workers from the command line.
     * @param file       the workers file, or null.
     * @param indexerUrl base URL of an indexer's HTTP API whose registry adds workers, or null.
     */
    public WorkerSources(final WorkerSet workerSet, final List<Worker> fixed, final Path file, final String indexerUrl)
    {
        this.workerSet = workerSet;
        this.fixed = List.copyOf(fixed);
        this.file = file;
        this.indexerUrl = null == indexerUrl ? null : indexerUrl.replaceAll("/+$", "");
        this.http = null == indexerUrl ? null : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    /**
     * Read every source once and publish the union; a source that fails keeps its last good list.
     *
     * @return true when the set changed.
     */
    public synchronized boolean poll()
    {
        if (null != file)
        {
            pollFile();
        }
        if (null != indexerUrl)
        {
            pollRegistry();
        }
        final List<Worker> union = union();
        if (!union.equals(workerSet.workers()))
        {
            workerSet.replaceAll(union);
            return true;
        }
        return false;
    }

    /**
     * Poll now, then every interval on a daemon thread.
     *
     * @param intervalMs the interval, e.g. 1000.
     * @return this.
     */
    public WorkerSources start(final long intervalMs)
    {
        poll();
        timer = Executors.newSingleThreadScheduledExecutor((runnable) ->
        {
            final Thread thread = new Thread(runnable, "kvindex-router-workers");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::pollQuietly, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * The last error of a source, or null when the last polls succeeded.
     *
     * @return the error.
     */
    public synchronized String lastError()
    {
        return lastError;
    }

    /**
     * Stop polling.
     */
    public void close()
    {
        if (null != timer)
        {
            timer.shutdownNow();
        }
    }

    private void pollQuietly()
    {
        try
        {
            poll();
        }
        catch (final RuntimeException ex)
        {
            error("worker sources: " + ex);
        }
    }

    private void pollFile()
    {
        try
        {
            final FileTime time = Files.getLastModifiedTime(file);
            if (!time.equals(fileTime))
            {
                fromFile = WorkerSpecs.parse(Files.readString(file, StandardCharsets.UTF_8));
                fileTime = time;
            }
        }
        catch (final NoSuchFileException ex)
        {
            error("workers file " + file + " is missing; keeping its last workers");
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            error("workers file " + file + ": " + ex.getMessage() + "; keeping its last workers");
        }
    }

    private void pollRegistry()
    {
        try
        {
            final HttpRequest request = HttpRequest.newBuilder(URI.create(indexerUrl + "/workers"))
                .timeout(Duration.ofSeconds(2)).GET().build();
            final HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (200 != response.statusCode())
            {
                error("indexer " + indexerUrl + "/workers answered " + response.statusCode());
                return;
            }
            final List<Worker> workers = new ArrayList<>();
            for (final JsonNode entry : MAPPER.readTree(response.body()))
            {
                final long id = Long.parseUnsignedLong(entry.path("instance_id").asText());
                final Iterator<String> ranks = entry.path("endpoints").fieldNames();
                while (ranks.hasNext())
                {
                    final int dpRank = Integer.parseInt(ranks.next());
                    workers.add(
                        new Worker(id, dpRank, 1.0, urlOf(id, dpRank), Worker.DEFAULT_MAX_NUM_BATCHED_TOKENS));
                }
            }
            fromRegistry = workers;
        }
        catch (final IOException | RuntimeException ex)
        {
            error("indexer registry " + indexerUrl + "/workers: " + ex + "; keeping its last workers");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private String urlOf(final long id, final int dpRank)
    {
        String url = null;
        for (final List<Worker> list : List.of(fixed, fromFile))
        {
            for (final Worker worker : list)
            {
                if (worker.workerId() == id && (worker.dpRank() == dpRank || null == url))
                {
                    url = worker.url();
                }
            }
        }
        return url;
    }

    private List<Worker> union()
    {
        final Map<String, Worker> byOwner = new LinkedHashMap<>();
        for (final List<Worker> list : List.of(fromRegistry, fixed, fromFile))
        {
            for (final Worker worker : list)
            {
                byOwner.put(worker.label(), worker);
            }
        }
        return new ArrayList<>(byOwner.values());
    }

    private void error(final String message)
    {
        if (!message.equals(lastError))
        {
            LOGGER.log(System.Logger.Level.WARNING, message);
        }
        lastError = message;
    }
}
