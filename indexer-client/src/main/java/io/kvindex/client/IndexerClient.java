package io.kvindex.client;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.kvindex.client.codecs.ConnectResponseDecoder;
import io.kvindex.client.codecs.ConnectStatus;
import io.kvindex.client.codecs.MessageHeaderDecoder;
import io.kvindex.client.codecs.OverlapResponseDecoder;
import io.kvindex.client.codecs.QueryStatus;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;

import java.util.List;

/**
 * Asks indexer servers which owners hold the leading blocks of a prompt, over Aeron (IPC or UDP). Queries are blocking
 * ({@link #query}) or asynchronous ({@link #offer} then {@link #poll()}), many in flight, each answered into a
 * caller-owned {@link OverlapResult}. The client keeps a session with one endpoint at a time and fails over to the
 * next on a timeout or when the endpoint's request stream disconnects, resending what was in flight.
 * <p>
 * Not thread safe: one thread offers, polls and queries. Steady-state queries allocate nothing as long as the
 * model, tenant and LoRA strings repeat.
 */
public final class IndexerClient implements AutoCloseable
{
    /** Returned by {@link #offer} when every in-flight slot is taken. */
    public static final long NO_SLOT = -1;

    private final IndexerClientContext ctx;
    private final Aeron aeron;
    private final NanoClock clock;
    private final Subscription subscription;
    private final ExclusivePublication[] publications;
    private final String responseChannel;
    private final PendingQueries pending;
    private final QueryRequestProxy proxy = new QueryRequestProxy();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final OverlapResponseDecoder overlapDecoder = new OverlapResponseDecoder();
    private final ConnectResponseDecoder connectDecoder = new ConnectResponseDecoder();
    private final FragmentAssembler assembler;
    private final Utf8Field model = new Utf8Field();
    private final Utf8Field tenant = new Utf8Field();
    private final Utf8Field loraName = new Utf8Field();
    private final Int2ObjectHashMap<BlockHasher> hasherByBlockSize = new Int2ObjectHashMap<>();
    private final Utf8Field loraSeedName = new Utf8Field();
    private long[] scratchHashes = new long[256];
    private ConnectionState state = ConnectionState.CONNECTING;
    private int endpointIndex;
    private long epoch;
    private long sessionId = QueryProtocol.NULL_SESSION_ID;
    private long connectCorrelationId;
    private long connectDeadlineNs;
    private boolean connectSent;
    private long sentCount;
    private long answeredCount;
    private long timeoutCount;
    private long failoverCount;
    private long errorResponseCount;
    private long connectCount;

