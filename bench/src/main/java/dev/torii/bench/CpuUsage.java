package dev.torii.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples the CPU time used so far by the driver, by the processes under test and by the whole
 * machine, so a report shows where the cores went and how much other tenants took; and the
 * resident memory of the processes under test.
 *
 * <p>Reads Linux's {@code /proc}; elsewhere only the driver's own time is known.
 */
final class CpuUsage {

    /** The name of the driver's own entry. */
    static final String DRIVER = "driver";
    /** The name of the entry for every busy core of the machine, whoever used it. */
    static final String MACHINE = "machine";
    /**
     * The name of the entry for the kernel's soft-interrupt time, most of it loopback TCP here;
     * the kernel charges it to no process, so it explains part of what the machine used beyond them.
     */
    static final String SOFTIRQ = "softirq";

    private final Map<String, Long> pids;
    private final long nanosPerTick;
    private final com.sun.management.OperatingSystemMXBean os;

    /**
     * Creates a sampler.
     *
     * @param pids processes to watch, by report name
     * @param clockTicksPerSecond the kernel's USER_HZ ({@code getconf CLK_TCK}), the unit of {@code /proc} times
     */
    CpuUsage(Map<String, Long> pids, long clockTicksPerSecond) {
        this.pids = pids;
        this.nanosPerTick = 1_000_000_000L / clockTicksPerSecond;
        this.os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    }

    /**
     * Returns the CPU time each entry used so far, in nanoseconds; an entry whose figure cannot be
     * read (a process gone, no {@code /proc}) is left out.
     *
     * @return cumulative CPU nanoseconds by name, the driver first, then the watched processes,
     *     soft interrupts and the machine
     */
    Map<String, Long> sample() {
        Map<String, Long> sample = new LinkedHashMap<>();
        sample.put(DRIVER, os.getProcessCpuTime());
        pids.forEach((name, pid) -> {
            Long ticks = processTicks(pid);
            if (ticks != null) {
                sample.put(name, ticks * nanosPerTick);
            }
        });
        long[] machine = machineTicks();
        if (machine != null) {
            sample.put(SOFTIRQ, machine[1] * nanosPerTick);
            sample.put(MACHINE, machine[0] * nanosPerTick);
        }
        return sample;
    }

    /**
     * Returns the CPU time the JIT compiler threads of the driver and of every watched JVM used so
     * far, in nanoseconds; 0 where {@code /proc} cannot tell.
     *
     * @return cumulative compiler CPU nanoseconds
     */
    long compilerNanos() {
        long ticks = compilerTicks(ProcessHandle.current().pid());
        for (long pid : pids.values()) {
            ticks += compilerTicks(pid);
        }
        return ticks * nanosPerTick;
    }

    /**
     * Returns the resident memory of every watched process (with its live children, as for CPU
     * time), in bytes: {@code VmRSS} of {@code /proc/PID/status}, what the kernel counts against a
     * container's memory limit. A process whose figure cannot be read is left out.
     *
     * @return resident bytes by name, in the order of the watched processes
     */
    Map<String, Long> residentBytes() {
        Map<String, Long> resident = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            Long bytes = processResidentBytes(pid);
            if (bytes != null) {
                for (long child : children(pid)) {
                    Long childBytes = processResidentBytes(child);
                    bytes += childBytes == null ? 0 : childBytes;
                }
                resident.put(name, bytes);
            }
        });
        return resident;
    }

    /**
     * Turns two samples into cores used on average between them.
     *
     * @param before the earlier sample
     * @param after the later sample
     * @param elapsedNanos wall time between the samples
     * @return cores used by name, for the names both samples have
     */
    static Map<String, Double> cores(Map<String, Long> before, Map<String, Long> after, long elapsedNanos) {
        Map<String, Double> cores = new LinkedHashMap<>();
        after.forEach((name, end) -> {
            Long start = before.get(name);
            if (start != null) {
                cores.put(name, (end - start) / (double) elapsedNanos);
            }
        });
        return cores;
    }

    // utime and stime, fields 14 and 15 of /proc/PID/stat, cover every thread of the process; a
    // process's live children count too, so an nginx master stands for its workers (a JVM has none).
    private static Long processTicks(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        if (stat == null) {
            return null;
        }
        long ticks = ticks(stat);
        for (long child : children(pid)) {
            String childStat = read(Path.of("/proc", Long.toString(child), "stat"));
            if (childStat != null) {
                ticks += ticks(childStat);
            }
        }
        return ticks;
    }

    // /proc/PID/task/TID/children lists the children each thread started, space-separated.
    private static List<Long> children(long pid) {
        List<Long> children = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String list = read(task.resolve("children"));
                if (list != null && !list.isBlank()) {
                    for (String child : list.trim().split(" +")) {
                        children.add(Long.parseLong(child));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // No /proc, or the process is gone: its own figure stands alone.
        }
        return children;
    }

    // The line "VmRSS:    123456 kB" of /proc/PID/status; a kernel thread or a zombie has none.
    private static Long processResidentBytes(long pid) {
        String status = read(Path.of("/proc", Long.toString(pid), "status"));
        if (status == null) {
            return null;
        }
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] fields = line.substring("VmRSS:".length()).trim().split(" +");
                return Long.parseLong(fields[0]) * 1024;
            }
        }
        return null;
    }

    // Reads utime + stime from a /proc stat line of a process or thread.
    private static long ticks(String stat) {
        // The command name (field 2) may hold spaces; fields after it start past its closing parenthesis.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    // HotSpot names its JIT threads "C1 CompilerThread0", "C2 CompilerThread1"..., which the kernel
    // cuts to 15 characters.
    private static long compilerTicks(long pid) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            long ticks = 0;
            for (Path task : tasks) {
                String stat = read(task.resolve("stat"));
                if (stat != null && stat.contains(" CompilerThre")) {
                    ticks += ticks(stat);
                }
            }
            return ticks;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    // Returns busy and softirq ticks. The first line of /proc/stat adds up every core:
    // user nice system idle iowait irq softirq steal ...
    private static long[] machineTicks() {
        String stat = read(Path.of("/proc/stat"));
        if (stat == null || !stat.startsWith("cpu ")) {
            return null;
        }
        String[] fields = stat.substring(0, stat.indexOf('\n')).trim().split(" +");
        if (fields.length < 9) {
            return null;
        }
        long busy = 0;
        for (int i = 1; i <= 8; i++) {
            if (i != 4 && i != 5) {
                busy += Long.parseLong(fields[i]);
            }
        }
        return new long[] {busy, Long.parseLong(fields[7])};
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
