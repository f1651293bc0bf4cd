package io.kvindex.server.http;

/**
 * One endpoint: its path, its method, whether it changes state (and so needs the bearer token when one is
 * configured), its handler and its metrics.
 */
final class Route
{
    final String path;
    final String method;
    final boolean mutating;
    final ApiHandler handler;
    final HttpMetrics.Endpoint metrics;

    Route(
        final String path,
        final String method,
        final boolean mutating,
        final ApiHandler handler,
        final HttpMetrics.Endpoint metrics)
    {
        this.path = path;
        this.method = method;
        this.mutating = mutating;
        this.handler = handler;
        this.metrics = metrics;
    }
}
