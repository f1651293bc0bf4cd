package io.kvindex.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import io.kvindex.index.EventStatus;
import io.kvindex.index.EventType;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.server.query.IndexRegistry;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /health}: always 200 while the server runs, with {@code {"status": "ok" | "degraded", "indexes":
 * [...]}}. An index is degraded when it holds its capacity in blocks, or when a store was refused for capacity
 * within the last minute (as seen by the health checks: the refusal count grew since the previous check less than a
 * minute ago); the reason is given per index.
 */
final class HealthHandler implements ApiHandler
{
    private static final long RECENT_NS = TimeUnit.MINUTES.toNanos(1);

    private final IndexRegistry registry;
    private final int maxBlocks;
    private final Map<IndexRegistry.Entry, long[]> refusals = new HashMap<>();

    HealthHandler(final IndexRegistry registry, final int maxBlocks)
    {
        this.registry = registry;
        this.maxBlocks = maxBlocks;
    }

    /**
     * {@inheritDoc}
     */
    public void handle(final HttpExchange exchange, final HttpWorkspace workspace) throws IOException
    {
        final List<IndexRegistry.Entry> entries = registry.entries();
        final String[] reasons = new String[entries.size()];
        boolean degraded = false;
        for (int i = 0; i < reasons.length; i++)
        {
            reasons[i] = degradedReason(entries.get(i));
            degraded |= null != reasons[i];
        }
        final JsonGenerator generator = workspace.json();
        generator.writeStartObject();
        generator.writeStringField("status", degraded ? "degraded" : "ok");
        generator.writeArrayFieldStart("indexes");
        for (int i = 0; i < reasons.length; i++)
        {
            final IndexRegistry.Entry entry = entries.get(i);
            generator.writeStartObject();
            generator.writeStringField("index", entry.model() + ":" + entry.tenant());
            generator.writeNumberField("block_size", entry.blockSize());
            generator.writeNumberField("owners", entry.index().ownerCount());
            if (entry.index() instanceof OffHeapBlockIndex)
            {
                final OffHeapBlockIndex index = (OffHeapBlockIndex)entry.index();
                generator.writeNumberField("blocks", index.liveBlocks());
                generator.writeNumberField("max_blocks", maxBlocks);
                generator.writeNumberField("refused_stores", refusedStores(index));
            }
            generator.writeStringField("status", null == reasons[i] ? "ok" : "degraded");
            if (null != reasons[i])
            {
                generator.writeStringField("reason", reasons[i]);
            }
            generator.writeEndObject();
        }
        generator.writeEndArray();
        generator.writeEndObject();
        workspace.send(exchange, HttpStatus.OK, generator);
    }

    private synchronized String degradedReason(final IndexRegistry.Entry entry)
    {
        if (!(entry.index() instanceof OffHeapBlockIndex))
        {
            return null;
        }
        final OffHeapBlockIndex index = (OffHeapBlockIndex)entry.index();
        final long refused = refusedStores(index);
        final long nowNs = System.nanoTime();
        final long[] seen = refusals.computeIfAbsent(entry, e -> new long[]{ 0, nowNs - 2 * RECENT_NS });
        if (refused != seen[0])
        {
            seen[0] = refused;
            seen[1] = nowNs;
        }
        if (index.liveBlocks() >= maxBlocks)
        {
            return "full: " + index.liveBlocks() + " of " + maxBlocks + " blocks; new stores are refused";
        }
        if (nowNs - seen[1] < RECENT_NS)
        {
            return "stores refused for capacity within the last minute (" + refused + " in all)";
        }
        return null;
    }

    private static long refusedStores(final OffHeapBlockIndex index)
    {
        return index.counters().get(EventType.STORED, EventStatus.CAPACITY_EXCEEDED);
    }
}
