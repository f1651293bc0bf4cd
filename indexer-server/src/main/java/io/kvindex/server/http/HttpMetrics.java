package io.kvindex.server.http;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The API's own metrics ({@code spec/dynamo-compat.md} §5): {@code kvindexer_requests_total{endpoint,method}},
 * {@code kvindexer_errors_total{endpoint,status_class}} and {@code kvindexer_request_duration_seconds{endpoint}}.
 * Each endpoint resolves its data points once, so recording a request looks no label up.
 */
final class HttpMetrics
{
    /** Label of requests to a path that is no endpoint. */
    static final String UNKNOWN_ENDPOINT = "unknown";

    private static final double FIRST_BUCKET_SECONDS = 0.000_05;
    private static final int BUCKETS = 20;

    private final Counter requests;
    private final Counter errors;
    private final Histogram duration;

    HttpMetrics(final PrometheusRegistry registry)
    {
        requests = Counter.builder()
            .name("kvindexer_requests_total")
            .help("HTTP requests by endpoint and method")
            .labelNames("endpoint", "method")
            .withoutExemplars()
            .register(registry);
        errors = Counter.builder()
            .name("kvindexer_errors_total")
            .help("HTTP error responses (4xx, 5xx) by endpoint")
            .labelNames("endpoint", "status_class")
            .withoutExemplars()
            .register(registry);
        duration = Histogram.builder()
            .name("kvindexer_request_duration_seconds")
            .help("HTTP request latency from dispatch to the end of the response")
            .labelNames("endpoint")
            .classicOnly()
            .classicExponentialUpperBounds(FIRST_BUCKET_SECONDS, 2.0, BUCKETS)
            .withoutExemplars()
            .register(registry);
    }

    Endpoint endpoint(final String name)
    {
        return new Endpoint(name);
    }

    /**
     * The data points of one endpoint.
     */
    final class Endpoint
    {
        private final CounterDataPoint get;
        private final CounterDataPoint post;
        private final CounterDataPoint other;
        private final CounterDataPoint clientErrors;
        private final CounterDataPoint serverErrors;
        private final DistributionDataPoint seconds;

        private Endpoint(final String name)
        {
            get = requests.labelValues(name, "GET");
            post = requests.labelValues(name, "POST");
            other = requests.labelValues(name, "other");
            clientErrors = errors.labelValues(name, "4xx");
            serverErrors = errors.labelValues(name, "5xx");
            seconds = duration.labelValues(name);
        }

        void record(final String method, final int status, final long durationNs)
        {
            ("GET".equals(method) ? get : "POST".equals(method) ? post : other).inc();
            if (status >= 500)
            {
                serverErrors.inc();
            }
            else if (status >= 400)
            {
                clientErrors.inc();
            }
            seconds.observe(durationNs / 1e9);
        }
    }
}
