package io.kvindex.tools;

import io.kvindex.router.QueuePolicy;
import io.kvindex.router.RouterContext;
import io.kvindex.router.RouterMode;
import io.kvindex.router.api.RouterProtocol;
import io.kvindex.router.http.RouterHttpContext;

import java.util.List;
import java.util.Map;

/**
 * Options of {@code router-lite}: Dynamo's router flag names (spec/dynamo-compat.md section 4) and their {@code DYN_*}
 * environment variables (the upper-snake flag name, e.g. {@code DYN_ROUTER_MODE}, plus Dynamo's aliases
 * {@code DYN_KV_CACHE_BLOCK_SIZE} and {@code DYN_KV_OVERLAP_SCORE_WEIGHT}), and the launcher's own. A flag wins over
 * the environment, which wins over a {@code --config} file, which wins over the default; on/off flags come in
 * pairs, {@code --x} and {@code --no-x} (the rules of every tool, {@link OptionTable}).
 */
public final class RouterOptions
{
    /** Prefix of the environment variables. */
    public static final String ENV_PREFIX = "DYN_";

    static final String MODE = "--router-mode";
    static final String BLOCK_SIZE = "--router-block-size";
    static final String OVERLAP_WEIGHT = "--router-kv-overlap-score-weight";
    static final String TEMPERATURE = "--router-temperature";
    static final String KV_EVENTS = "--router-kv-events";
    static final String TRACK_ACTIVE_BLOCKS = "--router-track-active-blocks";
    static final String TRACK_PREFILL_TOKENS = "--router-track-prefill-tokens";
    static final String QUEUE_THRESHOLD = "--router-queue-threshold";
    static final String QUEUE_POLICY = "--router-queue-policy";
    static final String TTL_SECS = "--router-ttl-secs";
    static final String MAX_TREE_SIZE = "--router-max-tree-size";
    static final String PRUNE_TARGET_RATIO = "--router-prune-target-ratio";
    static final String REPLICA_SYNC = "--router-replica-sync";
    static final String SNAPSHOT_THRESHOLD = "--router-snapshot-threshold";
    static final String RESET_STATES = "--router-reset-states";
    static final String HTTP_HOST = "--http-host";
    static final String HTTP_PORT = "--http-port";
    static final String WORKERS = "--workers";
    static final String WORKERS_FILE = "--workers-file";
    static final String WORKERS_POLL_MS = "--workers-poll-ms";
    static final String INDEXER_HTTP = "--indexer-http";
    static final String INDEXER_CHANNEL = "--indexer-channel";
    static final String INDEXER_STREAM_ID = "--indexer-stream-id";
    static final String MODEL = "--model";
    static final String TENANT = "--tenant";
    static final String ROUTER_CHANNEL = "--router-channel";
    static final String ROUTER_STREAM_ID = "--router-stream-id";
    static final String AERON_DIR = "--aeron-dir";
    static final String EXTERNAL_DRIVER = "--external-driver";
    static final String STATUS_INTERVAL_MS = "--status-interval-ms";
    static final String EXIT_AFTER_MS = "--exit-after-ms";
    static final String HELP = OptionTable.HELP;

