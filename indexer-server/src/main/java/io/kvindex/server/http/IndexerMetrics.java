package io.kvindex.server.http;

import io.kvindex.index.EventCounters;
import io.kvindex.index.EventStatus;
import io.kvindex.index.EventType;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.server.IndexerServer;
import io.kvindex.server.query.IndexRegistry;
import io.kvindex.server.query.QueryCounters;
import io.kvindex.server.registry.ListenerStatus;
import io.kvindex.server.registry.ListenerView;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The server's state as Prometheus metrics, read at scrape time from the counters the index writer and the query
 * agent keep (values may lag by a few events): {@code kv_cache_events_applied_total{event_type, status}} per
 * {@code (model, tenant)} with the statuses of {@code spec/dynamo-compat.md} §5, capacity refusals, index sizes,
 * {@code kvindexer_workers}, {@code kvindexer_listeners{status}} and the Aeron query service's counters.
 */
final class IndexerMetrics
{
    private static final int[] SPEC_EVENT_TYPES = { EventType.STORED, EventType.REMOVED, EventType.CLEARED };
    private static final int[] SPEC_STATUSES =
    {
        EventStatus.OK, EventStatus.PARENT_BLOCK_NOT_FOUND, EventStatus.BLOCK_NOT_FOUND, EventStatus.INVALID_BLOCK
    };
    private static final int[] RESPONSES =
    {
        QueryCounters.ANSWERED, QueryCounters.UNKNOWN_INDEX, QueryCounters.BAD_REQUESTS, QueryCounters.OVERLOADED,
        QueryCounters.SERVER_ERRORS
    };
    private static final String[] RESPONSE_LABELS =
    {
        "ok", "unknown_index", "bad_request", "overload", "server_error"
    };
    private static final int[] DROPS =
    {
        QueryCounters.MALFORMED, QueryCounters.UNKNOWN_SESSION, QueryCounters.RESPONSES_DROPPED
    };
    private static final String[] DROP_LABELS = { "malformed", "unknown_session", "response_not_offered" };

    private IndexerMetrics()
    {
    }

    static void register(final PrometheusRegistry prometheus, final IndexerServer server)
    {
        final IndexRegistry registry = server.registry();
        CounterWithCallback.builder()
            .name("kv_cache_events_applied_total")
            .help("KV cache events applied to the index, by event type and outcome")
            .labelNames("model", "tenant", "event_type", "status")
            .callback(callback ->
            {
                for (final IndexRegistry.Entry entry : registry.entries())
                {
                    if (entry.index() instanceof OffHeapBlockIndex)
                    {
                        final EventCounters counters = ((OffHeapBlockIndex)entry.index()).counters();
                        for (final int type : SPEC_EVENT_TYPES)
                        {
                            for (final int status : SPEC_STATUSES)
                            {
                                callback.call(counters.get(type, status), entry.model(), entry.tenant(),
                                    EventType.name(type), EventStatus.name(status));
                            }
                        }
                    }
                }
            })
            .register(prometheus);
        indexCounter(prometheus, registry, "kvindexer_index_stores_refused_total",
            "Stored events refused whole because the index was full",
            index -> index.counters().get(EventType.STORED, EventStatus.CAPACITY_EXCEEDED));
        indexCounter(prometheus, registry, "kvindexer_index_workers_removed_total",
            "Workers (or dp ranks) dropped from the index with their blocks",
            index -> index.counters().get(EventType.REMOVE_WORKER, EventStatus.OK));
        indexGauge(prometheus, registry, "kvindexer_index_blocks", "Blocks (tree nodes) the index holds",
            OffHeapBlockIndex::liveBlocks);
        indexGauge(prometheus, registry, "kvindexer_index_memberships", "(owner, block) pairs the index holds",
            OffHeapBlockIndex::memberships);
        indexGauge(prometheus, registry, "kvindexer_index_owners", "Owners (worker id, dp rank) the index knows",
            OffHeapBlockIndex::ownerCount);
        indexGauge(prometheus, registry, "kvindexer_index_used_bytes", "Off-heap bytes holding the index's live state",
            OffHeapBlockIndex::usedBytes);
        indexGauge(prometheus, registry, "kvindexer_index_reserved_bytes", "Off-heap bytes the index has allocated",
            OffHeapBlockIndex::reservedBytes);
        final int maxBlocks = server.context().maxBlocks();
        indexGauge(prometheus, registry, "kvindexer_index_capacity_blocks", "Most blocks the index may hold",
            index -> maxBlocks);
        registerWorkers(prometheus, server);
        registerQueries(prometheus, server.queryCounters());
    }

