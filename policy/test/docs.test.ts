import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { DOCS_FILE, README_FILE, renderDocs, renderReadme } from "../gen-docs";
import { POLICY_FACTORIES } from "../rules";

describe("docs/policies.md", () => {
    it("the README's policy table is in sync with the pack (regenerate: node --import tsx policy/gen-docs.ts)", () => {
        const readme = fs.readFileSync(README_FILE, "utf8");
        assert.equal(readme, renderReadme(readme));
        assert.ok(readme.includes("| `aws-required-tags` |"));
    });

    it("is in sync with the pack (regenerate: node --import tsx policy/gen-docs.ts)", () => {
        assert.ok(fs.existsSync(DOCS_FILE), "docs/policies.md missing");
        assert.equal(fs.readFileSync(DOCS_FILE, "utf8"), renderDocs());
    });
    it("lists every policy with its env levels", () => {
        const text = renderDocs();
        for (const f of POLICY_FACTORIES) assert.match(text, new RegExp(`^\\| \`${f.meta.name}\` \\|`, "m"));
        assert.match(text, /\| `k8s-pdb` \| stack \|.*\| mandatory \| disabled \| mandatory \| mandatory \|/);
    });
});
