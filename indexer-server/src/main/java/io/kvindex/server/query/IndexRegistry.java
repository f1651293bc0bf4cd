package io.kvindex.server.query;

import io.kvindex.index.BlockIndex;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The indexes a query service answers for, one per {@code (model, tenant)} with its block size. Registration is
 * copy-on-write and rare; lookups by the UTF-8 bytes of a request allocate nothing and may run on any thread.
 */
public final class IndexRegistry
{
    /** Tenant used when a request names none, as in Dynamo. */
    public static final String DEFAULT_TENANT = "default";

    private static final byte[] DEFAULT_TENANT_BYTES = DEFAULT_TENANT.getBytes(StandardCharsets.UTF_8);

    private volatile Entry[] entries = new Entry[0];

    /**
     * One registered index.
     */
    public static final class Entry
    {
        private final String model;
        private final String tenant;
        private final byte[] modelBytes;
        private final byte[] tenantBytes;
        private final BlockIndex index;
        private final int blockSize;

        Entry(final String model, final String tenant, final BlockIndex index, final int blockSize)
        {
            this.model = model;
            this.tenant = tenant;
            this.modelBytes = model.getBytes(StandardCharsets.UTF_8);
            this.tenantBytes = tenant.getBytes(StandardCharsets.UTF_8);
            this.index = index;
            this.blockSize = blockSize;
        }

        /**
         * Model name.
         *
         * @return the model.
         */
        public String model()
        {
            return model;
        }

        /**
         * Tenant.
         *
         * @return the tenant.
         */
        public String tenant()
        {
            return tenant;
        }

        /**
         * The index.
         *
         * @return the index, whose findMatches the query service calls from its own thread.
         */
        public BlockIndex index()
        {
            return index;
        }

        /**
         * Tokens per block of this index.
         *
         * @return block size.
         */
        public int blockSize()
        {
            return blockSize;
        }

        boolean matches(
            final DirectBuffer buffer,
            final int modelOffset,
            final int modelLength,
            final int tenantOffset,
            final int tenantLength)
        {
            return equal(modelBytes, buffer, modelOffset, modelLength) && (0 == tenantLength ?
                Arrays.equals(tenantBytes, DEFAULT_TENANT_BYTES) :
                equal(tenantBytes, buffer, tenantOffset, tenantLength));
        }
    }

    /**
     * Register the index of a (model, tenant); its block size is fixed from then on.
     *
     * @param model     model name.
     * @param tenant    tenant, null or empty for {@link #DEFAULT_TENANT}.
     * @param index     the index; its findMatches must be safe from the query thread.
     * @param blockSize tokens per block.
     * @return the new entry.
     * @throws IllegalStateException when the (model, tenant) is already registered.
     */
    public synchronized Entry register(
        final String model, final String tenant, final BlockIndex index, final int blockSize)
    {
        if (blockSize < 1)
        {
            throw new IllegalArgumentException("blockSize must be >= 1: " + blockSize);
        }
        final String t = null == tenant || tenant.isEmpty() ? DEFAULT_TENANT : tenant;
        if (null != find(model, t))
        {
            throw new IllegalStateException("already registered: " + model + ":" + t);
        }
        final Entry entry = new Entry(model, t, index, blockSize);
        final Entry[] old = entries;
        final Entry[] updated = Arrays.copyOf(old, old.length + 1);
        updated[old.length] = entry;
        entries = updated;
        return entry;
    }

    /**
     * The entry of a (model, tenant) by name.
     *
     * @param model  model name.
     * @param tenant tenant, null or empty for the default.
     * @return the entry or null.
     */
    public Entry find(final String model, final String tenant)
    {
        final String t = null == tenant || tenant.isEmpty() ? DEFAULT_TENANT : tenant;
        for (final Entry entry : entries)
        {
            if (entry.model.equals(model) && entry.tenant.equals(t))
            {
                return entry;
            }
        }
        return null;
    }

    /**
     * The entry named by UTF-8 bytes in a buffer; an empty tenant means the default. Allocates nothing.
     *
     * @param buffer       the buffer holding the names.
     * @param modelOffset  offset of the model bytes.
     * @param modelLength  length of the model bytes.
     * @param tenantOffset offset of the tenant bytes.
     * @param tenantLength length of the tenant bytes, 0 for the default tenant.
     * @return the entry or null.
     */
    public Entry find(
        final DirectBuffer buffer,
        final int modelOffset,
        final int modelLength,
        final int tenantOffset,
        final int tenantLength)
    {
        final Entry[] entries = this.entries;
        for (int i = 0; i < entries.length; i++)
        {
            final Entry entry = entries[i];
            if (entry.matches(buffer, modelOffset, modelLength, tenantOffset, tenantLength))
            {
                return entry;
            }
        }
        return null;
    }

    /**
     * The registered indexes, in registration order; a snapshot, for status and tools rather than queries.
     *
     * @return an unmodifiable list.
     */
    public List<Entry> entries()
    {
        return List.of(entries);
    }

    /**
     * Number of registered indexes.
     *
     * @return the count.
     */
    public int size()
    {
        return entries.length;
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