    private static void registerWorkers(final PrometheusRegistry prometheus, final IndexerServer server)
    {
        GaugeWithCallback.builder()
            .name("kvindexer_models")
            .help("Indexes, one per (model, tenant)")
            .callback(callback -> callback.call(server.registry().size()))
            .register(prometheus);
        GaugeWithCallback.builder()
            .name("kvindexer_workers")
            .help("Registered worker instances")
            .callback(callback ->
            {
                final Set<Long> instances = new HashSet<>();
                for (final ListenerView view : server.listeners())
                {
                    instances.add(view.registration().instanceId());
                }
                callback.call(instances.size());
            })
            .register(prometheus);
        GaugeWithCallback.builder()
            .name("kvindexer_listeners")
            .help("Engine event listeners (one per registered stream), by status")
            .labelNames("status")
            .callback(callback ->
            {
                final List<ListenerView> views = server.listeners();
                final int[] counts = new int[ListenerStatus.values().length];
                for (final ListenerView view : views)
                {
                    counts[view.status().ordinal()]++;
                }
                for (final ListenerStatus status : ListenerStatus.values())
                {
                    callback.call(counts[status.ordinal()], status.label());
                }
            })
            .register(prometheus);
    }

    private static void registerQueries(final PrometheusRegistry prometheus, final QueryCounters counters)
    {
        queryCounter(prometheus, "kvindexer_aeron_query_requests_total", "Aeron OverlapRequests read", counters,
            QueryCounters.REQUESTS);
        CounterWithCallback.builder()
            .name("kvindexer_aeron_query_responses_total")
            .help("Aeron OverlapResponses sent, by status")
            .labelNames("status")
            .callback(callback ->
            {
                for (int i = 0; i < RESPONSES.length; i++)
                {
                    callback.call(counters.get(RESPONSES[i]), RESPONSE_LABELS[i]);
                }
            })
            .register(prometheus);
        CounterWithCallback.builder()
            .name("kvindexer_aeron_query_dropped_total")
            .help("Aeron query messages dropped unanswered, by reason")
            .labelNames("reason")
            .callback(callback ->
            {
                for (int i = 0; i < DROPS.length; i++)
                {
                    callback.call(counters.get(DROPS[i]), DROP_LABELS[i]);
                }
            })
            .register(prometheus);
        queryCounter(prometheus, "kvindexer_aeron_query_sessions_opened_total", "Aeron query sessions opened",
            counters, QueryCounters.SESSIONS_OPENED);
        queryCounter(prometheus, "kvindexer_aeron_query_sessions_closed_total", "Aeron query sessions closed",
            counters, QueryCounters.SESSIONS_CLOSED);
        queryCounter(prometheus, "kvindexer_aeron_query_connects_rejected_total", "Aeron query connects rejected",
            counters, QueryCounters.CONNECTS_REJECTED);
    }

    private static void queryCounter(
        final PrometheusRegistry prometheus,
        final String name,
        final String help,
        final QueryCounters counters,
        final int counter)
    {
        CounterWithCallback.builder()
            .name(name)
            .help(help)
            .callback(callback -> callback.call(counters.get(counter)))
            .register(prometheus);
    }

    private static void indexCounter(
        final PrometheusRegistry prometheus,
        final IndexRegistry registry,
        final String name,
        final String help,
        final ToDoubleFunction<OffHeapBlockIndex> value)
    {
        CounterWithCallback.builder()
            .name(name)
            .help(help)
            .labelNames("model", "tenant")
            .callback(callback -> forEachIndex(registry, (entry, index) ->
                callback.call(value.applyAsDouble(index), entry.model(), entry.tenant())))
            .register(prometheus);
    }

    private static void indexGauge(
        final PrometheusRegistry prometheus,
        final IndexRegistry registry,
        final String name,
        final String help,
        final ToDoubleFunction<OffHeapBlockIndex> value)
    {
        GaugeWithCallback.builder()
            .name(name)
            .help(help)
            .labelNames("model", "tenant")
            .callback(callback -> forEachIndex(registry, (entry, index) ->
                callback.call(value.applyAsDouble(index), entry.model(), entry.tenant())))
            .register(prometheus);
    }

    private static void forEachIndex(final IndexRegistry registry, final IndexVisitor visitor)
    {
        for (final IndexRegistry.Entry entry : registry.entries())
        {
            if (entry.index() instanceof OffHeapBlockIndex)
            {
                visitor.visit(entry, (OffHeapBlockIndex)entry.index());
            }
        }
    }

    @FunctionalInterface
    private interface IndexVisitor
    {
        void visit(IndexRegistry.Entry entry, OffHeapBlockIndex index);
    }
}
