package io.kvindex.server.http;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;

/**
 * {@code GET /metrics}: the Prometheus text exposition (format 0.0.4) of the server's registry.
 */
final class MetricsHandler implements ApiHandler
{
    private final PrometheusRegistry registry;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    MetricsHandler(final PrometheusRegistry registry)
    {
        this.registry = registry;
    }

    /**
     * {@inheritDoc}
     */
    public void handle(final HttpExchange exchange, final HttpWorkspace workspace) throws IOException
    {
        writer.write(workspace.buffer(), registry.scrape());
        exchange.getResponseHeaders().set("Content-Type", writer.getContentType());
        workspace.sendBuffer(exchange, HttpStatus.OK);
    }
}
