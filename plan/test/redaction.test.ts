import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ResourcesFile } from "../../harness";
import { planJson, renderPlanText } from "../cli";
import { writePlan } from "../write";
import { filesUnder, planWith } from "./helpers";

describe("plan: redaction and resources.json", () => {
    it("no secure placeholder (nor the mocked ECR token) appears in the printout or anywhere under the out dir", async () => {
        const plan = await planWith("dev", { configOverrides: { alertSlackWebhookUrl: { secure: "v1:x" } } });
        const secrets = Object.values(plan.placeholders);
        assert.ok(
            secrets.some((s) => s.includes("hooks.slack.com")),
            "the secure override became a placeholder",
        );
        secrets.push("offline-ecr-token-never-printed");
        // RandomPassword results the mocks generate for the secrets the program creates
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-redaction-"));
        const written = writePlan(plan, dir);
        const outputs = [renderPlanText(plan, written), JSON.stringify(planJson(plan, written)), ...filesUnder(dir).map((f) => fs.readFileSync(f, "utf8"))];
        assert.ok(filesUnder(dir).length > 3);
        for (const s of secrets) for (const o of outputs) assert.ok(!o.includes(s), `secret value ${s} leaked`);
        assert.ok(!outputs.some((o) => /offline-[0-9a-f]{24}/.test(o)), "a mocked RandomPassword result leaked");
        // the secrets are there, in redacted form
        assert.ok(fs.readFileSync(path.join(dir, "resources.json"), "utf8").includes('"ciphertext": "[redacted]"'));
    });

    it("resources.json is exactly the ResourcesFile format", async () => {
        const plan = await planWith("staging", {});
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-resources-"));
        writePlan(plan, dir);
        const file = JSON.parse(fs.readFileSync(path.join(dir, "resources.json"), "utf8")) as ResourcesFile;
        assert.deepEqual(Object.keys(file).sort(), ["format", "project", "resources", "stack"]);
        assert.equal(file.format, "shop-platform/resources@1");
        assert.equal(file.project, "shop-platform");
        assert.equal(file.stack, "staging");
        assert.deepEqual(file.resources, JSON.parse(JSON.stringify(plan.resources)));
        for (const r of file.resources)
            assert.deepEqual(Object.keys(r).sort(), [
                "custom",
                "dependencies",
                "inputs",
                "name",
                "options",
                "parent",
                "protect",
                "provider",
                "remote",
                "type",
                "urn",
            ]);
    });
});
