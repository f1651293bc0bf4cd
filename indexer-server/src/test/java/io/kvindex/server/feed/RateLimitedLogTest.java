package io.kvindex.server.feed;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimitedLogTest
{
    private long nowNs;

    @Test
    void shouldLogOneLinePerCauseAndInterval()
    {
        final RateLimitedLog log = new RateLimitedLog("test", 2, 100, () -> nowNs);
        assertTrue(log.onError(0, "first cause"));
        assertTrue(log.onError(1, "second cause"));
        nowNs = 99;
        assertFalse(log.onError(0, "first cause"));
        assertFalse(log.onError(1, "second cause"));
        nowNs = 100;
        assertTrue(log.onError(0, "first cause"));
        assertFalse(log.onError(0, "first cause"));
    }
}
