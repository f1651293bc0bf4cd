package io.kvindex.perf.e2e;

import io.kvindex.server.http.HttpServiceContext;

import java.nio.file.Path;

/**
 * The command line of {@code tools/perf e2e}: flags into an {@link E2eContext}, and the help text.
 */
final class E2eCommandLine
{
    static final String USAGE = "usage: perf e2e --transport ipc|udp|http --rate N --seconds S [--warmup-seconds W] " +
        "[--ingest-rate M] [--server AERON_DIR|CHANNEL|URL] [--json] [--hgrm DIR] (--help for every option)";

    static final String HELP = USAGE + "\n\n" +
        "End-to-end overlap query latency over Aeron, coordinated omission corrected: one thread (spinning)\n" +
        "sends 64-block queries at a fixed offered rate, and each answer's latency counts from the query's due\n" +
        "time, not from when it could be sent (HdrHistogram). Two phases run back to back in this process, at\n" +
        "the same rate and for the same time, each after its own warm-up: 'query' (the real IndexerClient and\n" +
        "server), then 'echo' (a bare Aeron echo: same channel type, same media driver settings, an echo agent\n" +
        "on one thread with the query agent's idle strategy, requests and answers of the same sizes, no index),\n" +
        "so that overhead_p50_us = query p50 - echo p50 is our cost over the transport.\n" +
        "With --transport http the queries are POST /query_by_hash over " + HttpServiceContext.THREADS_DEFAULT +
        " keep-alive connections (one\n" +
        "request in flight each; requests encoded up front, answers parsed in place) and the echo is the same JDK\n" +
        "HTTP server with the API's thread count answering each query with the body the real server gave.\n\n" +
        "Without --server it starts what it needs: an IndexerServer with an embedded media driver (SHARED\n" +
        "threading, a parking idle strategy: the driver never spins), its index loaded with the SharingWorkload\n" +
        "(16 owners, realistic prefix sharing, --blocks blocks; every answer's longest match is checked), and an\n" +
        "IndexerClient. Threads that spin: the load thread and the server's query agent (in the echo phase the\n" +
        "echo agent in its place): exactly two.\n\n" +
        "Options [default]:\n" +
        "  --transport ipc|udp|http  Aeron IPC, Aeron UDP on 127.0.0.1, or the HTTP/JSON API [ipc]\n" +
        "  --rate N                  offered queries per second [" + E2eContext.RATE_DEFAULT + "]\n" +
        "  --seconds S               measured seconds per phase [" + (int)E2eContext.SECONDS_DEFAULT + "]\n" +
        "  --warmup-seconds W        unrecorded warm-up per phase, same rate [" +
        (int)E2eContext.WARMUP_SECONDS_DEFAULT + "]\n" +
        "  --ingest-rate M           events per second applied to the served index during the query phase\n" +
        "                            (warm-up included) [0]. Ingest is produced by one writer thread, the\n" +
        "                            index's only writer, calling OffHeapBlockIndex store/remove directly (no\n" +
        "                            feed, no ring) with the workload's apply chains: first Stored events of 16\n" +
        "                            new blocks each under a block their owner holds (a new turn of a chat),\n" +
        "                            then alternately a Removed event of the oldest stored chain (leaf first,\n" +
        "                            as an engine evicts) and a Stored of the next one. It applies the events\n" +
        "                            due every 0.5 ms and sleeps in between (never spins). Embedded server only.\n" +
        "  --server DIR|CHANNEL|URL  target a running server: its Aeron dir for ipc (tools/indexer-server\n" +
        "                            prints it), its query channel aeron:udp?endpoint=host:port for udp (the\n" +
        "                            client then runs its own embedded driver with the server's driver\n" +
        "                            settings). Answers are not checked (the index content is unknown). The\n" +
        "                            echo runs in this process, on that driver (ipc) or the client's (udp),\n" +
        "                            while the server's query agent stays up: mind its idle strategy. For\n" +
        "                            http, its URL, e.g. http://127.0.0.1:8090.\n" +
        "  --model NAME              model the queries name [" + E2eContext.MODEL_DEFAULT + "]\n" +
        "  --tenant NAME             tenant the queries name [default]\n" +
        "  --stream-id N             server's request stream id [" + E2eContext.STREAM_ID_DEFAULT + "]\n" +
        "  --blocks N                blocks of the embedded server's index [" + E2eContext.BLOCKS_DEFAULT + "]\n" +
        "  --server-idle KIND        idle strategy of the query agent and the echo agent: spin (busy spin),\n" +
        "                            yield, or backoff (the indexer server's default: 10 spins, 10 yields,\n" +
        "                            then parks of 1 us doubling to 1 ms) [" + E2eContext.IDLE_SPIN + "]\n" +
        "  --driver-idle KIND        idle strategy of the embedded media driver (SHARED threading): backoff\n" +
        "                            (the server's default: parks of 1 us doubling to 1 ms), yield, or spin\n" +
        "                            (a third spinning thread) [" + E2eContext.IDLE_BACKOFF + "]. Over UDP every\n" +
        "                            message passes through the driver's sender and receiver, so a parked\n" +
        "                            driver's wake-ups are on the path; over IPC they are not.\n" +
        "  --timeout-ms N            an answer later than this counts as a timeout [" +
        E2eContext.TIMEOUT_MS_DEFAULT + "]\n" +
        "  --max-in-flight N         queries in flight at most; a due query waits for a slot, its latency\n" +
        "                            still counting from its due time [" + E2eContext.MAX_IN_FLIGHT_DEFAULT + "]\n" +
        "  --no-echo                 skip the echo phase (echo_* and overhead_* are null)\n" +
        "  --hgrm DIR                write each phase's HdrHistogram percentile distribution (in us) to\n" +
        "                            DIR/<transport>-<rate>qps[-ingest<M>eps]-<phase>-<time>.hgrm [none;\n" +
        "                            tools/perf defaults it to perf/results/<date>/e2e; --hgrm none there\n" +
        "                            writes none]\n" +
        "  --progress-ms N           interval of the progress line on stderr [" +
        E2eContext.PROGRESS_INTERVAL_MS_DEFAULT + "]\n" +
        "  --json                    print one JSON object (p50_us, p90_us, p99_us, p999_us, max_us,\n" +
        "                            achieved_rate, offered_rate, transport, echo_p50_us, echo_p99_us,\n" +
        "                            overhead_p50_us, jdk, cores, error and timeout counts...), not a table\n\n" +
        "Tails (p99, p99.9) swing between identical runs on small machines: judge them over several runs.";

