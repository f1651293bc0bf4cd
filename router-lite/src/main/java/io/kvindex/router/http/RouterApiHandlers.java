package io.kvindex.router.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.kvindex.router.PotentialLoads;
import io.kvindex.router.Router;
import io.kvindex.router.RoutingDecision;
import io.kvindex.router.RoutingStatus;
import io.kvindex.router.api.RouteAnswer;
import io.kvindex.router.api.RouterService;

import java.io.IOException;
import java.math.BigInteger;

/**
 * The JSON endpoints of Dynamo's router API, {@code /explain}, {@code /health} and {@code /metrics}. Request ids and
 * worker ids are as the caller sent them; worker ids are printed unsigned.
 */
final class RouterApiHandlers
{
    private final RouterService service;
    private final RouterHttpContext ctx;
    private final int blockSize;

    RouterApiHandlers(final RouterService service, final RouterHttpContext ctx)
    {
        this.service = service;
        this.ctx = ctx;
        this.blockSize = service.context().routerContext().blockSize();
    }

    void bestWorker(final HttpExchange exchange) throws IOException
    {
        final RouteRequest request = RouteRequest.read(read(exchange), blockSize, "token_ids");
        final RouteAnswer answer = route(service, request, ctx.callTimeoutMs());
        final ObjectNode body = Exchanges.MAPPER.createObjectNode();
        putWorkerId(body, answer.worker().workerId());
        body.put("dp_rank", answer.worker().dpRank());
        body.put("overlap_blocks", answer.overlapBlocks());
        body.put("booked", answer.booked());
        Exchanges.sendJson(exchange, 200, body);
    }

    void potentialLoads(final HttpExchange exchange) throws IOException
    {
        final ObjectNode request = read(exchange);
        final int[] tokens = RouteRequest.tokenIds(request.path("token_ids"), "token_ids");
        final String lora = RouteRequest.text(request, "lora_name");
        final ArrayNode loads = Exchanges.await(service.call((router) ->
        {
            final PotentialLoads holder = new PotentialLoads();
            router.potentialLoads(tokens, tokens.length, lora, holder);
            final ArrayNode list = Exchanges.MAPPER.createArrayNode();
            for (int i = 0; i < holder.size(); i++)
            {
                final ObjectNode load = list.addObject();
                putWorkerId(load, holder.workerId(i));
                load.put("dp_rank", holder.dpRank(i));
                load.put("potential_prefill_tokens", holder.potentialPrefillTokens(i));
                load.put("potential_decode_blocks", holder.potentialDecodeBlocks(i));
            }
            return list;
        }), ctx.callTimeoutMs());
        Exchanges.sendJson(exchange, 200, loads);
    }

    void markPrefillComplete(final HttpExchange exchange) throws IOException
    {
        final String requestId = requireRequestId(read(exchange));
        lifecycleAnswer(exchange, Exchanges.await(service.markPrefillComplete(requestId), ctx.callTimeoutMs()),
            requestId);
    }

    void free(final HttpExchange exchange) throws IOException
    {
        final String requestId = requireRequestId(read(exchange));
        lifecycleAnswer(exchange, Exchanges.await(service.free(requestId), ctx.callTimeoutMs()), requestId);
    }

    void dumpEvents(final HttpExchange exchange) throws IOException
    {
        final ObjectNode body = Exchanges.await(service.call((router) ->
        {
            final ObjectNode dump = Exchanges.MAPPER.createObjectNode();
            dump.put("block_size", router.context().blockSize());
            dump.put("approximate", null != router.approximateIndex());
            final ArrayNode events = dump.putArray("events");
            RouterService.dumpEvents(router, (workerId, dpRank, hasParent, parent, engine, local, count) ->
            {
                final ObjectNode event = events.addObject();
                putWorkerId(event, workerId);
                event.put("dp_rank", dpRank);
                final ObjectNode stored = event.putObject("event").putObject("stored");
                if (hasParent)
                {
                    stored.put("parent_hash", parent);
                }
                else
                {
                    stored.putNull("parent_hash");
                }
                final ArrayNode blocks = stored.putArray("blocks");
                for (int i = 0; i < count; i++)
                {
                    blocks.addObject().put("block_hash", engine[i]).put("tokens_hash", local[i]);
                }
            });
            return dump;
        }), ctx.callTimeoutMs());
        Exchanges.sendJson(exchange, 200, body);
    }

    void explain(final HttpExchange exchange) throws IOException
    {
        final RouteRequest request = RouteRequest.read(read(exchange), blockSize, "token_ids");
        final ObjectNode body = Exchanges.await(service.call((router) -> explain(router, request)),
            ctx.callTimeoutMs());
        Exchanges.sendJson(exchange, 200, body);
    }

