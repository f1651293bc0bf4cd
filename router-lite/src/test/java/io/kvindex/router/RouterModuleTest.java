package io.kvindex.router;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RouterModuleTest
{
    @Test
    void shouldDependOnlyOnTheIndexPackage()
    {
        assertEquals("io.kvindex.index", RouterModule.INDEX_PACKAGE);
    }
}
