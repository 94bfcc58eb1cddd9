package dev.kval.reports.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;

/**
 * Validates documents against KCIDB's I/O JSON schema v4.5 ({@code kcidb/kcidb-io-v04_05.schema.json}, origin in
 * {@code kcidb/ORIGIN.md}), draft-07 with format checks (uri, date-time), as kcidb-io validates.
 */
public final class KcidbSchema {
    public static final String RESOURCE = "/dev/kval/reports/kcidb/kcidb-io-v04_05.schema.json";
    private static final JsonSchema SCHEMA = load();

    private KcidbSchema() {
    }

    /** Problems, each "where: what" (JSON path and the rule it breaks); empty when the document is valid. */
    public static List<String> validate(JsonNode doc) {
        return SCHEMA.validate(doc).stream().sorted(Comparator.comparing(ValidationMessage::getMessage))
                .map(m -> m.getInstanceLocation() + ": " + m.getMessage()).toList();
    }

    private static JsonSchema load() {
        try (InputStream in = KcidbSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("KCIDB schema " + RESOURCE + " missing from the kval-reports jar");
            }
            SchemaValidatorsConfig cfg = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
            // kcidb-io's schema keeps its definitions under "$defs" (a 2019-09 name) while validating as draft-07: declare
            // it so the validator knows it is a container of subschemas, not an unknown keyword
            JsonMetaSchema meta = JsonMetaSchema.builder(JsonMetaSchema.getV7()).keyword(new NonValidationKeyword("$defs")).build();
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7, b -> b.metaSchema(meta)).getSchema(in, cfg);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
