package io.kvindex.server.registry;

/**
 * A registration named an index {@code (model, tenant)} whose block size is already fixed at another value
 * (HTTP 409 in {@code spec/dynamo-compat.md} §3).
 */
public final class BlockSizeConflictException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * The conflict.
     *
     * @param model     model name.
     * @param tenant    tenant.
     * @param fixed     the block size the index has.
     * @param requested the block size asked for.
     */
    public BlockSizeConflictException(final String model, final String tenant, final int fixed, final int requested)
    {
        super("index " + model + ":" + tenant + " has block_size " + fixed + "; a registration with block_size " +
            requested + " is refused");
    }
}
