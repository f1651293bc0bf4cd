package io.kvindex.index;

class OffHeapBlockIndexContractTest extends BlockIndexContractTest
{
    @Override
    protected BlockIndex newIndex(final int maxBlocks, final int maxOwners)
    {
        final int blocks = Math.max(1, Math.min(maxBlocks, 1 << 16));
        final int owners = Math.max(1, Math.min(maxOwners, 1 << 12));
        return new OffHeapBlockIndex(
            new OffHeapBlockIndex.Context().maxBlocks(blocks).maxOwners(owners).initialTableEntries(64));
    }
}
