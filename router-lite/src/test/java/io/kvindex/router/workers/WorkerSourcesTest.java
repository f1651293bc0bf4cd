package io.kvindex.router.workers;

import com.sun.net.httpserver.HttpServer;
import io.kvindex.router.Router;
import io.kvindex.router.RouterContext;
import io.kvindex.router.RouterMode;
import io.kvindex.router.RoutingDecision;
import io.kvindex.router.Worker;
import io.kvindex.router.WorkerSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class WorkerSourcesTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldParseWorkerSpecs()
    {
        final List<Worker> workers = WorkerSpecs.parse(
            "1=http://127.0.0.1:8000, 2:1=http://127.0.0.1:8001;weight=2 # comment\n18446744073709551615=http://h:1");
        assertEquals(3, workers.size());
        assertEquals(new Worker(2, 1, 2.0, "http://127.0.0.1:8001", Worker.DEFAULT_MAX_NUM_BATCHED_TOKENS),
            workers.get(1));
        assertEquals(-1L, workers.get(2).workerId());
        assertThrows(IllegalArgumentException.class, () -> WorkerSpecs.parse("x=http://h:1"));
        assertThrows(IllegalArgumentException.class, () -> WorkerSpecs.parse("1=h:1"));
        assertThrows(IllegalArgumentException.class, () -> WorkerSpecs.parse("1=http://h:1;color=red"));
    }

    @Test
    void shouldStopRoutingToAWorkerRemovedFromTheFile() throws Exception
    {
        final Path file = tempDir.resolve("workers.txt");
        Files.writeString(file, "1=http://127.0.0.1:9001\n2=http://127.0.0.1:9002\n", StandardCharsets.UTF_8);
        final WorkerSet set = new WorkerSet();
        try (WorkerSources sources = new WorkerSources(set, List.of(), file, null).start(20);
            Router router = Router.launch(new RouterContext().mode(RouterMode.ROUND_ROBIN).workerSet(set)))
        {
            assertEquals(2, set.size());
            Files.writeString(file, "1=http://127.0.0.1:9001\n", StandardCharsets.UTF_8);
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
            while (2 == set.size())
            {
                Thread.sleep(10);
            }
            final RoutingDecision decision = new RoutingDecision();
            for (int i = 0; i < 10; i++)
            {
                router.bestWorker(new int[]{1, 2, 3}, 3, null, null, decision);
                assertEquals(1, decision.workerId(), "a removed worker gets no traffic");
            }
            Files.writeString(file, "1=http://127.0.0.1:9001\nbroken", StandardCharsets.UTF_8);
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
            sources.poll();
            assertEquals(1, set.size(), "a bad file keeps the last workers");
            assertTrue(sources.lastError().contains("broken"), sources.lastError());
        }
    }

    @Test
    void shouldAddWorkersFromTheIndexerRegistryWithUrlsFromFlags() throws Exception
    {
        final HttpServer indexer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        final String[] registry = {"[{\"instance_id\":7,\"source\":\"flags\",\"status\":\"active\"," +
            "\"endpoints\":{\"0\":\"tcp://127.0.0.1:5557\",\"1\":\"tcp://127.0.0.1:5558\"}}]"};
        indexer.createContext("/workers", (exchange) ->
        {
            final byte[] body = registry[0].getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        indexer.start();
        final WorkerSet set = new WorkerSet();
        try (WorkerSources sources = new WorkerSources(set, WorkerSpecs.parse("7=http://127.0.0.1:8007"), null,
            "http://127.0.0.1:" + indexer.getAddress().getPort() + "/"))
        {
            assertTrue(sources.poll());
            assertEquals(2, set.size());
            assertEquals("http://127.0.0.1:8007", set.find(7, 1).url());
            registry[0] = "[]";
            sources.poll();
            assertEquals(1, set.size(), "the flag's worker stays");
            assertNotEquals(null, set.find(7, 0));
        }
        finally
        {
            indexer.stop(0);
        }
    }
}
