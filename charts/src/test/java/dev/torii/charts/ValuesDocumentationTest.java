package dev.torii.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The chart README's values table and values.yaml describe the same values. */
class ValuesDocumentationTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\|", Pattern.MULTILINE);

    @Test
    void everyValueIsInTheReadmeTableAndEveryRowIsAValue() throws IOException {
        String readme = Files.readString(Chart.DIR.resolve("README.md"));
        String table = readme.substring(readme.indexOf("## Values"));
        List<String> rows = new ArrayList<>();
        Matcher matcher = ROW.matcher(table);
        while (matcher.find()) {
            rows.add(matcher.group(1));
        }
        Map<String, Object> values = new Yaml().load(Files.readString(Chart.DIR.resolve("values.yaml")));
        List<String> leaves = new ArrayList<>();
        collectLeaves(values, "", leaves);

        assertThat(leaves).isNotEmpty().allSatisfy(leaf -> assertThat(rows)
                .as("README row for %s", leaf)
                .anyMatch(row -> leaf.equals(row) || leaf.startsWith(row + ".")));
        assertThat(rows).filteredOn(row -> !row.contains("<")).allSatisfy(row -> assertThat(leaves)
                .as("value documented as %s", row)
                .anyMatch(leaf -> leaf.equals(row) || leaf.startsWith(row + ".")));
    }

    @SuppressWarnings("unchecked")
    private static void collectLeaves(Map<String, Object> node, String prefix, List<String> leaves) {
        for (Map.Entry<String, Object> entry : node.entrySet()) {
            String path = prefix + entry.getKey();
            if (entry.getValue() instanceof Map<?, ?> child && !child.isEmpty()) {
                collectLeaves((Map<String, Object>) child, path + ".", leaves);
            } else {
                leaves.add(path);
            }
        }
    }
}
