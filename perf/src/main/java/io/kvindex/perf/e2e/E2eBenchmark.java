package io.kvindex.perf.e2e;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.kvindex.client.IndexerClientContext;
import io.kvindex.client.QueryProtocol;
import io.kvindex.client.codecs.MessageHeaderEncoder;
import io.kvindex.client.codecs.OverlapRequestEncoder;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.index.OverlapScores;
import io.kvindex.perf.SharingWorkload;
import io.kvindex.perf.SharingWorkloadContext;
import io.kvindex.server.IndexerServer;
import io.kvindex.server.IndexerServerContext;
import io.kvindex.server.http.HttpServiceContext;
import org.agrona.IoUtil;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code tools/perf e2e}: end-to-end overlap query latency over Aeron at a fixed offered rate, coordinated omission
 * corrected, against a bare Aeron echo measured in the same run (see {@link E2eCommandLine#HELP}). Starts an
 * {@link IndexerServer} with an embedded driver and a loaded index, or targets a running server; then runs the query
 * phase and the echo phase back to back, each after its warm-up, and prints one JSON object or a table.
 */
public final class E2eBenchmark
{
    /** Tokens per block of the embedded server's index. */
    static final int BLOCK_SIZE = 16;
    /** Apply chains the ingest cycles through. */
    static final int INGEST_CHAINS = 4096;
    /** Blocks per apply chain (per Stored event of the ingest). */
    static final int INGEST_CHAIN_BLOCKS = 16;

    private static final String UDP_RESPONSE_CHANNEL = "aeron:udp?endpoint=127.0.0.1:0";
    /** HTTP connections, one request in flight each: as many as the server's handler threads. */
    private static final int HTTP_CONNECTIONS = HttpServiceContext.THREADS_DEFAULT;

    private final E2eContext ctx;
    private final PrintStream log;
    private final SharingWorkload workload;
    private final long[][] queries;
    private final int queryBlocks;
    private final int[] ownersByQuery;
    private ProgressReporter progress;
    private byte[][] httpBodies;
    private HttpQueryTarget httpTarget;

    private E2eBenchmark(final E2eContext ctx, final PrintStream log)
    {
        this.ctx = ctx;
        this.log = log;
        final long startNs = System.nanoTime();
        workload = new SharingWorkload(new SharingWorkloadContext()
            .targetBlocks(ctx.blocks())
            .applyChains(INGEST_CHAINS, INGEST_CHAIN_BLOCKS));
        queries = workload.queries();
        queryBlocks = workload.context().queryBlocks();
        ownersByQuery = new int[queries.length];
        log.printf(Locale.ROOT, "perf e2e: workload in %.1f s: %s%n", (System.nanoTime() - startNs) / 1e9,
            workload.describe());
    }

    /**
     * Run from the command line; exits 2 on a bad command line.
     *
     * @param args see {@link E2eCommandLine#HELP}.
     * @throws IOException when an .hgrm file cannot be written.
     */
    public static void main(final String[] args) throws IOException
    {
        if (E2eCommandLine.wantsHelp(args))
        {
            System.out.println(E2eCommandLine.HELP);
            return;
        }
        final E2eContext ctx;
        try
        {
            ctx = E2eCommandLine.parse(args).conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("perf e2e: " + ex.getMessage());
            System.err.println(E2eCommandLine.USAGE);
            System.exit(2);
            return;
        }
        final E2eReport report = run(ctx, System.err);
        System.out.println(ctx.json() ? report.toJson() : report.toTable());
    }

    /**
     * Run both phases as a context says.
     *
     * @param ctx the settings; concluded here.
     * @param log where progress and setup lines go.
     * @return what was measured.
     * @throws IOException when an .hgrm file cannot be written.
     */
    public static E2eReport run(final E2eContext ctx, final PrintStream log) throws IOException
    {
        ctx.conclude();
        final E2eBenchmark benchmark = new E2eBenchmark(ctx, log);
        final E2eReport report;
        try (ProgressReporter progress = new ProgressReporter(ctx.progressIntervalMs(), log))
        {
            benchmark.progress = progress;
            report = null == ctx.server() ? benchmark.runEmbedded() : benchmark.runAgainstServer();
        }
        if (null != ctx.hgrmDir())
        {
            report.writeHgrm(ctx.hgrmDir());
        }
        return report;
    }

    private E2eReport runEmbedded()
    {
        final E2eReport report = newReport("embedded", workload.liveBlocks());
        final IndexerServerContext serverCtx = new IndexerServerContext()
            .maxBlocks((int)Math.min(Integer.MAX_VALUE, workload.capacityHint()))
            .maxOwners(workload.owners())
            .queryChannel(ctx.transport().channel(freeUdpPort()))
            .queryStreamId(ctx.streamId())
            .queryIdleStrategy(ctx.newServerIdleStrategy())
            .driverIdleStrategy(ctx.newDriverIdleStrategy());
        if (E2eTransport.HTTP == ctx.transport())
        {
            serverCtx.httpContext(new HttpServiceContext().port(0));
        }
        try (IndexerServer server = IndexerServer.launch(serverCtx))
        {
            final OffHeapBlockIndex index = server.registerIndex(ctx.model(), ctx.tenant(), BLOCK_SIZE);
            workload.populate(index);
            expectAnswers(index);
            log.printf(Locale.ROOT,
                "perf e2e: server up: query channel %s stream %d, aeron dir %s, %,d blocks indexed%n",
                serverCtx.queryChannel(), serverCtx.queryStreamId(), serverCtx.aeronDirectoryName(),
                workload.liveBlocks());
            final IngestLoad ingest = ctx.ingestRate() > 0 ?
                new IngestLoad(index, workload, ctx.ingestRate()).start() : null;
            progress.ingest(ingest);
            try (LoadTarget target = E2eTransport.HTTP == ctx.transport() ?
                httpTarget("127.0.0.1", server.http().port(), workload.walkedBlocks()) :
                new IndexerClientTarget(clientContext(serverCtx.aeronDirectoryName(), serverCtx.queryChannel()),
                ctx.model(), ctx.tenant(), queries, queryBlocks, workload.walkedBlocks(), ownersByQuery))
            {
                report.query(runPhase("query", target));
            }
            finally
            {
                if (null != ingest)
                {
                    ingest.stop();
                    progress.ingest(null);
                    report.ingest(ingest.applied(), ingest.failed(), ingest.achievedRate());
                }
            }
        }
        if (ctx.echo() && E2eTransport.HTTP == ctx.transport())
        {
            report.echo(runHttpEcho());
        }
        else if (ctx.echo())
        {
            final MediaDriver driver = MediaDriver.launch(serverCtx.driverContext());
            try
            {
                report.echo(runEcho(serverCtx.aeronDirectoryName()));
            }
            finally
            {
                driver.close();
            }
        }
        return report;
    }

    private E2eReport runAgainstServer()
    {
        if (E2eTransport.HTTP == ctx.transport())
        {
            return runAgainstHttpServer();
        }
        final E2eReport report = newReport(ctx.server(), 0);
        final boolean udp = E2eTransport.UDP == ctx.transport();
        final Path dataDir = udp ? createTempDir() : null;
        final MediaDriver driver = udp ?
            MediaDriver.launch(new IndexerServerContext()
                .dataDir(dataDir)
                .driverIdleStrategy(ctx.newDriverIdleStrategy())
                .conclude()
                .driverContext()) : null;
        try
        {
            final String aeronDir = udp ? driver.aeronDirectoryName() : ctx.server();
            final String channel = udp ? ctx.server() : E2eTransport.IPC.channel(0);
            try (IndexerClientTarget target = new IndexerClientTarget(clientContext(aeronDir, channel), ctx.model(),
                ctx.tenant(), queries, queryBlocks, null, ownersByQuery))
            {
                report.query(runPhase("query", target));
            }
            if (ctx.echo())
            {
                report.echo(runEcho(aeronDir));
            }
        }
        finally
        {
            if (null != driver)
            {
                driver.close();
                IoUtil.delete(dataDir.toFile(), true);
            }
        }
        return report;
    }

    private E2eReport runAgainstHttpServer()
    {
        final E2eReport report = newReport(ctx.server(), 0);
        final URI uri = URI.create(ctx.server());
        try (LoadTarget target = httpTarget(uri.getHost(), uri.getPort(), null))
        {
            report.query(runPhase("query", target));
        }
        if (ctx.echo())
        {
            report.echo(runHttpEcho());
        }
        return report;
    }

    private HttpQueryTarget httpTarget(final String host, final int port, final int[] expectedWalked)
    {
        final byte[][] bodies = new byte[queries.length][];
        httpBodies = bodies;
        final StringBuilder sb = new StringBuilder(queryBlocks * 21 + 64);
        for (int q = 0; q < queries.length; q++)
        {
            sb.setLength(0);
            sb.append("{\"block_hashes\":[");
            for (int i = 0; i < queryBlocks; i++)
            {
                sb.append(i == 0 ? "" : ",").append(queries[q][i]);
            }
            sb.append("],\"model_name\":\"").append(ctx.model()).append('"');
            if (null != ctx.tenant())
            {
                sb.append(",\"tenant_id\":\"").append(ctx.tenant()).append('"');
            }
            bodies[q] = sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
        }
        httpTarget = new HttpQueryTarget(new InetSocketAddress(host, port), "/query_by_hash", bodies, BLOCK_SIZE,
            expectedWalked, ownersByQuery, HTTP_CONNECTIONS, timeoutNs(), true);
        return httpTarget;
    }

    private PhaseResult runHttpEcho()
    {
        final byte[][] answers = httpTarget.lastBodies();
        try (HttpEchoServer echo = new HttpEchoServer(answers, HttpServiceContext.THREADS_DEFAULT);
            HttpQueryTarget target = new HttpQueryTarget(new InetSocketAddress("127.0.0.1", echo.port()), "/echo",
                httpBodies, BLOCK_SIZE, null, ownersByQuery, HTTP_CONNECTIONS, timeoutNs(), false))
        {
            return runPhase("echo", target);
        }
    }

    private PhaseResult runEcho(final String aeronDir)
    {
        final String requestChannel = ctx.transport().channel(freeUdpPort());
        final String responseChannel = ctx.transport().channel(freeUdpPort());
        final EchoServer echo = new EchoServer(
            aeronDir, requestChannel, responseChannel, workload.owners(), ctx.newServerIdleStrategy());
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
            EchoClientTarget target = new EchoClientTarget(aeron, requestChannel, responseChannel, ctx.model(),
                ctx.tenant(), queries, ownersByQuery, ctx.maxInFlight(), timeoutNs()))
        {
            return runPhase("echo", target);
        }
        finally
        {
            echo.close();
        }
    }

    private PhaseResult runPhase(final String name, final LoadTarget target)
    {
        final long drainNs = timeoutNs() + TimeUnit.SECONDS.toNanos(1);
        final FixedRateLoad load = new FixedRateLoad(ctx.rate(), queries.length, drainNs, drainNs);
        final long warmupNs = (long)(ctx.warmupSeconds() * 1e9);
        if (warmupNs > 0)
        {
            final PhaseResult warmup = new PhaseResult(name + " warm-up");
            progress.phase(warmup, warmupNs);
            load.run(target, warmup, warmupNs);
            summarize(warmup);
        }
        final PhaseResult result = new PhaseResult(name);
        final long durationNs = (long)(ctx.seconds() * 1e9);
        progress.phase(result, durationNs);
        load.run(target, result, durationNs);
        progress.phase(null, 0);
        summarize(result);
        return result;
    }

    private void summarize(final PhaseResult result)
    {
        log.printf(Locale.ROOT, "perf e2e: %s done: %,d sent, %,d answered (%,d errors, %,d timeouts, " +
            "%,d mismatched), p50 %.2f us, p99 %.2f us%n", result.name(), result.sent(), result.answered(),
            result.errors(), result.timeouts(), result.mismatched(), result.percentileUs(50), result.percentileUs(99));
    }

    /**
     * Per query, the scores the loaded index answers: the size of the real answer, which the echo reproduces.
     */
    private void expectAnswers(final OffHeapBlockIndex index)
    {
        final OverlapScores scores = new OverlapScores(workload.owners());
        final int[] walked = workload.walkedBlocks();
        for (int q = 0; q < queries.length; q++)
        {
            index.findMatches(queries[q], queryBlocks, scores);
            ownersByQuery[q] = scores.size();
            int longest = 0;
            for (int i = 0; i < scores.size(); i++)
            {
                longest = Math.max(longest, scores.matchedBlocks(i));
            }
            if (longest != walked[q])
            {
                throw new IllegalStateException("query " + q + ": the loaded index matches " + longest +
                    " blocks, the workload stored " + walked[q]);
            }
        }
    }

    private IndexerClientContext clientContext(final String aeronDir, final String channel)
    {
        return new IndexerClientContext()
            .aeronDirectoryName(aeronDir)
            .addEndpoint(channel, ctx.streamId())
            .responseChannel(E2eTransport.UDP == ctx.transport() ?
                UDP_RESPONSE_CHANNEL : QueryProtocol.DEFAULT_RESPONSE_CHANNEL)
            .timeoutNs(timeoutNs())
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(10))
            .maxInFlight(ctx.maxInFlight());
    }

    private E2eReport newReport(final String server, final long blocks)
    {
        final int modelBytes = ctx.model().getBytes(StandardCharsets.UTF_8).length;
        final int tenantBytes = null == ctx.tenant() ? 0 : ctx.tenant().getBytes(StandardCharsets.UTF_8).length;
        final int requestBytes = MessageHeaderEncoder.ENCODED_LENGTH + OverlapRequestEncoder.BLOCK_LENGTH +
            4 * OverlapRequestEncoder.modelHeaderLength() + modelBytes + tenantBytes +
            queryBlocks * QueryProtocol.LOCAL_HASH_BYTES;
        return new E2eReport(ctx, server, blocks, workload.owners(), queries.length, queryBlocks, requestBytes);
    }

    private long timeoutNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(ctx.timeoutMs());
    }

    private int freeUdpPort()
    {
        if (E2eTransport.UDP != ctx.transport())
        {
            return 0;
        }
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getByName("127.0.0.1")))
        {
            return socket.getLocalPort();
        }
        catch (final SocketException | UnknownHostException ex)
        {
            throw new IllegalStateException("no free UDP port on 127.0.0.1", ex);
        }
    }

    private static Path createTempDir()
    {
        try
        {
            return Files.createTempDirectory("kvindex-e2e-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
