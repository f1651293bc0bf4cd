package io.kvindex.router.api;

import io.kvindex.router.RoutingStatus;
import io.kvindex.router.codecs.RouterStatus;

/**
 * Constants of the router-lite protocol over Aeron (schema {@code kvindex/router-lite-codecs.xml}, described in
 * docs/router-protocol.md) shared by {@link RouterService} and {@link RouterClient}.
 */
public final class RouterProtocol
{
    /** Version of the protocol a client speaks in its ConnectRequest. */
    public static final int PROTOCOL_VERSION = 1;
    /** Session id of no session. */
    public static final long NULL_SESSION_ID = 0;
    /** Default channel requests arrive on: IPC, so client and router share a media driver. */
    public static final String DEFAULT_REQUEST_CHANNEL = "aeron:ipc";
    /** Default stream id requests arrive on (the indexer's query plane uses 1001). */
    public static final int DEFAULT_REQUEST_STREAM_ID = 1101;
    /** Bytes of a token id in a prompt field. */
    public static final int TOKEN_ID_BYTES = 4;
    /** Bytes of a local hash in a prompt field. */
    public static final int LOCAL_HASH_BYTES = 8;

    private RouterProtocol()
    {
    }

    /**
     * The wire status of a routing outcome; {@link RoutingStatus#ROUTED} is OK, a queued request is never answered
     * with its status (the answer waits until it is routed).
     *
     * @param status the router's status.
     * @return the wire status.
     */
    public static RouterStatus toWire(final RoutingStatus status)
    {
        switch (status)
        {
            case ROUTED:
            case QUEUED:
                return RouterStatus.OK;
            case NO_WORKERS:
                return RouterStatus.NO_WORKERS;
            case UNKNOWN_WORKER:
                return RouterStatus.UNKNOWN_WORKER;
            default:
                return RouterStatus.DUPLICATE_REQUEST;
        }
    }
}
