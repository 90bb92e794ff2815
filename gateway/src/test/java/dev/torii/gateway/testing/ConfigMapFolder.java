package dev.torii.gateway.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A folder that changes the way Kubernetes updates a mounted ConfigMap: every version of the
 * files lives in its own hidden folder, {@code ..data} is a symbolic link to the current one, and
 * each visible file is a link through {@code ..data}. An update writes a new version folder, swaps
 * {@code ..data} with one atomic rename, then adds links for new files and removes those of
 * dropped ones, and deletes the old version; the visible files never change in place.
 */
public final class ConfigMapFolder {

    private static final String DATA = "..data";

    private final Path dir;
    private int version;

    private ConfigMapFolder(Path dir) {
        this.dir = dir;
    }

    /**
     * Creates an empty folder.
     *
     * @return the folder
     */
    public static ConfigMapFolder create() throws IOException {
        return new ConfigMapFolder(Files.createTempDirectory("torii-configmap"));
    }

    /**
     * Returns the folder applications read.
     *
     * @return the folder
     */
    public Path dir() {
        return dir;
    }

    /**
     * Replaces every file of the folder, as a ConfigMap update does.
     *
     * @param files file names and contents
     */
    public void write(Map<String, String> files) throws IOException {
        Path next = dir.resolve("..version_" + ++version);
        Files.createDirectory(next);
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(next.resolve(file.getKey()), file.getValue());
        }
        Path data = dir.resolve(DATA);
        Path previous = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
        Path swap = dir.resolve("..data_tmp");
        Files.createSymbolicLink(swap, next.getFileName());
        Files.move(swap, data, StandardCopyOption.ATOMIC_MOVE);
        for (String name : files.keySet()) {
            Path link = dir.resolve(name);
            if (!Files.isSymbolicLink(link)) {
                Files.createSymbolicLink(link, Path.of(DATA, name));
            }
        }
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!name.startsWith("..") && !files.containsKey(name)) {
                    Files.delete(entry);
                }
            }
        }
        if (previous != null) {
            deleteRecursively(previous);
        }
    }

    private static void deleteRecursively(Path folder) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(folder)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path path : paths) {
            Files.delete(path);
        }
    }
}
