package io.kvindex.tools;

import io.kvindex.router.QueuePolicy;
import io.kvindex.router.RouterContext;
import io.kvindex.router.RouterMode;
import io.kvindex.router.api.RouterProtocol;
import io.kvindex.router.http.RouterHttpContext;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Options of {@code router-lite}: Dynamo's router flag names (spec/dynamo-compat.md section 4) and their {@code DYN_*}
 * environment variables (the upper-snake flag name, e.g. {@code DYN_ROUTER_MODE}, plus Dynamo's aliases
 * {@code DYN_KV_CACHE_BLOCK_SIZE} and {@code DYN_KV_OVERLAP_SCORE_WEIGHT}), and the launcher's own. A flag wins over
 * the environment, which wins over the default. On/off flags come in pairs: {@code --x} and {@code --no-x}.
 * (The indexer's {@link Options} is server-specific, with {@code KVINDEX_*} variables and a config file; this parser
 * shares its {@link Options.UsageException} and help layout.)
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
    static final String HELP = "--help";

    private static final String ON = "true";
    private static final String OFF = "false";
    private static final String COMPUTED = "";
    private static final Map<String, String> ENV_ALIASES = Map.of(
        BLOCK_SIZE, "DYN_KV_CACHE_BLOCK_SIZE",
        OVERLAP_WEIGHT, "DYN_KV_OVERLAP_SCORE_WEIGHT");
    private static final List<Flag> FLAGS = List.of(
        new Flag(MODE, "MODE", RouterMode.KV.flagName(), null,
            "kv, round-robin, random, least-loaded or device-aware-weighted"),
        new Flag(BLOCK_SIZE, "N", "16", null, "tokens per KV block; must match the engines' and the indexer's"),
        new Flag(OVERLAP_WEIGHT, "W", "1.0", null,
            "weight of the prefill term; 0 = pure load balancing, no index queries (a decode router)"),
        new Flag(TEMPERATURE, "T", "0.0", null, "softmax temperature of the choice; 0 takes the lowest cost"),
        new Flag(KV_EVENTS, null, COMPUTED, "on with " + INDEXER_CHANNEL + ", else off (approximate mode)",
            "overlaps from the indexer fed by KV events; --no-router-kv-events: the router's own decisions"),
        new Flag(TRACK_ACTIVE_BLOCKS, null, ON, null,
            "count booked blocks as decode load; --no-router-track-active-blocks for a prefill router"),
        new Flag(TRACK_PREFILL_TOKENS, null, ON, null,
            "count new prefill tokens as load; --no-router-track-prefill-tokens for decode-only routing"),
        new Flag(QUEUE_THRESHOLD, "X", "4.0", null,
            "queue when every worker has more active prefill tokens than X * max_num_batched_tokens; < 0: off"),
        new Flag(QUEUE_POLICY, "P", QueuePolicy.FCFS.flagName(), null, "order of waiting requests: fcfs, wspt, lcfs"),
        new Flag(TTL_SECS, "S", "120", null, "approximate mode: seconds a routed block is assumed cached"),
        new Flag(MAX_TREE_SIZE, "N", Integer.toString(1 << 20), null, "approximate mode: blocks before pruning"),
        new Flag(PRUNE_TARGET_RATIO, "R", "0.8", null, "approximate mode: prune down to R * max tree size"),
        new Flag(REPLICA_SYNC, null, OFF, null,
            "share load with router replicas over Aeron (-Dkvindex.router.replica.sync.channel)"),
        new Flag(SNAPSHOT_THRESHOLD, "N", "0", null, "replica sync snapshots; accepted for Dynamo compatibility"),
        new Flag(RESET_STATES, null, OFF, null, "start empty; router-lite saves no state, so nothing is deleted"),
        new Flag(HTTP_HOST, "HOST", RouterHttpContext.HOST_DEFAULT, null, "address the HTTP API binds"),
        new Flag(HTTP_PORT, "PORT", Integer.toString(RouterHttpContext.PORT_DEFAULT), null,
            "port of the HTTP API; 0 picks a free one"),
        new Flag(WORKERS, "SPECS", COMPUTED, "none",
            "workers as id[:dp]=url[;weight=W][;max_batched_tokens=N], comma-separated"),
        new Flag(WORKERS_FILE, "FILE", COMPUTED, "none", "the same specs, one a line; reloaded when it changes"),
        new Flag(WORKERS_POLL_MS, "MS", "1000", null, "how often the workers file and indexer registry are read"),
        new Flag(INDEXER_HTTP, "URL", COMPUTED, "none",
            "add the workers of this indexer's registry (GET URL/workers); URLs come from --workers/--workers-file"),
        new Flag(INDEXER_CHANNEL, "CHANNEL", COMPUTED, "none: approximate mode",
            "Aeron channel of the indexer's queries, e.g. aeron:udp?endpoint=127.0.0.1:40456"),
        new Flag(INDEXER_STREAM_ID, "ID", "1001", null, "Aeron stream id of the indexer's queries"),
        new Flag(MODEL, "NAME", COMPUTED, "none; required with " + INDEXER_CHANNEL, "model of the indexer's index"),
        new Flag(TENANT, "NAME", "default", null, "tenant of the indexer's index"),
        new Flag(ROUTER_CHANNEL, "CHANNEL", RouterProtocol.DEFAULT_REQUEST_CHANNEL, null,
            "Aeron channel of this router's API (RouterClient)"),
        new Flag(ROUTER_STREAM_ID, "ID", Integer.toString(RouterProtocol.DEFAULT_REQUEST_STREAM_ID), null,
            "Aeron stream id of this router's API; distinct per router sharing a driver"),
        new Flag(AERON_DIR, "DIR", COMPUTED, "embedded: a unique temp dir; external: Aeron's default",
            "media driver directory"),
        new Flag(EXTERNAL_DRIVER, null, OFF, null, "use a media driver already running in --aeron-dir"),
        new Flag(STATUS_INTERVAL_MS, "MS", "5000", null, "milliseconds between status lines; 0 prints none"),
        new Flag(EXIT_AFTER_MS, "MS", "0", null, "stop by itself after this many ms (tests); 0: run until SIGTERM"),
        new Flag(HELP, null, OFF, null, "print this help and exit"));

    private final Map<String, String> values;

    private record Flag(String name, String valueName, String defaultValue, String defaultText, String description)
    {
        boolean onOff()
        {
            return null == valueName;
        }
    }

    private RouterOptions(final Map<String, String> values)
    {
        this.values = values;
    }

    /**
     * Parse the command line and the environment.
     *
     * @param env  the environment.
     * @param args the command line.
     * @return the options.
     * @throws Options.UsageException for an unknown flag or a bad value.
     */
    public static RouterOptions parse(final Map<String, String> env, final String... args)
    {
        final Map<String, String> values = new HashMap<>();
        for (final Flag flag : FLAGS)
        {
            values.put(flag.name, flag.defaultValue);
            String value = env.get(envName(flag.name));
            if (null == value && ENV_ALIASES.containsKey(flag.name))
            {
                value = env.get(ENV_ALIASES.get(flag.name));
            }
            if (null != value && !HELP.equals(flag.name))
            {
                values.put(flag.name, flag.onOff() ? onOff(value, envName(flag.name)) : value.trim());
            }
        }
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            final int equals = arg.indexOf('=');
            final String name = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
            final boolean negated = name.startsWith("--no-");
            final Flag flag = find(negated ? "--" + name.substring(5) : name);
            if (null == flag || (negated && !flag.onOff()))
            {
                throw new Options.UsageException(arg.startsWith("-") ? "unknown option: " + name :
                    "unexpected argument: " + arg);
            }
            if (flag.onOff())
            {
                if (name.length() != arg.length())
                {
                    throw new Options.UsageException("option " + name + " takes no value");
                }
                values.put(flag.name, negated ? OFF : ON);
                continue;
            }
            final String value = name.length() != arg.length() ? arg.substring(equals + 1) :
                i + 1 < args.length ? args[++i] : "";
            if (value.isEmpty())
            {
                throw new Options.UsageException("option " + name + " needs a value: " + name + " " + flag.valueName);
            }
            values.put(flag.name, value);
        }
        final RouterOptions options = new RouterOptions(values);
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
        return ENV_PREFIX + flag.substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /**
     * Every flag name, in help order.
     *
     * @return the names.
     */
    public static List<String> flagNames()
    {
        final List<String> names = new ArrayList<>();
        FLAGS.forEach((flag) -> names.add(flag.name));
        return names;
    }

    /**
     * The {@code --help} text: usage, how to run on one machine and for disaggregated serving, and every option
     * with its default and environment variable.
     *
     * @return the text.
     */
    public static String helpText()
    {
        final StringBuilder text = new StringBuilder()
            .append("Usage: router-lite [options]\n")
            .append("A KV-aware router with Dynamo's cost model. Serves the router API over HTTP (/best_worker,\n")
            .append("/get_potential_loads, /mark_prefill_complete, /free, /dump_events, /explain, /health, /metrics,\n")
            .append("and an OpenAI-style /v1/completions pass-through for token-id prompts) and over Aeron\n")
            .append("(RouterClient, docs/router-protocol.md). Embeds a media driver unless --external-driver.\n")
            .append("\nWithout --indexer-channel the router runs in approximate mode: it records its own routing\n")
            .append("decisions as the workers' caches (no KV events needed), so it works on one machine as is:\n")
            .append("  router-lite --workers 1=http://127.0.0.1:8001,2=http://127.0.0.1:8002\n")
            .append("With an indexer (tools/indexer-server) fed by the engines' KV events:\n")
            .append("  router-lite --indexer-channel aeron:udp?endpoint=127.0.0.1:40456 --model llama --workers ...\n")
            .append("Disaggregated serving (as in Dynamo): one router per worker pool, each with its own workers:\n")
            .append("  prefill: router-lite --http-port 8081 --router-stream-id 1111 --no-router-track-active-blocks\n")
            .append("           --workers-file prefill-workers.txt\n")
            .append("  decode:  router-lite --http-port 8082 --router-stream-id 1121\n")
            .append("           --router-kv-overlap-score-weight 0 --workers-file decode-workers.txt\n")
            .append("\nEvery option but --help can also be set by its environment variable (shown below); on/off\n")
            .append("options take true or false there. Precedence: flag > environment variable > default.\n")
            .append("\nOptions:\n");
        for (final Flag flag : FLAGS)
        {
            final String left = flag.onOff() ? (HELP.equals(flag.name) ? flag.name : flag.name + ", --no-" +
                flag.name.substring(2)) : flag.name + " " + flag.valueName;
            text.append(String.format("  %-34s %s%n", left, flag.description));
            if (!HELP.equals(flag.name))
            {
                final String shown = null != flag.defaultText ? flag.defaultText :
                    flag.onOff() ? (ON.equals(flag.defaultValue) ? "on" : "off") : flag.defaultValue;
                final String alias = ENV_ALIASES.get(flag.name);
                text.append(String.format("  %-34s (default: %s; env: %s%s)%n", "", shown, envName(flag.name),
                    null == alias ? "" : " or " + alias));
            }
        }
        return text.toString();
    }

    /**
     * Whether {@code --help} was given.
     *
     * @return true to print help.
     */
    public boolean help()
    {
        return ON.equals(values.get(HELP));
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
        return COMPUTED.equals(value) ? null != text(INDEXER_CHANNEL) : ON.equals(value);
    }

    /**
     * A setting's text.
     *
     * @param flag the flag.
     * @return the value, or null when unset and without default.
     */
    public String text(final String flag)
    {
        final String value = values.get(flag);
        return null == value || value.isEmpty() ? null : value;
    }

    /**
     * An on/off setting.
     *
     * @param flag the flag.
     * @return true when on.
     */
    public boolean isOn(final String flag)
    {
        return ON.equals(values.get(flag));
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
        final String text = values.get(flag);
        try
        {
            final long value = Long.parseLong(text.trim().replace("_", ""));
            if (value >= min && value <= max)
            {
                return value;
            }
        }
        catch (final NumberFormatException ignore)
        {
        }
        throw new Options.UsageException(flag + " needs an integer in [" + min + ", " + max + "], got '" + text + "'");
    }

    private double doubleValue(final String flag)
    {
        final String text = values.get(flag);
        try
        {
            final double value = Double.parseDouble(text.trim());
            if (Double.isFinite(value))
            {
                return value;
            }
        }
        catch (final NumberFormatException ignore)
        {
        }
        throw new Options.UsageException(flag + " needs a number, got '" + text + "'");
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
            throw new Options.UsageException(ex.getMessage());
        }
        longValue(HTTP_PORT, 0, 65535);
        longValue(WORKERS_POLL_MS, 10, Integer.MAX_VALUE);
        longValue(STATUS_INTERVAL_MS, 0, Long.MAX_VALUE);
        longValue(EXIT_AFTER_MS, 0, Long.MAX_VALUE);
        longValue(SNAPSHOT_THRESHOLD, 0, Long.MAX_VALUE);
        if (kvEvents() && doubleValue(OVERLAP_WEIGHT) > 0 && RouterMode.KV == RouterMode.fromName(values.get(MODE)) &&
            (null == text(INDEXER_CHANNEL) || null == text(MODEL)))
        {
            throw new Options.UsageException("KV events need an indexer: " + INDEXER_CHANNEL + " and " + MODEL +
                " (or --no-router-kv-events for approximate mode)");
        }
    }

    private static String onOff(final String value, final String source)
    {
        if (ON.equalsIgnoreCase(value.trim()) || "1".equals(value.trim()))
        {
            return ON;
        }
        if (OFF.equalsIgnoreCase(value.trim()) || "0".equals(value.trim()))
        {
            return OFF;
        }
        throw new Options.UsageException(source + " needs true or false, got '" + value + "'");
    }

    private static Flag find(final String name)
    {
        for (final Flag flag : FLAGS)
        {
            if (flag.name.equals(name))
            {
                return flag;
            }
        }
        return null;
    }
}