    private IndexerClient(final IndexerClientContext ctx)
    {
        this.ctx = ctx;
        this.aeron = ctx.aeron();
        this.clock = ctx.nanoClock();
        this.pending = new PendingQueries(ctx.maxInFlight());
        final FragmentHandler handler = this::onFragment;
        this.assembler = new FragmentAssembler(handler);
        Subscription subscription = null;
        ExclusivePublication[] publications = null;
        try
        {
            subscription = aeron.addSubscription(ctx.responseChannel(), ctx.responseStreamId());
            this.responseChannel = resolveResponseChannel(subscription);
            final List<IndexerClientContext.Endpoint> endpoints = ctx.endpoints();
            publications = new ExclusivePublication[endpoints.size()];
            for (int i = 0; i < publications.length; i++)
            {
                final IndexerClientContext.Endpoint endpoint = endpoints.get(i);
                publications[i] = aeron.addExclusivePublication(endpoint.channel(), endpoint.streamId());
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(publications);
            CloseHelper.quietClose(subscription);
            ctx.close();
            throw ex;
        }
        this.subscription = subscription;
        this.publications = publications;
        startConnecting(clock.nanoTime());
    }

    /**
     * Start a client: connect to Aeron, add the response subscription and one request publication per endpoint. The
     * session with the first endpoint opens as {@link #poll()} runs; see {@link #awaitConnected(long)}.
     *
     * @param ctx the configuration; concluded here.
     * @return the client.
     */
    public static IndexerClient connect(final IndexerClientContext ctx)
    {
        return new IndexerClient(ctx.conclude());
    }

    /**
     * Poll until a session is open or the time runs out.
     *
     * @param timeoutNs how long to wait.
     * @return true when {@link ConnectionState#CONNECTED}.
     */
    public boolean awaitConnected(final long timeoutNs)
    {
        final IdleStrategy idle = ctx.idleStrategy();
        final long deadlineNs = clock.nanoTime() + timeoutNs;
        idle.reset();
        while (ConnectionState.CONNECTING == state && clock.nanoTime() - deadlineNs < 0)
        {
            idle.idle(poll());
        }
        return ConnectionState.CONNECTED == state;
    }

    /**
     * Query by local block hashes and wait for the answer, polling meanwhile.
     *
     * @param model      the model name.
     * @param tenant     the tenant, null or empty for the default one.
     * @param loraName   the LoRA adapter, null or empty for none (the hashes already carry it).
     * @param hashes     local block hashes.
     * @param count      number of hashes.
     * @param result     caller-owned holder, filled with the answer.
     * @return the final status, also in {@code result}.
     */
    public OverlapStatus query(
        final String model,
        final String tenant,
        final String loraName,
        final long[] hashes,
        final int count,
        final OverlapResult result)
    {
        return await(offer(model, tenant, loraName, hashes, count, result), result);
    }

    /**
     * Query by token ids hashed here with the context's block size and the LoRA seed, and wait for the answer.
     *
     * @param model      the model name.
     * @param tenant     the tenant, null or empty for the default one.
     * @param loraName   the LoRA adapter, null or empty for none.
     * @param tokens     token ids; only full blocks count.
     * @param tokenCount number of tokens.
     * @param result     caller-owned holder, filled with the answer.
     * @return the final status, also in {@code result}.
     */
    public OverlapStatus queryTokens(
        final String model,
        final String tenant,
        final String loraName,
        final int[] tokens,
        final int tokenCount,
        final OverlapResult result)
    {
        return queryTokens(model, tenant, loraName, ctx.blockSize(), tokens, tokenCount, result);
    }

    /**
     * Query by token ids hashed here with a given block size and the LoRA seed, and wait for the answer.
     *
     * @param model      the model name.
     * @param tenant     the tenant, null or empty for the default one.
     * @param loraName   the LoRA adapter, null or empty for none.
     * @param blockSize  tokens per block of the model's index.
     * @param tokens     token ids; only full blocks count.
     * @param tokenCount number of tokens.
     * @param result     caller-owned holder, filled with the answer.
     * @return the final status, also in {@code result}.
     */
    public OverlapStatus queryTokens(
        final String model,
        final String tenant,
        final String loraName,
        final int blockSize,
        final int[] tokens,
        final int tokenCount,
        final OverlapResult result)
    {
        final int count = hashTokens(loraName, blockSize, tokens, tokenCount);
        return await(offer(model, tenant, loraName, scratchHashes, count, result), result);
    }

    /**
     * Send a query by local block hashes without waiting; the answer fills {@code result} during a later
     * {@link #poll()}, which also tells the context's {@link OverlapListener}.
     *
     * @param model    the model name.
     * @param tenant   the tenant, null or empty for the default one.
     * @param loraName the LoRA adapter, null or empty for none.
     * @param hashes   local block hashes.
     * @param count    number of hashes.
     * @param result   caller-owned holder; must not be reused until it {@link OverlapResult#isDone()}.
     * @return the query's correlation id, or {@link #NO_SLOT} when too many queries are in flight.
     */
    public long offer(
        final String model,
        final String tenant,
        final String loraName,
        final long[] hashes,
        final int count,
        final OverlapResult result)
    {
        final int slot = claimSlot();
        if (PendingQueries.NO_SLOT == slot)
        {
            return NO_SLOT;
        }
        final long correlationId = aeron.nextCorrelationId();
        final int length = proxy.encodeLocalHashes(pending.buffer(slot), correlationId, this.model.bytes(model),
            this.tenant.bytes(tenant), this.loraName.bytes(loraName), hashes, count);
        return activate(slot, correlationId, length, result);
    }

    /**
     * Send a query by raw token ids, hashed by the server with its index's block size and the LoRA seed.
     *
     * @param model      the model name.
     * @param tenant     the tenant, null or empty for the default one.
     * @param loraName   the LoRA adapter, null or empty for none.
     * @param tokens     token ids.
     * @param tokenCount number of tokens.
     * @param result     caller-owned holder; must not be reused until it {@link OverlapResult#isDone()}.
     * @return the query's correlation id, or {@link #NO_SLOT} when too many queries are in flight.
     */
    public long offerTokenIds(
        final String model,
        final String tenant,
        final String loraName,
        final int[] tokens,
        final int tokenCount,
        final OverlapResult result)
    {
        final int slot = claimSlot();
        if (PendingQueries.NO_SLOT == slot)
        {
            return NO_SLOT;
        }
        final long correlationId = aeron.nextCorrelationId();
        final int length = proxy.encodeTokenIds(pending.buffer(slot), correlationId, this.model.bytes(model),
            this.tenant.bytes(tenant), this.loraName.bytes(loraName), tokens, tokenCount);
        return activate(slot, correlationId, length, result);
    }

    /**
     * Do the client's work: read answers, open the session, send queued queries, expire attempts and fail over.
     *
     * @return how much work was done, 0 when idle.
     */
    public int poll()
    {
        if (ConnectionState.CLOSED == state)
        {
            return 0;
        }
        int work = subscription.poll(assembler, ctx.fragmentLimit());
        final long nowNs = clock.nanoTime();
        work += ConnectionState.CONNECTING == state ? doConnect(nowNs) : checkConnection(nowNs);
        if (ConnectionState.CONNECTED == state && pending.unsentCount() > 0)
        {
            work += sendUnsent(nowNs);
        }
        if (pending.inFlight() > 0)
        {
            work += expire(nowNs);
        }
        return work;
    }

    /**
     * Close the session, fail every query still in flight with {@link OverlapStatus#CLOSED} and release the Aeron
     * resources (and Aeron itself when the client created it).
     */
    @Override
    public void close()
    {
        if (ConnectionState.CLOSED != state)
        {
            if (ConnectionState.CONNECTED == state)
            {
                proxy.sendClose(publications[endpointIndex], sessionId);
            }
            state = ConnectionState.CLOSED;
            for (int slot = 0; slot < pending.capacity(); slot++)
            {
                if (pending.isInUse(slot))
                {
                    complete(slot, OverlapStatus.CLOSED);
                }
            }
            CloseHelper.quietCloseAll(publications);
            CloseHelper.quietClose(subscription);
            ctx.close();
        }
    }

    /**
     * State of the connection with the current endpoint.
     *
     * @return the state.
     */
    public ConnectionState state()
    {
        return state;
    }

    /**
     * Index in the context's endpoint list of the endpoint in use.
     *
     * @return the endpoint index.
     */
    public int endpointIndex()
    {
        return endpointIndex;
    }

    /**
     * The response channel servers answer on, with an ephemeral UDP port resolved.
     *
     * @return the channel sent in ConnectRequests.
     */
    public String responseChannel()
    {
        return responseChannel;
    }

    /**
     * Queries in flight (sent or waiting for a session).
     *
     * @return in-flight count.
     */
    public int inFlight()
    {
        return pending.inFlight();
    }

    /**
     * Request messages sent, resends included.
     *
     * @return sent count.
     */
    public long sentCount()
    {
        return sentCount;
    }

    /**
     * Answers received for queries in flight, whatever their status.
     *
     * @return answered count.
     */
    public long answeredCount()
    {
        return answeredCount;
    }

    /**
     * Attempts that expired without an answer.
     *
     * @return timeout count.
     */
    public long timeoutCount()
    {
        return timeoutCount;
    }

    /**
     * Switches to another endpoint (or a new session with the same one when there is only one).
     *
     * @return failover count.
     */
    public long failoverCount()
    {
        return failoverCount;
    }

    /**
     * Answers with a status other than OK.
     *
     * @return error response count.
     */
    public long errorResponseCount()
    {
        return errorResponseCount;
    }

    /**
     * Sessions opened.
     *
     * @return connect count.
     */
    public long connectCount()
    {
        return connectCount;
    }

    /**
     * State and counters, for logs and test failures.
     *
     * @return a one-line description.
     */
    @Override
    public String toString()
    {
        return "IndexerClient{state=" + state + ", endpoint=" + endpointIndex + ", session=" + sessionId +
            ", inFlight=" + pending.inFlight() + ", sent=" + sentCount + ", answered=" + answeredCount +
            ", timeouts=" + timeoutCount + ", failovers=" + failoverCount + ", connects=" + connectCount + '}';
    }

    private OverlapStatus await(final long correlationId, final OverlapResult result)
    {
        if (NO_SLOT == correlationId)
        {
            result.pending(NO_SLOT);
            result.complete(OverlapStatus.OVERLOAD);
            return OverlapStatus.OVERLOAD;
        }
        final IdleStrategy idle = ctx.idleStrategy();
        idle.reset();
        while (!result.isDone())
        {
            idle.idle(poll());
        }
        return result.status();
    }

    private int claimSlot()
    {
        if (ConnectionState.CLOSED == state)
        {
            throw new IllegalStateException("client is closed");
        }
        return pending.claim();
    }

    private long activate(final int slot, final long correlationId, final int length, final OverlapResult result)
    {
        result.pending(correlationId);
        pending.activate(slot, correlationId, length, result, clock.nanoTime() + ctx.timeoutNs());
        if (length > publications[endpointIndex].maxMessageLength())
        {
            complete(slot, OverlapStatus.BAD_REQUEST);
        }
        else if (ConnectionState.CONNECTED == state)
        {
            send(slot);
        }
        return correlationId;
    }

    private int hashTokens(final String loraName, final int blockSize, final int[] tokens, final int tokenCount)
    {
        if (blockSize < 1)
        {
            throw new IllegalArgumentException("block size not configured: " + blockSize);
        }
        BlockHasher hasher = hasherByBlockSize.get(blockSize);
        if (null == hasher)
        {
            hasher = new BlockHasher(blockSize);
            hasherByBlockSize.put(blockSize, hasher);
        }
        final byte[] nameBytes = loraSeedName.bytes(loraName);
        final int blocks = hasher.fullBlocks(tokenCount);
        if (blocks > scratchHashes.length)
        {
            scratchHashes = new long[Math.max(blocks, scratchHashes.length * 2)];
        }
        hasher.seed(BlockHashing.loraSeed(nameBytes, 0, nameBytes.length));
        return hasher.localHashes(tokens, tokenCount, scratchHashes);
    }

    private int doConnect(final long nowNs)
    {
        if (nowNs - connectDeadlineNs >= 0)
        {
            failover(nowNs);
            return 1;
        }
        final ExclusivePublication publication = publications[endpointIndex];
        if (!connectSent && publication.isConnected())
        {
            connectCorrelationId = aeron.nextCorrelationId();
            if (proxy.sendConnect(publication, connectCorrelationId, responseChannel, ctx.responseStreamId()) > 0)
            {
                connectSent = true;
                return 1;
            }
        }
        return 0;
    }

    private int checkConnection(final long nowNs)
    {
        if (!publications[endpointIndex].isConnected())
        {
            failover(nowNs);
            return 1;
        }
        return 0;
    }

    private int sendUnsent(final long nowNs)
    {
        int sent = 0;
        for (int slot = 0; slot < pending.capacity() && pending.unsentCount() > 0; slot++)
        {
            if (pending.isInUse(slot) && !pending.isSent(slot))
            {
                if (!send(slot))
                {
                    break;
                }
                pending.deadlineNs(slot, nowNs + ctx.timeoutNs());
                sent++;
            }
        }
        return sent;
    }

    private boolean send(final int slot)
    {
        final ExclusivePublication publication = publications[endpointIndex];
        final long result = proxy.sendOverlap(publication, pending.buffer(slot), pending.length(slot), sessionId);
        if (result > 0)
        {
            pending.markSent(slot, epoch);
            sentCount++;
            return true;
        }
        if (Publication.NOT_CONNECTED == result || Publication.CLOSED == result ||
            Publication.MAX_POSITION_EXCEEDED == result)
        {
            failover(clock.nanoTime());
        }
        return false;
    }

    private int expire(final long nowNs)
    {
        int expired = 0;
        for (int slot = 0; slot < pending.capacity(); slot++)
        {
            if (pending.isInUse(slot) && nowNs - pending.deadlineNs(slot) >= 0)
            {
                expired++;
                timeoutCount++;
                final boolean sentToCurrent = pending.isSent(slot) && pending.sentEpoch(slot) == epoch;
                pending.markUnsent(slot);
                pending.deadlineNs(slot, nowNs + ctx.timeoutNs());
                if (pending.incrementAttempts(slot) >= ctx.maxAttempts())
                {
                    complete(slot, OverlapStatus.TIMEOUT);
                }
                if (sentToCurrent && ConnectionState.CONNECTED == state)
                {
                    failover(nowNs);
                }
            }
        }
        return expired;
    }

    private void failover(final long nowNs)
    {
        if (ConnectionState.CONNECTED == state)
        {
            proxy.sendClose(publications[endpointIndex], sessionId);
        }
        failoverCount++;
        endpointIndex = (endpointIndex + 1) % publications.length;
        startConnecting(nowNs);
    }

    private void startConnecting(final long nowNs)
    {
        epoch++;
        state = ConnectionState.CONNECTING;
        sessionId = QueryProtocol.NULL_SESSION_ID;
        connectSent = false;
        connectDeadlineNs = nowNs + ctx.connectTimeoutNs();
        for (int slot = 0; slot < pending.capacity(); slot++)
        {
            if (pending.isInUse(slot))
            {
                pending.markUnsent(slot);
            }
        }
    }

    private void complete(final int slot, final OverlapStatus status)
    {
        final OverlapResult result = pending.result(slot);
        final long correlationId = pending.correlationId(slot);
        pending.release(slot);
        result.complete(status);
        final OverlapListener listener = ctx.listener();
        if (null != listener)
        {
            listener.onOverlap(correlationId, result);
        }
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return;
        }
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            return;
        }
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        switch (headerDecoder.templateId())
        {
            case OverlapResponseDecoder.TEMPLATE_ID:
                overlapDecoder.wrap(buffer, bodyOffset, headerDecoder.blockLength(), headerDecoder.version());
                onOverlapResponse();
                break;

            case ConnectResponseDecoder.TEMPLATE_ID:
                connectDecoder.wrap(buffer, bodyOffset, headerDecoder.blockLength(), headerDecoder.version());
                onConnectResponse();
                break;

            default:
                break;
        }
    }

    private void onConnectResponse()
    {
        if (ConnectionState.CONNECTING != state || connectDecoder.correlationId() != connectCorrelationId)
        {
            return;
        }
        if (ConnectStatus.OK.value() == connectDecoder.statusRaw())
        {
            sessionId = connectDecoder.sessionId();
            state = ConnectionState.CONNECTED;
            connectCount++;
        }
        else
        {
            failover(clock.nanoTime());
        }
    }

    private void onOverlapResponse()
    {
        final int slot = pending.slotOf(overlapDecoder.correlationId());
        if (PendingQueries.NO_SLOT == slot)
        {
            return;
        }
        answeredCount++;
        final OverlapStatus status = toStatus(overlapDecoder.statusRaw());
        if (OverlapStatus.OK == status)
        {
            final OverlapResult result = pending.result(slot);
            final OverlapResponseDecoder.ScoresDecoder scores = overlapDecoder.scores();
            result.begin(scores.count());
            while (scores.hasNext())
            {
                scores.next();
                result.add(scores.workerId(), (int)scores.dpRank(), (int)scores.matchedBlocks(), scores.treeSize());
            }
        }
        else
        {
            errorResponseCount++;
        }
        complete(slot, status);
    }

    private static OverlapStatus toStatus(final short status)
    {
        if (QueryStatus.OK.value() == status)
        {
            return OverlapStatus.OK;
        }
        if (QueryStatus.UNKNOWN_INDEX.value() == status)
        {
            return OverlapStatus.UNKNOWN_INDEX;
        }
        if (QueryStatus.BAD_REQUEST.value() == status)
        {
            return OverlapStatus.BAD_REQUEST;
        }
        return QueryStatus.OVERLOAD.value() == status ? OverlapStatus.OVERLOAD : OverlapStatus.SERVER_ERROR;
    }

    private String resolveResponseChannel(final Subscription subscription)
    {
        final String channel = ctx.responseChannel();
        if (!channel.startsWith("aeron:udp"))
        {
            return channel;
        }
        final IdleStrategy idle = ctx.idleStrategy();
        final long deadlineNs = clock.nanoTime() + ctx.connectTimeoutNs();
        idle.reset();
        String resolved;
        while (null == (resolved = subscription.tryResolveChannelEndpointPort()))
        {
            if (clock.nanoTime() - deadlineNs >= 0)
            {
                throw new IllegalStateException("response channel did not resolve: " + channel);
            }
            idle.idle();
        }
        return resolved;
    }
}
