/**
 * Writes the `config:` declarations of Pulumi.yaml from config/keys.ts (type, description) and
 * config/defaults.ts (a default where it is the same in every environment). Run after adding a
 * key (`npm run gen:pulumi-yaml`); a test fails while Pulumi.yaml is out of sync.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { CONFIG_KEYS, ENVIRONMENTS } from "../config/keys";
import { ENVIRONMENT_DEFAULTS } from "../config/defaults";

export function projectConfigDeclarations(): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
        const decl: Record<string, unknown> = { type: spec.kind, description: spec.description };
        if (spec.kind === "array") decl.items = { type: "string" };
        const values = ENVIRONMENTS.map((e) => (ENVIRONMENT_DEFAULTS[e] as unknown as Record<string, unknown>)[key]);
        const same = values.every((v) => JSON.stringify(v) === JSON.stringify(values[0]));
        if (values[0] !== undefined && same) decl.default = values[0];
        out[key] = decl;
    }
    return out;
}

if (require.main === module) {
    const file = path.join(__dirname, "..", "Pulumi.yaml");
    const doc = YAML.parse(fs.readFileSync(file, "utf8"));
    doc.config = projectConfigDeclarations();
    fs.writeFileSync(file, YAML.stringify(doc, { lineWidth: 0 }));
    console.log(`wrote ${Object.keys(doc.config).length} config declarations to Pulumi.yaml`);
}
