package io.kvindex.server.registry;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class WorkerRegistryTest
{
    @Test
    void shouldValidateRegistrations()
    {
        final WorkerRegistration ok = new WorkerRegistration(
            -1L, 0, "tcp://127.0.0.1:5557", "tcp://127.0.0.1:5558", 16, "llama", null);
        assertEquals("default", ok.tenant());
        new WorkerRegistration(1, 2, "tcp://*:5557", null, 16, "m", "t");
        new WorkerRegistration(1, 2, "ipc:///tmp/engine", null, 16, "m", "t");
        new WorkerRegistration(1, 2, "tcp://[::1]:5557", null, 16, "m", "t");

        assertBad("endpoint is not a ZMQ endpoint", 1, 0, "127.0.0.1:5557", 16, "m");
        assertBad("unsupported transport 'http'", 1, 0, "http://127.0.0.1:5557", 16, "m");
        assertBad("needs host:port", 1, 0, "tcp://127.0.0.1", 16, "m");
        assertBad("bad port", 1, 0, "tcp://127.0.0.1:x", 16, "m");
        assertBad("port out of range", 1, 0, "tcp://127.0.0.1:70000", 16, "m");
        assertBad("dp_rank", 1, -1, "tcp://127.0.0.1:5557", 16, "m");
        assertBad("block_size", 1, 0, "tcp://127.0.0.1:5557", 0, "m");
        assertBad("model_name", 1, 0, "tcp://127.0.0.1:5557", 16, "");
    }

    @Test
    void shouldPutReplaceAndRemoveStreams()
    {
        final WorkerRegistry registry = new WorkerRegistry();
        final WorkerRegistration a0 = registration(7, 0, "t1", "tcp://127.0.0.1:5557");
        final WorkerRegistration a1 = registration(7, 1, "t1", "tcp://127.0.0.1:5559");
        final WorkerRegistration a0t2 = registration(7, 0, "t2", "tcp://127.0.0.1:5557");
        final WorkerRegistration b0 = registration(8, 0, "t1", "tcp://127.0.0.1:6557");
        assertNull(registry.put(a0));
        assertNull(registry.put(a1));
        assertNull(registry.put(a0t2));
        assertNull(registry.put(b0));
        assertSame(a0, registry.put(registration(7, 0, "t1", "tcp://127.0.0.1:5557")));
        assertEquals(4, registry.size());

        registry.status(a1, ListenerStatus.FAILED, "connection refused");
        final ListenerView failed = registry.listeners().get(1);
        assertEquals(ListenerStatus.FAILED, failed.status());
        assertEquals("connection refused", failed.lastError());

        final WorkerRegistration moved = registration(7, 1, "t1", "tcp://127.0.0.1:5600");
        assertSame(a1, registry.put(moved));
        assertEquals(ListenerStatus.PENDING, registry.listeners().get(1).status());
        assertSame(moved, registry.listeners().get(1).registration());

        assertEquals(List.of(a0), registry.remove(7, "llama", "t1", 0));
        assertTrue(registry.remove(7, "llama", "t1", 0).isEmpty());
        assertEquals(List.of(moved, a0t2), registry.remove(7, "llama", null, WorkerRegistry.ALL_RANKS));
        assertEquals(List.of(b0), registry.remove(8, "llama", "t1", WorkerRegistry.ALL_RANKS));
        assertEquals(0, registry.size());
    }

    private static WorkerRegistration registration(
        final long id, final int rank, final String tenant, final String endpoint)
    {
        return new WorkerRegistration(id, rank, endpoint, null, 16, "llama", tenant);
    }

    private static void assertBad(
        final String expected, final long id, final int rank, final String endpoint, final int blockSize,
        final String model)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new WorkerRegistration(id, rank, endpoint, null, blockSize, model, null));
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }
}
