package io.kvindex.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.kvindex.server.IndexerServer;
import io.kvindex.server.registry.WorkerRegistration;
import io.kvindex.server.registry.WorkerRegistry;

import java.io.IOException;
import java.util.List;

/**
 * {@code POST /unregister} {@code {instance_id, model_name, tenant_id?, dp_rank?}}: stop following a worker's
 * streams; without a tenant every tenant of the model, without a dp rank the whole instance. 200
 * {@code {"status": "ok"}}, 404 when nothing matched.
 */
final class UnregisterHandler implements ApiHandler
{
    private final IndexerServer server;

    UnregisterHandler(final IndexerServer server)
    {
        this.server = server;
    }

    /**
     * {@inheritDoc}
     */
    public void handle(final HttpExchange exchange, final HttpWorkspace workspace) throws IOException
    {
        final ObjectNode body = JsonFields.readObject(workspace.body(exchange));
        final long instanceId = JsonFields.unsignedLong(body, "instance_id");
        final String model = JsonFields.string(body, "model_name");
        final String tenant = JsonFields.optionalString(body, "tenant_id");
        final int dpRank = JsonFields.optionalInt(body, "dp_rank", 0, WorkerRegistry.ALL_RANKS);
        final List<WorkerRegistration> removed = server.unregister(instanceId, model, tenant, dpRank);
        if (removed.isEmpty())
        {
            throw ApiException.notFound("instance " + Long.toUnsignedString(instanceId) +
                (WorkerRegistry.ALL_RANKS == dpRank ? "" : " dp_rank " + dpRank) + " not found for model=" + model +
                (null == tenant ? "" : " tenant=" + tenant));
        }
        workspace.sendOk(exchange, HttpStatus.OK);
    }
}
