package io.kvindex.router;

import io.kvindex.index.BlockIndex;

/**
 * Placeholder of the router-lite module until its issue lands: names the one package of the server it may use.
 */
public final class RouterModule
{
    /** The only server package the router depends on. */
    public static final String INDEX_PACKAGE = BlockIndex.class.getPackageName();

    private RouterModule()
    {
    }
}
