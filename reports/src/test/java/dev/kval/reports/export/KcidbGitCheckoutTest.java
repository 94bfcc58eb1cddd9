package dev.kval.reports.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kval.reports.RunDir;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A git: kernel's identity (summary.json's kernel packages) becomes the KCIDB checkout's repository, branch and commit. */
class KcidbGitCheckoutTest {
    static ObjectNode packages(String url) {
        return RunDir.JSON.createObjectNode().put("git.url", url).put("git.ref", "kvm-next").put("git.branch", "kvm-next")
                .put("git.commit", "cab4a6be2c761393fe40dc77eaf7a6fe32b4101f").put("git.subject", "KVM: guest_memfd: a change");
    }

    @Test
    void httpsRepositoryGoesToTheCheckoutAndValidates() {
        ObjectNode d = KcidbSchemaTest.minimal();
        ObjectNode c = (ObjectNode) d.path("checkouts").get(0);
        KcidbExport.gitCheckout(c, c.putObject("misc"), packages("https://git.kernel.org/pub/scm/virt/kvm/kvm.git"), "7.3.4");
        assertEquals("cab4a6be2c761393fe40dc77eaf7a6fe32b4101f", c.path("git_commit_hash").asText());
        assertEquals("kvm-next", c.path("git_repository_branch").asText());
        assertEquals("https://git.kernel.org/pub/scm/virt/kvm/kvm.git", c.path("git_repository_url").asText());
        assertEquals("kvm", c.path("tree_name").asText());
        assertTrue(c.path("comment").asText().contains("KVM: guest_memfd: a change"));
        assertEquals(List.of(), KcidbSchema.validate(d));
    }

    /** KCIDB's schema takes only https:// and git:// URLs: a local repository's path goes to misc (the schema would reject it). */
    @Test
    void localRepositoryPathStaysOutOfTheUrlField() {
        ObjectNode d = KcidbSchemaTest.minimal();
        ObjectNode c = (ObjectNode) d.path("checkouts").get(0);
        KcidbExport.gitCheckout(c, c.putObject("misc"), packages("/srv/git/linux.git"), "7.3.4");
        assertFalse(c.has("git_repository_url"));
        assertEquals("/srv/git/linux.git", c.path("misc").path("git_repository_url").asText());
        assertEquals(List.of(), KcidbSchema.validate(d));
        // negative control: the same path in the URL field is what the schema rejects
        c.put("git_repository_url", "/srv/git/linux.git");
        assertFalse(KcidbSchema.validate(d).isEmpty());
    }

    @Test
    void kernelsWithoutACommitAreLeftAlone() {
        ObjectNode c = RunDir.JSON.createObjectNode();
        KcidbExport.gitCheckout(c, c.putObject("misc"), RunDir.JSON.createObjectNode(), "7.3.4");
        assertFalse(c.has("git_commit_hash"));
    }
}
