package dev.kval.kernel.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fragment setting that olddefconfig dropped fails the build by name; a later fragment overrides an earlier one. */
class FragmentCheckTest {

    @Test
    void droppedSettingIsNamedWithItsFragment(@TempDir Path tmp) throws IOException {
        Path a = Files.writeString(tmp.resolve("a.config"), "CONFIG_KVM=y\nCONFIG_HWPOISON_INJECT=y\n# CONFIG_WERROR is not set\n");
        Path cfg = Files.writeString(tmp.resolve(".config"), "CONFIG_KVM=y\n# CONFIG_HWPOISON_INJECT is not set\nCONFIG_WERROR=y\n");
        List<String> bad = FragmentCheck.missing(List.of(a), cfg);
        assertEquals(List.of("CONFIG_HWPOISON_INJECT=y (from a.config) ended as not set", "CONFIG_WERROR=n (from a.config) ended as y"), bad);
        IOException e = assertThrows(IOException.class, () -> FragmentCheck.requireSurvived(List.of(a), cfg));
        assertTrue(e.getMessage().contains("CONFIG_HWPOISON_INJECT"), e.getMessage());
    }

    @Test
    void laterFragmentWinsAndMatchingConfigPasses(@TempDir Path tmp) throws IOException {
        Path a = Files.writeString(tmp.resolve("a.config"), "CONFIG_NR_CPUS=64\nCONFIG_DEBUG_FS=y\n");
        Path b = Files.writeString(tmp.resolve("b.config"), "CONFIG_NR_CPUS=8\n# CONFIG_DEBUG_FS is not set\n");
        Path cfg = Files.writeString(tmp.resolve(".config"), "CONFIG_NR_CPUS=8\n# CONFIG_DEBUG_FS is not set\n");
        FragmentCheck.requireSurvived(List.of(a, b), cfg);
        assertEquals(List.of(), FragmentCheck.missing(List.of(a, b), cfg));
    }

    @Test
    void theRepositoryFragmentsForCiSurviveOnLinux73() throws IOException {
        // the real check runs in every build (KernelBuilder); here only that the fragments parse to what they say
        Path repo = Path.of(System.getProperty("kval.repo", "../../.."));
        Path host = repo.resolve("infra/kernel-configs/qemu-kvm-host.config");
        var want = FragmentCheck.wanted(List.of(host));
        assertEquals("y", want.get("CONFIG_KVM")[0]);
        assertEquals("n", want.get("CONFIG_MODULES")[0]);
        assertTrue(want.size() > 60, "qemu-kvm-host.config lists " + want.size() + " settings");
    }
}
