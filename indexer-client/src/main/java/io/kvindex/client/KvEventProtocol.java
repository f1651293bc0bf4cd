package io.kvindex.client;

/**
 * Constants of the KV event protocol shared by {@link KvEventPublisher} and the indexer's Aeron event feed; the
 * messages are in {@code kvindex/kvindex-event-codecs.xml} and described in {@code docs/event-protocol.md}.
 */
public final class KvEventProtocol
{
    /** Default event channel: IPC on the same host. */
    public static final String DEFAULT_CHANNEL = "aeron:ipc";

    /** Default event stream id. */
    public static final int DEFAULT_STREAM_ID = 1003;

    /** Example UDP channel of a relay sending to one indexer on the same host. */
    public static final String DEFAULT_UDP_CHANNEL = "aeron:udp?endpoint=127.0.0.1:40457";

    /** The dp rank of a WorkerRemoved that removes every rank of the worker (the wire's null value 0xFFFFFFFF). */
    public static final int ALL_RANKS = -1;

    /** Most blocks one message carries: the largest count of an SBE group with a u16 count. */
    public static final int MAX_BLOCKS_PER_EVENT = 65_534;

    /** Size of a token id in a TokensStored message. */
    public static final int TOKEN_ID_BYTES = Integer.BYTES;

    /** Bytes of one entry of a BlocksStored message's blocks group: engine hash and local hash. */
    public static final int STORED_BLOCK_BYTES = 2 * Long.BYTES;

    /** Bytes of one entry of a TokensStored or BlocksRemoved message's blocks group: an engine hash. */
    public static final int ENGINE_HASH_BYTES = Long.BYTES;

    private KvEventProtocol()
    {
    }
}