    private static final Map<String, String> ENV_ALIASES = Map.of(
        BLOCK_SIZE, "DYN_KV_CACHE_BLOCK_SIZE",
        OVERLAP_WEIGHT, "DYN_KV_OVERLAP_SCORE_WEIGHT");
    private static final OptionTable TABLE = new OptionTable(ENV_PREFIX, ENV_ALIASES,
        "Usage: router-lite [options]\n" +
        "A KV-aware router with Dynamo's cost model. Serves the router API over HTTP (/best_worker,\n" +
        "/get_potential_loads, /mark_prefill_complete, /free, /dump_events, /explain, /health, /metrics,\n" +
        "and an OpenAI-style /v1/completions pass-through for token-id prompts) and over Aeron\n" +
        "(RouterClient, docs/router-protocol.md). Embeds a media driver unless --external-driver.\n" +
        "\nWithout --indexer-channel the router runs in approximate mode: it records its own routing\n" +
        "decisions as the workers' caches (no KV events needed), so it works on one machine as is:\n" +
        "  router-lite --workers 1=http://127.0.0.1:8001,2=http://127.0.0.1:8002\n" +
        "With an indexer (tools/indexer-server) fed by the engines' KV events:\n" +
        "  router-lite --indexer-channel aeron:udp?endpoint=127.0.0.1:40456 --model llama --workers ...\n" +
        "Disaggregated serving (as in Dynamo): one router per worker pool, each with its own workers:\n" +
        "  prefill: router-lite --http-port 8081 --router-stream-id 1111 --no-router-track-active-blocks\n" +
        "           --workers-file prefill-workers.txt\n" +
        "  decode:  router-lite --http-port 8082 --router-stream-id 1121\n" +
        "           --router-kv-overlap-score-weight 0 --workers-file decode-workers.txt\n",
        "",
        List.of(
            OptionTable.Flag.value(MODE, "MODE", RouterMode.KV.flagName(),
                "kv, round-robin, random, least-loaded or device-aware-weighted"),
            OptionTable.Flag.value(BLOCK_SIZE, "N", "16",
                "tokens per KV block; must match the engines' and the indexer's"),
            OptionTable.Flag.value(OVERLAP_WEIGHT, "W", "1.0",
                "weight of the prefill term; 0 = pure load balancing, no index queries (a decode router)"),
            OptionTable.Flag.value(TEMPERATURE, "T", "0.0",
                "softmax temperature of the choice; 0 takes the lowest cost"),
            OptionTable.Flag.onOffDescribed(KV_EVENTS, "on with " + INDEXER_CHANNEL + ", else off (approximate mode)",
                "overlaps from the indexer fed by KV events; --no-router-kv-events: the router's own decisions"),
            OptionTable.Flag.onOff(TRACK_ACTIVE_BLOCKS, true, null,
                "count booked blocks as decode load; --no-router-track-active-blocks for a prefill router"),
            OptionTable.Flag.onOff(TRACK_PREFILL_TOKENS, true, null,
                "count new prefill tokens as load; --no-router-track-prefill-tokens for decode-only routing"),
            OptionTable.Flag.value(QUEUE_THRESHOLD, "X", "4.0",
                "queue when every worker has more active prefill tokens than X * max_num_batched_tokens; < 0: off"),
            OptionTable.Flag.value(QUEUE_POLICY, "P", QueuePolicy.FCFS.flagName(),
                "order of waiting requests: fcfs, wspt, lcfs"),
            OptionTable.Flag.value(TTL_SECS, "S", "120", "approximate mode: seconds a routed block is assumed cached"),
            OptionTable.Flag.value(MAX_TREE_SIZE, "N", Integer.toString(1 << 20),
                "approximate mode: blocks before pruning"),
            OptionTable.Flag.value(PRUNE_TARGET_RATIO, "R", "0.8", "approximate mode: prune down to R * max tree size"),
            OptionTable.Flag.onOff(REPLICA_SYNC, false, null,
                "share load with router replicas over Aeron (-Dkvindex.router.replica.sync.channel)"),
            OptionTable.Flag.value(SNAPSHOT_THRESHOLD, "N", "0",
                "replica sync snapshots; accepted for Dynamo compatibility"),
            OptionTable.Flag.onOff(RESET_STATES, false, null,
                "start empty; router-lite saves no state, so nothing is deleted"),
            OptionTable.Flag.value(HTTP_HOST, "HOST", RouterHttpContext.HOST_DEFAULT, "address the HTTP API binds"),
            OptionTable.Flag.value(HTTP_PORT, "PORT", Integer.toString(RouterHttpContext.PORT_DEFAULT),
                "port of the HTTP API; 0 picks a free one"),
            OptionTable.Flag.described(WORKERS, "SPECS", "none",
                "workers as id[:dp]=url[;weight=W][;max_batched_tokens=N], comma-separated"),
            OptionTable.Flag.described(WORKERS_FILE, "FILE", "none",
                "the same specs, one a line; reloaded when it changes"),
            OptionTable.Flag.value(WORKERS_POLL_MS, "MS", "1000",
                "how often the workers file and indexer registry are read"),
            OptionTable.Flag.described(INDEXER_HTTP, "URL", "none",
                "add the workers of this indexer's registry (GET URL/workers); URLs from --workers/--workers-file"),
            OptionTable.Flag.described(INDEXER_CHANNEL, "CHANNEL", "none: approximate mode",
                "Aeron channel of the indexer's queries, e.g. aeron:udp?endpoint=127.0.0.1:40456"),
            OptionTable.Flag.value(INDEXER_STREAM_ID, "ID", "1001", "Aeron stream id of the indexer's queries"),
            OptionTable.Flag.described(MODEL, "NAME", "none; required with " + INDEXER_CHANNEL,
                "model of the indexer's index"),
            OptionTable.Flag.value(TENANT, "NAME", "default", "tenant of the indexer's index"),
            OptionTable.Flag.value(ROUTER_CHANNEL, "CHANNEL", RouterProtocol.DEFAULT_REQUEST_CHANNEL,
                "Aeron channel of this router's API (RouterClient)"),
            OptionTable.Flag.value(ROUTER_STREAM_ID, "ID", Integer.toString(RouterProtocol.DEFAULT_REQUEST_STREAM_ID),
                "Aeron stream id of this router's API; distinct per router sharing a driver"),
            OptionTable.Flag.described(AERON_DIR, "DIR", "embedded: a unique temp dir; external: Aeron's default",
                "media driver directory"),
            OptionTable.Flag.onOff(EXTERNAL_DRIVER, false, null, "use a media driver already running in --aeron-dir"),
            OptionTable.Flag.value(STATUS_INTERVAL_MS, "MS", "5000",
                "milliseconds between status lines; 0 prints none"),
            OptionTable.Flag.value(EXIT_AFTER_MS, "MS", "0",
                "stop by itself after this many ms (tests); 0: run until SIGTERM")));

    private final OptionTable.Values values;

    private RouterOptions(final OptionTable.Values values)
    {
        this.values = values;
    }

