package io.kvindex.tools;

import io.kvindex.client.KvEventProtocol;
import io.kvindex.server.query.IndexRegistry;
import io.kvindex.server.relay.ZmqRelay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Options of {@link ZmqRelayMain}, from flags, {@code KVINDEX_*} environment variables and a properties file, by the
 * rules of {@link OptionTable}.
 */
final class ZmqRelayOptions
{
    static final String ENGINE = "--engine";
    static final String MODEL = "--model";
    static final String TENANT = "--tenant";
    static final String BLOCK_SIZE = "--block-size";
    static final String TOPIC = "--topic";
    static final String CHANNEL = "--channel";
    static final String STREAM_ID = "--stream-id";
    static final String TERM_LENGTH = "--term-length";
    static final String OFFER_TIMEOUT_MS = "--offer-timeout-ms";
    static final String AERON_DIR = "--aeron-dir";
    static final String EXTERNAL_DRIVER = "--external-driver";
    static final String STATUS_INTERVAL_MS = "--status-interval-ms";
    static final String EXIT_AFTER_MS = "--exit-after-ms";

    static final OptionTable TABLE = new OptionTable(
        "Usage: zmq-relay --engine ENDPOINT@WORKER_ID[:DP_RANK] [--engine ...] --model NAME [options]\n" +
        "Subscribes to engines' ZMQ KV-event streams (vLLM, SGLang, TensorRT-LLM; spec/engine-events.md),\n" +
        "decodes them as the indexer does, computes local block hashes from the token ids, and republishes\n" +
        "the events on one Aeron channel (docs/event-protocol.md) for indexer replicas to share: IPC on this\n" +
        "host, UDP unicast, multicast, or multi-destination-cast, e.g.\n" +
        "  --channel 'aeron:udp?control=10.0.0.7:40460|control-mode=dynamic|fc=min' (replicas add their own\n" +
        "  endpoint; fc=min keeps the relay at the pace of the slowest replica, so none loses events).\n" +
        "Events sent while no indexer is subscribed are counted and lost: start the indexers first.\n" +
        "Stops cleanly, with exit code 0, on SIGTERM or SIGINT.\n",
        List.of(
            OptionTable.Flag.repeatable(ENGINE, "ENDPOINT@WORKER_ID[:DP_RANK]", "none: at least one is required",
                "engine PUB endpoint, worker id, dp rank; e.g. tcp://10.0.0.5:5557@42:1"),
            OptionTable.Flag.described(MODEL, "NAME", "none: required", "model of the index the events are for"),
            OptionTable.Flag.value(TENANT, "NAME", IndexRegistry.DEFAULT_TENANT, "tenant of that index"),
            OptionTable.Flag.value(BLOCK_SIZE, "N", Integer.toString(ZmqRelay.Context.BLOCK_SIZE_DEFAULT),
                "tokens per block of the engines (and of the indexers' index)"),
            OptionTable.Flag.described(TOPIC, "PREFIX", "empty: every topic",
                "ZMQ topic prefix to subscribe to on every engine"),
            OptionTable.Flag.value(CHANNEL, "CHANNEL", KvEventProtocol.DEFAULT_CHANNEL,
                "Aeron channel to publish events on"),
            OptionTable.Flag.value(STREAM_ID, "ID", Integer.toString(KvEventProtocol.DEFAULT_STREAM_ID),
                "Aeron stream id to publish events on"),
            OptionTable.Flag.value(TERM_LENGTH, "BYTES", Integer.toString(ZmqRelay.Context.TERM_LENGTH_DEFAULT),
                "term length of the embedded driver's publications (a power of two, 64 KiB to 1 GiB)"),
            OptionTable.Flag.value(OFFER_TIMEOUT_MS, "MS", "100",
                "how long an event the indexers back-pressure is retried before it is counted and dropped"),
            OptionTable.Flag.described(AERON_DIR, "DIR",
                "embedded: a unique dir in /dev/shm (or temp dir); external: Aeron's default",
                "media driver directory; an embedded driver deletes it on start and on exit, never share it"),
            OptionTable.Flag.onOff(EXTERNAL_DRIVER, false, "off: an embedded media driver",
                "connect to a media driver already running in --aeron-dir rather than embedding one"),
            OptionTable.Flag.value(STATUS_INTERVAL_MS, "MS", "5000",
                "milliseconds between status lines; 0 prints none"),
            OptionTable.Flag.value(EXIT_AFTER_MS, "MS", "0",
                "stop by itself after this many ms (scripts, tests); 0 runs until SIGTERM or SIGINT")));

