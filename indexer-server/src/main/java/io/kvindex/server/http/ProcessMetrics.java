package io.kvindex.server.http;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.RuntimeMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Process and JVM basics under the names Prometheus clients use: CPU, start time, resident memory, file
 * descriptors, heap and non-heap, direct and mapped buffers (where the off-heap index lives), threads, GC and the
 * runtime. Read from the JDK's management beans at scrape time (the client's JVM module has no release matching
 * the core library's here, and these few are enough).
 */
final class ProcessMetrics
{
    private static final Path PROC_STATUS = Path.of("/proc/self/status");
    private static final double KIB = 1024.0;

    private ProcessMetrics()
    {
    }

    static void register(final PrometheusRegistry prometheus)
    {
        final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        final RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean)
        {
            final com.sun.management.OperatingSystemMXBean sunOs = (com.sun.management.OperatingSystemMXBean)os;
            CounterWithCallback.builder().name("process_cpu_seconds_total")
                .help("CPU time the process used, in seconds")
                .callback(callback -> callback.call(sunOs.getProcessCpuTime() / 1e9))
                .register(prometheus);
        }
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean)
        {
            final com.sun.management.UnixOperatingSystemMXBean unix = (com.sun.management.UnixOperatingSystemMXBean)os;
            gauge(prometheus, "process_open_fds", "Open file descriptors", unix::getOpenFileDescriptorCount);
            gauge(prometheus, "process_max_fds", "Most file descriptors the process may open",
                unix::getMaxFileDescriptorCount);
        }
        gauge(prometheus, "process_start_time_seconds", "Start time of the process since the epoch, in seconds",
            () -> runtime.getStartTime() / 1000.0);
        if (Files.isReadable(PROC_STATUS))
        {
            gauge(prometheus, "process_resident_memory_bytes", "Resident memory of the process, in bytes",
                () -> procStatusKib("VmRSS:") * KIB);
            gauge(prometheus, "process_virtual_memory_bytes", "Virtual memory of the process, in bytes",
                () -> procStatusKib("VmSize:") * KIB);
        }
        registerMemory(prometheus);
        registerThreadsAndGc(prometheus);
        Info.builder().name("jvm_runtime_info").help("The JVM running the server")
            .labelNames("version", "vendor", "runtime")
            .register(prometheus)
            .setLabelValues(System.getProperty("java.runtime.version", "unknown"),
                System.getProperty("java.vm.vendor", "unknown"), System.getProperty("java.runtime.name", "unknown"));
    }

    private static void registerMemory(final PrometheusRegistry prometheus)
    {
        final java.lang.management.MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        GaugeWithCallback.builder().name("jvm_memory_used_bytes").help("JVM memory in use, by area")
            .labelNames("area")
            .callback(callback ->
            {
                callback.call(memory.getHeapMemoryUsage().getUsed(), "heap");
                callback.call(memory.getNonHeapMemoryUsage().getUsed(), "nonheap");
            })
            .register(prometheus);
        GaugeWithCallback.builder().name("jvm_memory_committed_bytes").help("JVM memory committed, by area")
            .labelNames("area")
            .callback(callback ->
            {
                callback.call(memory.getHeapMemoryUsage().getCommitted(), "heap");
                callback.call(memory.getNonHeapMemoryUsage().getCommitted(), "nonheap");
            })
            .register(prometheus);
        GaugeWithCallback.builder().name("jvm_memory_max_bytes").help("Most JVM memory an area may use")
            .labelNames("area")
            .callback(callback ->
            {
                final MemoryUsage heap = memory.getHeapMemoryUsage();
                if (heap.getMax() >= 0)
                {
                    callback.call(heap.getMax(), "heap");
                }
            })
            .register(prometheus);
        final List<BufferPoolMXBean> pools = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);
        GaugeWithCallback.builder().name("jvm_buffer_pool_used_bytes")
            .help("Bytes used by a JVM buffer pool (direct holds the off-heap index)")
            .labelNames("pool")
            .callback(callback ->
            {
                for (final BufferPoolMXBean pool : pools)
                {
                    callback.call(pool.getMemoryUsed(), pool.getName());
                }
            })
            .register(prometheus);
    }

    private static void registerThreadsAndGc(final PrometheusRegistry prometheus)
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        gauge(prometheus, "jvm_threads_current", "Live JVM threads", threads::getThreadCount);
        gauge(prometheus, "jvm_threads_daemon", "Live JVM daemon threads", threads::getDaemonThreadCount);
        final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
        CounterWithCallback.builder().name("jvm_gc_collections_total").help("Garbage collections, by collector")
            .labelNames("gc")
            .callback(callback ->
            {
                for (final GarbageCollectorMXBean gc : collectors)
                {
                    callback.call(Math.max(0, gc.getCollectionCount()), gc.getName());
                }
            })
            .register(prometheus);
        CounterWithCallback.builder().name("jvm_gc_collection_seconds_total")
            .help("Time spent in garbage collections, by collector, in seconds")
            .labelNames("gc")
            .callback(callback ->
            {
                for (final GarbageCollectorMXBean gc : collectors)
                {
                    callback.call(Math.max(0, gc.getCollectionTime()) / 1000.0, gc.getName());
                }
            })
            .register(prometheus);
        gauge(prometheus, "jvm_classes_currently_loaded", "Classes loaded in the JVM",
            () -> ManagementFactory.getClassLoadingMXBean().getLoadedClassCount());
    }

    private static void gauge(
        final PrometheusRegistry prometheus, final String name, final String help, final DoubleValue value)
    {
        GaugeWithCallback.builder().name(name).help(help)
            .callback(callback -> callback.call(value.get()))
            .register(prometheus);
    }

    private static double procStatusKib(final String key)
    {
        try
        {
            for (final String line : Files.readAllLines(PROC_STATUS, StandardCharsets.US_ASCII))
            {
                if (line.startsWith(key))
                {
                    return Double.parseDouble(line.substring(key.length()).replace("kB", "").trim());
                }
            }
        }
        catch (final IOException | NumberFormatException ignore)
        {
            // Not Linux, or an unexpected format: report nothing meaningful rather than fail the scrape.
        }
        return 0;
    }

    @FunctionalInterface
    private interface DoubleValue
    {
        double get();
    }
}
