package io.kvindex.client;

/**
 * Constants of the query protocol shared by {@link IndexerClient} and the indexer's query service; the messages are
 * in {@code kvindex/kvindex-query-codecs.xml} and described in {@code docs/query-protocol.md}.
 */
public final class QueryProtocol
{
    /** Protocol version a client sends in its ConnectRequest; the server rejects other versions. */
    public static final int PROTOCOL_VERSION = 1;

    /** Default request channel: IPC on the same host. */
    public static final String DEFAULT_REQUEST_CHANNEL = "aeron:ipc";

    /** Default request stream id. */
    public static final int DEFAULT_REQUEST_STREAM_ID = 1001;

    /** Default response channel of a client: IPC on the same host. */
    public static final String DEFAULT_RESPONSE_CHANNEL = "aeron:ipc";

    /** Default response stream id of a client. */
    public static final int DEFAULT_RESPONSE_STREAM_ID = 1002;

    /** Default UDP request channel of a server. */
    public static final String DEFAULT_UDP_REQUEST_CHANNEL = "aeron:udp?endpoint=127.0.0.1:40456";

    /** Session id meaning "no session". */
    public static final long NULL_SESSION_ID = 0;

    /** Longest response channel a server accepts, in bytes. */
    public static final int MAX_CHANNEL_LENGTH = 4096;

    /** Size of a local hash in an OverlapRequest's hashes field. */
    public static final int LOCAL_HASH_BYTES = Long.BYTES;

    /** Size of a token id in an OverlapRequest's hashes field. */
    public static final int TOKEN_ID_BYTES = Integer.BYTES;

    /** Bytes of one entry of an OverlapResponse's scores group. */
    public static final int SCORE_ENTRY_BYTES = 24;

    private QueryProtocol()
    {
    }
}
