package io.kvindex.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.kvindex.server.IndexerServer;
import io.kvindex.server.registry.WorkerRegistration;

import java.io.IOException;

/**
 * {@code POST /register} {@code {instance_id, endpoint, model_name, block_size, tenant_id="default", dp_rank=0,
 * replay_endpoint?}}: follow an engine's event stream. 201 {@code {"status": "ok"}}, also when the same stream is
 * registered again (its endpoints are replaced); 400 for a bad field or endpoint URL; 409 when the index's block
 * size is already fixed at another value.
 */
final class RegisterHandler implements ApiHandler
{
    private final IndexerServer server;

    RegisterHandler(final IndexerServer server)
    {
        this.server = server;
    }

    /**
     * {@inheritDoc}
     */
    public void handle(final HttpExchange exchange, final HttpWorkspace workspace) throws IOException
    {
        final ObjectNode body = JsonFields.readObject(workspace.body(exchange));
        final WorkerRegistration registration = new WorkerRegistration(
            JsonFields.unsignedLong(body, "instance_id"),
            JsonFields.optionalInt(body, "dp_rank", 0, 0),
            JsonFields.string(body, "endpoint"),
            JsonFields.optionalString(body, "replay_endpoint"),
            JsonFields.intField(body, "block_size", 1),
            JsonFields.string(body, "model_name"),
            JsonFields.optionalString(body, "tenant_id"));
        server.register(registration);
        workspace.sendOk(exchange, HttpStatus.CREATED);
    }
}