    private final boolean help;
    private final List<ZmqRelay.Engine> engines = new ArrayList<>();
    private final String model;
    private final String tenant;
    private final int blockSize;
    private final String topic;
    private final String channel;
    private final int streamId;
    private final int termLength;
    private final long offerTimeoutMs;
    private final String aeronDir;
    private final boolean externalDriver;
    private final long statusIntervalMs;
    private final long exitAfterMs;

    private ZmqRelayOptions(final OptionTable.Values values)
    {
        help = values.isOn(OptionTable.HELP);
        for (final String spec : values.list(ENGINE))
        {
            engines.add(parseEngine(spec));
        }
        model = values.get(MODEL);
        tenant = values.get(TENANT);
        blockSize = (int)values.getLong(BLOCK_SIZE, 1, Integer.MAX_VALUE);
        topic = values.get(TOPIC);
        channel = values.get(CHANNEL);
        streamId = (int)values.getLong(STREAM_ID, Integer.MIN_VALUE, Integer.MAX_VALUE);
        termLength = (int)values.getLong(TERM_LENGTH, 64 * 1024, 1 << 30);
        offerTimeoutMs = values.getLong(OFFER_TIMEOUT_MS, 0, Long.MAX_VALUE / 1_000_000);
        aeronDir = values.text(AERON_DIR);
        externalDriver = values.isOn(EXTERNAL_DRIVER);
        statusIntervalMs = values.getLong(STATUS_INTERVAL_MS, 0, Long.MAX_VALUE);
        exitAfterMs = values.getLong(EXIT_AFTER_MS, 0, Long.MAX_VALUE);
        if (!help && (engines.isEmpty() || model.isEmpty()))
        {
            throw new UsageException("at least one " + ENGINE + " and a " + MODEL + " are required");
        }
        if (Integer.bitCount(termLength) != 1)
        {
            throw new UsageException(TERM_LENGTH + " must be a power of two: " + termLength);
        }
    }

    /**
     * Parse options from a command line, {@code KVINDEX_*} environment variables and a properties file.
     *
     * @param env  the environment.
     * @param args the command line.
     * @return the options.
     * @throws UsageException when they cannot be parsed.
     */
    static ZmqRelayOptions parse(final Map<String, String> env, final String... args)
    {
        return new ZmqRelayOptions(TABLE.parse(env, args));
    }

    /**
     * An engine from {@code ENDPOINT@WORKER_ID[:DP_RANK]}; the worker id is unsigned 64-bit, the rank 0 when absent.
     *
     * @param spec the text.
     * @return the engine.
     * @throws UsageException when it is malformed.
     */
    static ZmqRelay.Engine parseEngine(final String spec)
    {
        final int at = spec.lastIndexOf('@');
        final String endpoint = at > 0 ? spec.substring(0, at) : "";
        if (!endpoint.contains("://") || at == spec.length() - 1)
        {
            throw new UsageException(ENGINE + " needs ENDPOINT@WORKER_ID[:DP_RANK], e.g. " +
                "tcp://10.0.0.5:5557@42:1, got '" + spec + "'");
        }
        final String owner = spec.substring(at + 1);
        final int colon = owner.indexOf(':');
        try
        {
            final long workerId = Long.parseUnsignedLong(colon < 0 ? owner : owner.substring(0, colon));
            final int dpRank = colon < 0 ? 0 : Integer.parseInt(owner.substring(colon + 1));
            if (dpRank < 0)
            {
                throw new NumberFormatException("negative dp rank");
            }
            return new ZmqRelay.Engine(endpoint, workerId, dpRank);
        }
        catch (final NumberFormatException ex)
        {
            throw new UsageException(ENGINE + " '" + spec + "': worker id must be an unsigned 64-bit " +
                "integer and dp rank a non-negative int (" + ex.getMessage() + ")");
        }
    }

    /**
     * The relay's configuration from these options.
     *
     * @return a context, not yet concluded.
     */
    ZmqRelay.Context relayContext()
    {
        final ZmqRelay.Context ctx = new ZmqRelay.Context()
            .model(model)
            .tenant(tenant)
            .blockSize(blockSize)
            .topic(topic)
            .channel(channel)
            .streamId(streamId)
            .termLength(termLength)
            .offerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(offerTimeoutMs))
            .embeddedDriver(!externalDriver)
            .aeronDirectoryName(aeronDir);
        for (final ZmqRelay.Engine engine : engines)
        {
            ctx.addEngine(engine.endpoint(), engine.workerId(), engine.dpRank());
        }
        return ctx;
    }

    boolean help()
    {
        return help;
    }

    List<ZmqRelay.Engine> engines()
    {
        return engines;
    }

    long statusIntervalMs()
    {
        return statusIntervalMs;
    }

    long exitAfterMs()
    {
        return exitAfterMs;
    }
}
