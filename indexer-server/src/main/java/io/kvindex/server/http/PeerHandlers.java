package io.kvindex.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;

/**
 * The peer endpoints, as Dynamo's: {@code POST /register_peer {url}} (201), {@code POST /deregister_peer {url}}
 * (200, 404 when unknown) and {@code GET /peers} (a JSON array of URLs).
 */
final class PeerHandlers
{
    private final PeerRegistry peers;

    PeerHandlers(final PeerRegistry peers)
    {
        this.peers = peers;
    }

    void register(final HttpExchange exchange, final HttpWorkspace workspace) throws IOException
    {
        peers.add(JsonFields.string(JsonFields.readObject(workspace.body(exchange)), "url"));
        workspace.sendOk(exchange, HttpStatus.CREATED);
    }

    void deregister(final HttpExchange exchange, final HttpWorkspace workspace) throws IOException
    {
        if (!peers.remove(JsonFields.string(JsonFields.readObject(workspace.body(exchange)), "url")))
        {
            throw ApiException.notFound("peer not found");
        }
        workspace.sendOk(exchange, HttpStatus.OK);
    }

    void list(final HttpExchange exchange, final HttpWorkspace workspace) throws IOException
    {
        final JsonGenerator generator = workspace.json();
        generator.writeStartArray();
        for (final String url : peers.list())
        {
            generator.writeString(url);
        }
        generator.writeEndArray();
        workspace.send(exchange, HttpStatus.OK, generator);
    }
}
