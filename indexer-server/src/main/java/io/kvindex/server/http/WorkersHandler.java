package io.kvindex.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import io.kvindex.server.IndexerServer;
import io.kvindex.server.registry.ListenerStatus;
import io.kvindex.server.registry.ListenerView;
import io.kvindex.server.registry.WorkerRegistration;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /workers}: one entry per registered worker and index, in registration order, shaped as Dynamo's
 * {@code [{instance_id, source, status, endpoints: {dp: url}, listeners: {dp: {endpoint, status, last_error?}}}]}
 * plus {@code model_name} and {@code tenant_id}. A worker's status sums its listeners': failed if any failed, else
 * pending if any is pending, else active if any is active, else paused.
 */
final class WorkersHandler implements ApiHandler
{
    private static final String SOURCE = "zmq";

    private final IndexerServer server;

    WorkersHandler(final IndexerServer server)
    {
        this.server = server;
    }

    /**
     * {@inheritDoc}
     */
    public void handle(final HttpExchange exchange, final HttpWorkspace workspace) throws IOException
    {
        final Map<String, List<ListenerView>> workers = new LinkedHashMap<>();
        for (final ListenerView view : server.listeners())
        {
            final WorkerRegistration r = view.registration();
            final String key = Long.toUnsignedString(r.instanceId()) + '\n' + r.model() + '\n' + r.tenant();
            workers.computeIfAbsent(key, k -> new ArrayList<>()).add(view);
        }
        final JsonGenerator generator = workspace.json();
        generator.writeStartArray();
        for (final List<ListenerView> views : workers.values())
        {
            writeWorker(generator, views);
        }
        generator.writeEndArray();
        workspace.send(exchange, HttpStatus.OK, generator);
    }

    private static void writeWorker(final JsonGenerator generator, final List<ListenerView> views) throws IOException
    {
        final WorkerRegistration first = views.get(0).registration();
        generator.writeStartObject();
        generator.writeFieldName("instance_id");
        generator.writeNumber(Long.toUnsignedString(first.instanceId()));
        generator.writeStringField("model_name", first.model());
        generator.writeStringField("tenant_id", first.tenant());
        generator.writeStringField("source", SOURCE);
        generator.writeStringField("status", aggregate(views).label());
        generator.writeObjectFieldStart("endpoints");
        for (final ListenerView view : views)
        {
            generator.writeStringField(Integer.toString(view.registration().dpRank()), view.registration().endpoint());
        }
        generator.writeEndObject();
        generator.writeObjectFieldStart("listeners");
        for (final ListenerView view : views)
        {
            generator.writeObjectFieldStart(Integer.toString(view.registration().dpRank()));
            generator.writeStringField("endpoint", view.registration().endpoint());
            generator.writeStringField("status", view.status().label());
            if (null != view.lastError())
            {
                generator.writeStringField("last_error", view.lastError());
            }
            generator.writeEndObject();
        }
        generator.writeEndObject();
        generator.writeEndObject();
    }

    static ListenerStatus aggregate(final List<ListenerView> views)
    {
        boolean pending = false;
        boolean active = false;
        for (final ListenerView view : views)
        {
            switch (view.status())
            {
                case FAILED:
                    return ListenerStatus.FAILED;
                case PENDING:
                    pending = true;
                    break;
                case ACTIVE:
                    active = true;
                    break;
                default:
                    break;
            }
        }
        return pending ? ListenerStatus.PENDING : active ? ListenerStatus.ACTIVE : ListenerStatus.PAUSED;
    }
}
