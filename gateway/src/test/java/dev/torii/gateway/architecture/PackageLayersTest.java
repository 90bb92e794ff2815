package dev.torii.gateway.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Holds the gateway's packages to the layers of ARCHITECTURE.md: no package cycle, and no class
 * that imports a package of a higher layer. The rules are also run against deliberately broken
 * classes in this test's own fixture packages, so a rule that could never fail would be seen.
 */
class PackageLayersTest {

    private static final String ROOT = "dev.torii.gateway";

    /** Each package's layer; a package may import its own layer's and lower layers' packages. */
    static final Map<String, Integer> LAYERS = Map.ofEntries(
            Map.entry("grpc", 0), Map.entry("observe", 0), Map.entry("httprule", 0),
            Map.entry("route", 1),
            Map.entry("exchange", 2),
            Map.entry("error", 3),
            Map.entry("protocol", 4), Map.entry("edge", 4), Map.entry("auth", 4), Map.entry("traffic", 4),
            Map.entry("upstream", 4), Map.entry("routefile", 4), Map.entry("openapi", 4),
            Map.entry("reload", 5), Map.entry("admin", 5), Map.entry("warmup", 5),
            Map.entry("config", 6));

    private static final JavaClasses GATEWAY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void everyPackageHasALayer() {
        Set<String> unknown = new TreeSet<>();
        for (JavaClass type : GATEWAY) {
            String layerPackage = layerPackage(type.getPackageName(), ROOT);
            if (layerPackage != null && !layerPackage.isEmpty() && !LAYERS.containsKey(layerPackage)) {
                unknown.add(layerPackage);
            }
        }
        assertThat(unknown).as("packages missing from ARCHITECTURE.md's layer table (and LAYERS)").isEmpty();
    }

    @Test
    void noPackageCycles() {
        noCycles(ROOT).check(GATEWAY);
    }

    @Test
    void noImportGoesUpALayer() {
        noUpwardImports(ROOT).check(GATEWAY);
    }

    @Test
    void theRulesFailOnACycleAndOnAnUpwardImport() {
        JavaClasses broken = new ClassFileImporter().importPackages(Fixtures.ROOT);
        assertThatThrownBy(() -> noCycles(Fixtures.ROOT).check(broken))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Cycle");
        assertThatThrownBy(() -> noUpwardImports(Fixtures.ROOT).check(broken))
                .isInstanceOf(AssertionError.class).hasMessageContaining("grpc").hasMessageContaining("config");
    }

    static ArchRule noCycles(String root) {
        return SlicesRuleDefinition.slices().matching(root + ".(*)..").should().beFreeOfCycles();
    }

    static ArchRule noUpwardImports(String root) {
        return ArchRuleDefinition.classes()
                .that(DescribedPredicate.describe("are in a layered package", (JavaClass c) ->
                        layerOf(c.getPackageName(), root) != null))
                .should(new ArchCondition<>("import only packages of their own or a lower layer") {
                    @Override
                    public void check(JavaClass type, ConditionEvents events) {
                        int own = layerOf(type.getPackageName(), root);
                        List<String> upward = type.getDirectDependenciesFromSelf().stream()
                                .map(Dependency::getTargetClass)
                                .filter(target -> {
                                    Integer layer = layerOf(target.getPackageName(), root);
                                    return layer != null && layer > own;
                                })
                                .map(JavaClass::getName).distinct().sorted().collect(Collectors.toList());
                        if (!upward.isEmpty()) {
                            events.add(SimpleConditionEvent.violated(type, type.getName() + " (layer " + own
                                    + ") imports a higher layer: " + upward));
                        }
                    }
                });
    }

    // The layer of a package, or null outside the layered packages.
    static Integer layerOf(String packageName, String root) {
        String layerPackage = layerPackage(packageName, root);
        return layerPackage == null ? null : LAYERS.get(layerPackage);
    }

    // The first package name below root: "dev.torii.gateway.route.x" -> "route"; null outside root.
    static String layerPackage(String packageName, String root) {
        if (!packageName.startsWith(root)) {
            return null;
        }
        String rest = packageName.substring(root.length());
        if (rest.isEmpty()) {
            return "";
        }
        rest = rest.substring(1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    /** The root of the deliberately broken fixture classes. */
    static final class Fixtures {
        static final String ROOT = "dev.torii.gateway.architecture.fixture";

        private Fixtures() {}
    }
}