    /**
     * Parse the command line and the environment.
     *
     * @param env  the environment.
     * @param args the command line.
     * @return the options.
     * @throws UsageException for an unknown flag or a bad value.
     */
    public static RouterOptions parse(final Map<String, String> env, final String... args)
    {
        final RouterOptions options = new RouterOptions(TABLE.parse(env, args));
        options.validate();
        return options;
    }

    /**
     * The environment variable of a flag: {@code DYN_} and the flag's upper-snake name.
     *
     * @param flag e.g. {@code --router-mode}.
     * @return e.g. {@code DYN_ROUTER_MODE}.
     */
    public static String envName(final String flag)
    {
        return TABLE.envName(flag);
    }

    /**
     * Every flag name, in help order.
     *
     * @return the names.
     */
    public static List<String> flagNames()
    {
        return TABLE.flagNames();
    }

    /**
     * The {@code --help} text: usage, how to run on one machine and for disaggregated serving, and every option
     * with its default and environment variable.
     *
     * @return the text.
     */
    public static String helpText()
    {
        return TABLE.helpText();
    }

    /**
     * Whether {@code --help} was given.
     *
     * @return true to print help.
     */
    public boolean help()
    {
        return values.isOn(HELP);
    }

    /**
     * Milliseconds between status lines, 0 for none.
     *
     * @return the interval.
     */
    public long statusIntervalMs()
    {
        return longValue(STATUS_INTERVAL_MS, 0, Long.MAX_VALUE);
    }

    /**
     * Milliseconds after which the router stops by itself, 0 for never.
     *
     * @return the run time limit.
     */
    public long exitAfterMs()
    {
        return longValue(EXIT_AFTER_MS, 0, Long.MAX_VALUE);
    }

    /**
     * A router context with the routing options (worker set and overlap source left to the caller).
     *
     * @return the context, not concluded.
     */
    public RouterContext routerContext()
    {
        return new RouterContext()
            .mode(RouterMode.fromName(values.get(MODE)))
            .blockSize((int)longValue(BLOCK_SIZE, 1, 1 << 20))
            .overlapScoreWeight(doubleValue(OVERLAP_WEIGHT))
            .temperature(doubleValue(TEMPERATURE))
            .kvEvents(kvEvents())
            .replicaSync(isOn(REPLICA_SYNC))
            .trackActiveBlocks(isOn(TRACK_ACTIVE_BLOCKS))
            .trackPrefillTokens(isOn(TRACK_PREFILL_TOKENS))
            .queueThreshold(doubleValue(QUEUE_THRESHOLD))
            .queuePolicy(QueuePolicy.fromName(values.get(QUEUE_POLICY)))
            .ttlNs(longValue(TTL_SECS, 1, Integer.MAX_VALUE) * 1_000_000_000L)
            .maxTreeSize((int)longValue(MAX_TREE_SIZE, 1, Integer.MAX_VALUE))
            .pruneTargetRatio(doubleValue(PRUNE_TARGET_RATIO));
    }

    /**
     * Whether overlaps come from an indexer: {@code --router-kv-events}, on by default with an indexer channel.
     *
     * @return true with KV events.
     */
    public boolean kvEvents()
    {
        final String value = values.get(KV_EVENTS);
        return value.isEmpty() ? null != text(INDEXER_CHANNEL) : values.isOn(KV_EVENTS);
    }

    /**
     * A setting's text.
     *
     * @param flag the flag.
     * @return the value, or null when unset and without default.
     */
    public String text(final String flag)
    {
        return values.text(flag);
    }

    /**
     * An on/off setting.
     *
     * @param flag the flag.
     * @return true when on.
     */
    public boolean isOn(final String flag)
    {
        return values.isOn(flag);
    }

    /**
     * An integer setting.
     *
     * @param flag the flag.
     * @param min  smallest allowed.
     * @param max  largest allowed.
     * @return the value.
     */
    public long longValue(final String flag, final long min, final long max)
    {
        return values.getLong(flag, min, max);
    }

    private double doubleValue(final String flag)
    {
        return values.getDouble(flag, -Double.MAX_VALUE, Double.MAX_VALUE);
    }

    private void validate()
    {
        try
        {
            routerContext().conclude();
        }
        catch (final IllegalStateException ignore)
        {
            // kv mode with KV events needs the overlap source the launcher adds: checked below.
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UsageException(ex.getMessage());
        }
        longValue(HTTP_PORT, 0, 65535);
        longValue(WORKERS_POLL_MS, 10, Integer.MAX_VALUE);
        longValue(STATUS_INTERVAL_MS, 0, Long.MAX_VALUE);
        longValue(EXIT_AFTER_MS, 0, Long.MAX_VALUE);
        longValue(SNAPSHOT_THRESHOLD, 0, Long.MAX_VALUE);
        if (kvEvents() && doubleValue(OVERLAP_WEIGHT) > 0 && RouterMode.KV == RouterMode.fromName(values.get(MODE)) &&
            (null == text(INDEXER_CHANNEL) || null == text(MODEL)))
        {
            throw new UsageException("KV events need an indexer: " + INDEXER_CHANNEL + " and " + MODEL +
                " (or --no-router-kv-events for approximate mode)");
        }
    }
}
