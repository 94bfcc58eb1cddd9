package dev.kval.store;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.resource.LoadableResource;

/**
 * The store's migrations, listed by name in {@code db/migration/migrations.txt} and loaded as class-path resources.
 * Flyway's own class-path scanning lists directories, which not every class loader can (Quarkus' packaged
 * application's cannot); reading a list works under any of them.
 */
final class MigrationResources implements ResourceProvider {
    static final String DIR = "db/migration/";
    private final List<String> names;

    MigrationResources() {
        try (InputStream in = resource(DIR + "migrations.txt")) {
            names = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (java.io.IOException e) {
            throw new UncheckedIOException("reading " + DIR + "migrations.txt", e);
        }
    }

    static InputStream resource(String path) {
        InputStream in = MigrationResources.class.getClassLoader().getResourceAsStream(path);
        if (in == null) {
            throw new IllegalStateException(path + " is missing from kval-store's class path (a broken build?)");
        }
        return in;
    }

    List<String> names() {
        return names;
    }

    @Override
    public LoadableResource getResource(String name) {
        String file = name.substring(name.lastIndexOf('/') + 1);
        return names.contains(file) ? new Migration(file) : null;
    }

    @Override
    public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
        return names.stream().filter(n -> n.startsWith(prefix) && Arrays.stream(suffixes).anyMatch(n::endsWith))
                .<LoadableResource>map(Migration::new).toList();
    }

    private static final class Migration extends LoadableResource {
        private final String file;

        Migration(String file) {
            this.file = file;
        }

        @Override
        public Reader read() {
            return new InputStreamReader(resource(DIR + file), StandardCharsets.UTF_8);
        }

        @Override
        public String getAbsolutePath() {
            return DIR + file;
        }

        @Override
        public String getAbsolutePathOnDisk() {
            return DIR + file;
        }

        @Override
        public String getFilename() {
            return file;
        }

        @Override
        public String getRelativePath() {
            return file;
        }
    }
}
