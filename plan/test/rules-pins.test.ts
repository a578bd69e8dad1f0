/**
 * The replacement rules were read at one provider version each: the version the program pins.
 * Every provider package the program depends on has a rules file, and an upgrade without
 * re-reading them fails here.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../harness";

const dir = path.join(REPO_ROOT, "plan", "replacement-rules");
const deps = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies;
const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => ({ f, doc: JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { package?: string; pinned?: string } }))
    .filter((x) => x.doc.package);

describe("change plan: replacement rules match the pinned providers", () => {
    for (const { f, doc } of files)
        it(`${f}: read at ${doc.package} ${doc.pinned}, the version package.json pins`, () => assert.equal(deps[doc.package!], doc.pinned));

    it("every provider package the program depends on has a rules file", () => {
        const providers = Object.keys(deps).filter((d) => d.startsWith("@pulumi/") && d !== "@pulumi/pulumi");
        assert.deepEqual(providers.sort(), files.map((x) => x.doc.package!).sort());
    });
});
