package io.kvindex.server.feed;

import io.kvindex.server.pipeline.IngestPipeline;
import io.kvindex.server.query.IndexRegistry;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The pipeline index each {@code (model, tenant)} named on the wire goes to, with its block size. Resolved from the
 * UTF-8 bytes of a message without allocating; the last route found is tried first, as consecutive events usually
 * name the same index. An empty tenant is the default tenant.
 */
final class IndexRoutes
{
    private static final byte[] DEFAULT_TENANT = IndexRegistry.DEFAULT_TENANT.getBytes(StandardCharsets.UTF_8);

    private final byte[][] models;
    private final byte[][] tenants;
    private final int[] keys;
    private final int[] blockSizes;
    private int last;

    IndexRoutes(final List<AeronEventFeed.Route> routes, final IngestPipeline pipeline)
    {
        final int count = routes.size();
        models = new byte[count][];
        tenants = new byte[count][];
        keys = new int[count];
        blockSizes = new int[count];
        for (int i = 0; i < count; i++)
        {
            final AeronEventFeed.Route route = routes.get(i);
            models[i] = route.model().getBytes(StandardCharsets.UTF_8);
            tenants[i] = route.tenant().getBytes(StandardCharsets.UTF_8);
            keys[i] = route.indexKey();
            blockSizes[i] = pipeline.blockSize(route.indexKey());
        }
    }

    /**
     * The route of the names at these places in a buffer, whose lengths the caller checked against the message.
     *
     * @return a route number, or -1 when no index is registered under the names.
     */
    int find(
        final DirectBuffer buffer,
        final int modelOffset,
        final int modelLength,
        final int tenantOffset,
        final int tenantLength)
    {
        final int count = keys.length;
        if (count > 0 && matches(last, buffer, modelOffset, modelLength, tenantOffset, tenantLength))
        {
            return last;
        }
        for (int i = 0; i < count; i++)
        {
            if (matches(i, buffer, modelOffset, modelLength, tenantOffset, tenantLength))
            {
                last = i;
                return i;
            }
        }
        return -1;
    }

    int indexKey(final int route)
    {
        return keys[route];
    }

    int blockSize(final int route)
    {
        return blockSizes[route];
    }

    private boolean matches(
        final int route,
        final DirectBuffer buffer,
        final int modelOffset,
        final int modelLength,
        final int tenantOffset,
        final int tenantLength)
    {
        return equal(models[route], buffer, modelOffset, modelLength) && (0 == tenantLength ?
            Arrays.equals(tenants[route], DEFAULT_TENANT) : equal(tenants[route], buffer, tenantOffset, tenantLength));
    }

    private static boolean equal(final byte[] expected, final DirectBuffer buffer, final int offset, final int length)
    {
        if (expected.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (expected[i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }
}