    void health(final HttpExchange exchange) throws IOException
    {
        final ObjectNode body = Exchanges.await(service.call((router) ->
        {
            final ObjectNode health = Exchanges.MAPPER.createObjectNode();
            final int workers = router.context().workerSet().size();
            health.put("status", workers > 0 ? "ok" : "no_workers");
            health.put("mode", router.context().mode().flagName());
            health.put("kv_events", router.context().kvEvents());
            health.put("workers", workers);
            health.put("active_requests", router.activeRequests());
            health.put("pending_requests", router.pendingRequests());
            return health;
        }), ctx.callTimeoutMs());
        Exchanges.sendJson(exchange, 200, body);
    }

    void metrics(final HttpExchange exchange) throws IOException
    {
        final String text = Exchanges.await(service.call(RouterMetricsText::write), ctx.callTimeoutMs());
        Exchanges.sendBytes(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", Exchanges.utf8(text));
    }

    /**
     * Route through the router thread; a routing refusal becomes an {@link HttpError}: 503 without workers, 400 for
     * an unknown forced worker, 409 for a request id already in use. A booking that arrives after the caller gave up
     * waiting is freed.
     */
    static RouteAnswer route(final RouterService service, final RouteRequest request, final long timeoutMs)
    {
        final var future = service.route(request.tokens, request.hashes, request.isl, request.overrides,
            request.requestId);
        final RouteAnswer answer;
        try
        {
            answer = Exchanges.await(future, timeoutMs);
        }
        catch (final HttpError ex)
        {
            if (null != request.requestId)
            {
                future.thenAccept((late) -> service.free(request.requestId));
            }
            throw ex;
        }
        switch (answer.status())
        {
            case ROUTED:
                return answer;
            case NO_WORKERS:
                throw new HttpError(HttpError.UNAVAILABLE, "no workers to route to");
            case UNKNOWN_WORKER:
                throw HttpError.badRequest("worker_id " + Long.toUnsignedString(request.overrides.forcedWorkerId()) +
                    " dp_rank " + request.overrides.forcedDpRank() + " is not a candidate worker");
            case DUPLICATE_REQUEST:
                throw new HttpError(HttpError.CONFLICT, "request_id already in use: " + request.requestId);
            default:
                throw new HttpError(HttpError.CONFLICT, "request " + request.requestId + " was freed while queued");
        }
    }

    static void putWorkerId(final ObjectNode node, final long workerId)
    {
        if (workerId >= 0)
        {
            node.put("worker_id", workerId);
        }
        else
        {
            node.put("worker_id", new BigInteger(Long.toUnsignedString(workerId)));
        }
    }

    private ObjectNode read(final HttpExchange exchange) throws IOException
    {
        return Exchanges.readObject(exchange, ctx.maxBodyBytes());
    }

    private static String requireRequestId(final ObjectNode body)
    {
        final String requestId = RouteRequest.text(body, "request_id");
        if (null == requestId)
        {
            throw HttpError.badRequest("request_id is required");
        }
        return requestId;
    }

    private static void lifecycleAnswer(final HttpExchange exchange, final boolean known, final String requestId)
        throws IOException
    {
        if (!known)
        {
            throw new HttpError(HttpError.NOT_FOUND, "unknown request_id: " + requestId);
        }
        final ObjectNode body = Exchanges.MAPPER.createObjectNode();
        body.put("status", "ok");
        Exchanges.sendJson(exchange, 200, body);
    }

    private static ObjectNode explain(final Router router, final RouteRequest request)
    {
        final RoutingDecision decision = new RoutingDecision();
        if (null != request.tokens)
        {
            router.bestWorker(request.tokens, request.tokens.length, request.overrides, null, decision);
        }
        else
        {
            router.bestWorkerForHashes(request.hashes, request.hashes.length, request.isl, request.overrides, null,
                decision);
        }
        final ObjectNode body = Exchanges.MAPPER.createObjectNode();
        body.put("status", decision.status().name().toLowerCase());
        if (RoutingStatus.ROUTED == decision.status())
        {
            putWorkerId(body, decision.workerId());
            body.put("dp_rank", decision.dpRank());
        }
        body.put("overlap_score_weight", decision.overlapScoreWeight());
        body.put("temperature", decision.temperature());
        body.put("isl", decision.isl());
        body.put("fell_back", decision.fellBack());
        final ArrayNode candidates = body.putArray("candidates");
        for (int i = 0; i < decision.candidateCount(); i++)
        {
            final ObjectNode candidate = candidates.addObject();
            putWorkerId(candidate, decision.candidateWorkerId(i));
            candidate.put("dp_rank", decision.candidateDpRank(i));
            candidate.put("overlap_blocks", decision.candidateOverlapBlocks(i));
            candidate.put("tree_size", decision.candidateTreeSize(i));
            candidate.put("prefill_tokens", decision.candidatePrefillTokens(i));
            candidate.put("prefill_blocks", decision.candidatePrefillBlocks(i));
            candidate.put("decode_blocks", decision.candidateDecodeBlocks(i));
            candidate.put("logit", decision.candidateLogit(i));
        }
        body.put("explanation", decision.explanation());
        return body;
    }
}