    private E2eCommandLine()
    {
    }

    /**
     * Whether the arguments ask for help.
     *
     * @param args the command line.
     * @return true when {@code -h} or {@code --help} is among them.
     */
    static boolean wantsHelp(final String[] args)
    {
        for (final String arg : args)
        {
            if ("-h".equals(arg) || "--help".equals(arg))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Read the flags into a context, not concluded yet.
     *
     * @param args the command line.
     * @return the context.
     * @throws IllegalArgumentException on an unknown flag, a missing value or a bad number.
     */
    static E2eContext parse(final String[] args)
    {
        final E2eContext ctx = new E2eContext();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--json" -> ctx.json(true);
                case "--no-echo" -> ctx.echo(false);
                default ->
                {
                    if (i + 1 >= args.length)
                    {
                        throw new IllegalArgumentException(arg.startsWith("--") ?
                            "missing value for " + arg : "unexpected argument " + arg);
                    }
                    apply(ctx, arg, args[++i]);
                }
            }
        }
        return ctx;
    }

    private static void apply(final E2eContext ctx, final String flag, final String value)
    {
        try
        {
            switch (flag)
            {
                case "--transport" -> ctx.transport(E2eTransport.parse(value));
                case "--rate" -> ctx.rate(Long.parseLong(number(value)));
                case "--seconds" -> ctx.seconds(Double.parseDouble(number(value)));
                case "--warmup-seconds" -> ctx.warmupSeconds(Double.parseDouble(number(value)));
                case "--ingest-rate" -> ctx.ingestRate(Long.parseLong(number(value)));
                case "--server" -> ctx.server(value);
                case "--hgrm" -> ctx.hgrmDir(Path.of(value));
                case "--model" -> ctx.model(value);
                case "--tenant" -> ctx.tenant(value);
                case "--stream-id" -> ctx.streamId(Integer.parseInt(number(value)));
                case "--blocks" -> ctx.blocks(Integer.parseInt(number(value)));
                case "--server-idle" -> ctx.serverIdle(value);
                case "--driver-idle" -> ctx.driverIdle(value);
                case "--timeout-ms" -> ctx.timeoutMs(Long.parseLong(number(value)));
                case "--max-in-flight" -> ctx.maxInFlight(Integer.parseInt(number(value)));
                case "--progress-ms" -> ctx.progressIntervalMs(Long.parseLong(number(value)));
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(flag + ": not a number: " + value, ex);
        }
    }

    private static String number(final String value)
    {
        return value.replace("_", "");
    }
}
