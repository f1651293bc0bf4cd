package io.kvindex.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import io.kvindex.index.DumpListener;
import io.kvindex.server.IndexerServer;
import io.kvindex.server.query.IndexRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /dump}: every index as {@code {"<model>:<tenant>": {"block_size": n, "events": [...]}}}, the events in
 * Dynamo's RouterEvent JSON: {@code {"worker_id", "event": {"event_id", "data": {"stored": {"parent_hash",
 * "blocks": [{"block_hash", "tokens_hash"}]}}, "dp_rank"}}}, hashes unsigned. An empty index rebuilds an equal one
 * from it. Each index is copied out first ({@link IndexerServer#dumpIndex}), then streamed (chunked).
 */
final class DumpHandler implements ApiHandler
{
    private final IndexerServer server;

    DumpHandler(final IndexerServer server)
    {
        this.server = server;
    }

    /**
     * {@inheritDoc}
     */
    public void handle(final HttpExchange exchange, final HttpWorkspace workspace) throws IOException
    {
        final DumpBuffer buffer = new DumpBuffer();
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        workspace.status = HttpStatus.OK;
        exchange.sendResponseHeaders(HttpStatus.OK, 0);
        try (OutputStream out = exchange.getResponseBody();
            JsonGenerator generator = Json.FACTORY.createGenerator(out))
        {
            generator.writeStartObject();
            for (final IndexRegistry.Entry entry : server.registry().entries())
            {
                server.dumpIndex(entry.model(), entry.tenant(), buffer.reset());
                generator.writeObjectFieldStart(entry.model() + ":" + entry.tenant());
                generator.writeNumberField("block_size", entry.blockSize());
                generator.writeArrayFieldStart("events");
                buffer.replay(new EventWriter(generator));
                generator.writeEndArray();
                generator.writeEndObject();
            }
            generator.writeEndObject();
        }
    }

    /**
     * Writes one Stored event per call, numbering them from 0.
     */
    static final class EventWriter implements DumpListener
    {
        private final JsonGenerator generator;
        private long eventId;

        EventWriter(final JsonGenerator generator)
        {
            this.generator = generator;
        }

        /**
         * {@inheritDoc}
         */
        public void onStored(
            final long workerId,
            final int dpRank,
            final boolean hasParent,
            final long parentEngineHash,
            final long[] engineHashes,
            final long[] localHashes,
            final int count)
        {
            try
            {
                generator.writeStartObject();
                generator.writeFieldName("worker_id");
                generator.writeNumber(Long.toUnsignedString(workerId));
                generator.writeObjectFieldStart("event");
                generator.writeNumberField("event_id", eventId++);
                generator.writeObjectFieldStart("data");
                generator.writeObjectFieldStart("stored");
                generator.writeFieldName("parent_hash");
                if (hasParent)
                {
                    generator.writeNumber(Long.toUnsignedString(parentEngineHash));
                }
                else
                {
                    generator.writeNull();
                }
                writeBlocks(engineHashes, localHashes, count);
                generator.writeEndObject();
                generator.writeEndObject();
                generator.writeNumberField("dp_rank", dpRank);
                generator.writeEndObject();
                generator.writeEndObject();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        private void writeBlocks(final long[] engineHashes, final long[] localHashes, final int count)
            throws IOException
        {
            generator.writeArrayFieldStart("blocks");
            for (int i = 0; i < count; i++)
            {
                generator.writeStartObject();
                generator.writeFieldName("block_hash");
                generator.writeNumber(Long.toUnsignedString(engineHashes[i]));
                generator.writeFieldName("tokens_hash");
                generator.writeNumber(Long.toUnsignedString(localHashes[i]));
                generator.writeEndObject();
            }
            generator.writeEndArray();
        }
    }
}
