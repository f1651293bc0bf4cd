package io.kvindex.router.http;

import io.kvindex.router.Router;
import io.kvindex.router.RouterCounters;
import io.kvindex.router.Worker;

/**
 * The router's Prometheus text on {@code /metrics}, with the names of spec/dynamo-compat.md section 5 that the
 * router keeps today: {@code router_requests_total}, {@code router_queue_pending_requests}, per worker
 * {@code worker_active_decode_blocks} and {@code worker_active_prefill_tokens}, and every {@link RouterCounters}
 * counter as {@code kvindex_router_events_total{event}}. Written on the router thread.
 */
final class RouterMetricsText
{
    private RouterMetricsText()
    {
    }

    static String write(final Router router)
    {
        final StringBuilder text = new StringBuilder(1024);
        final RouterCounters counters = router.counters();
        text.append("# HELP router_requests_total Requests routed.\n# TYPE router_requests_total counter\n")
            .append("router_requests_total ").append(counters.get(RouterCounters.ROUTED)).append('\n');
        text.append("# HELP router_queue_pending_requests Requests waiting for capacity.\n")
            .append("# TYPE router_queue_pending_requests gauge\n")
            .append("router_queue_pending_requests ").append(router.pendingRequests()).append('\n');
        text.append("# HELP kvindex_router_events_total Router events by kind.\n")
            .append("# TYPE kvindex_router_events_total counter\n");
        for (int i = 0; i < RouterCounters.COUNT; i++)
        {
            text.append("kvindex_router_events_total{event=\"").append(RouterCounters.name(i)).append("\"} ")
                .append(counters.get(i)).append('\n');
        }
        text.append("# HELP worker_active_decode_blocks Blocks of booked requests per worker.\n")
            .append("# TYPE worker_active_decode_blocks gauge\n");
        for (final Worker worker : router.context().workerSet().workers())
        {
            label(text.append("worker_active_decode_blocks"), worker)
                .append(router.activeBlocks(worker.workerId(), worker.dpRank())).append('\n');
        }
        text.append("# HELP worker_active_prefill_tokens Prefill tokens of booked requests per worker.\n")
            .append("# TYPE worker_active_prefill_tokens gauge\n");
        for (final Worker worker : router.context().workerSet().workers())
        {
            label(text.append("worker_active_prefill_tokens"), worker)
                .append(router.activePrefillTokens(worker.workerId(), worker.dpRank())).append('\n');
        }
        return text.toString();
    }

    private static StringBuilder label(final StringBuilder text, final Worker worker)
    {
        return text.append("{worker_id=\"").append(Long.toUnsignedString(worker.workerId()))
            .append("\",dp_rank=\"").append(worker.dpRank()).append("\"} ");
    }
}
