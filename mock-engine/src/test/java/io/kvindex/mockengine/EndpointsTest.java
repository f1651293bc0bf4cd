package io.kvindex.mockengine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EndpointsTest
{
    @Test
    void shouldOffsetTcpPortsByRankAsVllmDoes()
    {
        assertEquals("tcp://127.0.0.1:5557", Endpoints.forRank("tcp://127.0.0.1:5557", 0, 4));
        assertEquals("tcp://127.0.0.1:5560", Endpoints.forRank("tcp://127.0.0.1:5557", 3, 4));
        assertEquals("tcp://*:5558", Endpoints.forRank("tcp://*:5557", 1, 2));
        assertEquals("tcp://[::1]:5559", Endpoints.forRank("tcp://[::1]:5557", 2, 3));
    }

    @Test
    void shouldSuffixInprocNamesOfSeveralRanks()
    {
        assertEquals("inproc://events", Endpoints.forRank("inproc://events", 0, 1));
        assertEquals("inproc://events_dp1", Endpoints.forRank("inproc://events", 1, 2));
        assertEquals("ipc:///tmp/kv_dp0", Endpoints.forRank("ipc:///tmp/kv", 0, 2));
    }

    @Test
    void shouldKeepEphemeralPortsEphemeralAndRejectBadEndpoints()
    {
        assertTrue(Endpoints.isEphemeral("tcp://127.0.0.1:*"));
        assertTrue(Endpoints.isEphemeral("tcp://127.0.0.1:0"));
        assertFalse(Endpoints.isEphemeral("tcp://127.0.0.1:5557"));
        assertEquals("tcp://127.0.0.1:*", Endpoints.forRank("tcp://127.0.0.1:*", 5, 6));
        assertThrows(IllegalArgumentException.class, () -> Endpoints.forRank("udp://127.0.0.1:5557", 1, 2));
        assertThrows(IllegalArgumentException.class, () -> Endpoints.forRank("tcp://127.0.0.1", 1, 2));
        assertThrows(IllegalArgumentException.class, () -> Endpoints.forRank("tcp://127.0.0.1:x", 1, 2));
    }
}
