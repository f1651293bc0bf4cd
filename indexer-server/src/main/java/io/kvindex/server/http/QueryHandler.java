package io.kvindex.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import io.kvindex.server.query.IndexRegistry;

import java.io.IOException;

/**
 * {@code POST /query} (token ids, hashed with the index's block size and the request's LoRA seed) and
 * {@code POST /query_by_hash} (local block hashes): the overlap of every owner holding the first block, in tokens,
 * read from the index concurrently with its writer. An unknown {@code (model_name, tenant_id)} is a 404, as in
 * Dynamo.
 */
final class QueryHandler implements ApiHandler
{
    private final IndexRegistry registry;
    private final boolean byHash;

    QueryHandler(final IndexRegistry registry, final boolean byHash)
    {
        this.registry = registry;
        this.byHash = byHash;
    }

    /**
     * {@inheritDoc}
     */
    public void handle(final HttpExchange exchange, final HttpWorkspace workspace) throws IOException
    {
        QueryRequestReader.read(workspace.body(exchange), workspace, byHash);
        final IndexRegistry.Entry entry = registry.find(workspace.model, workspace.tenant);
        if (null == entry)
        {
            throw ApiException.notFound("no indexer for model=" + workspace.model + " tenant=" +
                (null == workspace.tenant || workspace.tenant.isEmpty() ?
                IndexRegistry.DEFAULT_TENANT : workspace.tenant));
        }
        final int blockSize = entry.blockSize();
        int count = workspace.count;
        if (!byHash)
        {
            workspace.ensureHashes(count / blockSize);
            count = workspace.hasher(blockSize, workspace.loraName)
                .localHashes(workspace.tokens, workspace.count, workspace.hashes);
        }
        entry.index().findMatches(workspace.hashes, count, workspace.scores);
        final JsonGenerator generator = workspace.json();
        ScoresJsonWriter.write(generator, workspace.scores, blockSize, workspace.order);
        workspace.send(exchange, HttpStatus.OK, generator);
    }
}
