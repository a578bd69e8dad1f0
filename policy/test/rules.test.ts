import { strict as assert } from "node:assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { POLICY_FACTORIES } from "../rules";
import { CASES, type Case } from "./cases";
import { callResource, run } from "./helpers";

function check(policy: string, k: Case): void {
    const vs = run(policy, k.records, k.params ?? {});
    for (const v of vs) assert.equal(v.policyName, policy);
    const msgs = vs.map((v) => v.message);
    if (typeof k.expect === "number") {
        assert.equal(vs.length, k.expect, `expected ${k.expect} violation(s), got ${vs.length}: ${JSON.stringify(msgs, null, 1)}`);
    } else {
        assert.equal(vs.length, k.expect.length, `expected ${k.expect.length} violation(s), got: ${JSON.stringify(msgs, null, 1)}`);
        // order-independent: each regex must match a distinct message
        const left = [...msgs];
        for (const re of k.expect) {
            const i = left.findIndex((m) => re.test(m));
            assert.ok(i >= 0, `no violation matches ${re}: ${JSON.stringify(msgs)}`);
            left.splice(i, 1);
        }
    }
}

describe("rules (table-driven: policy/test/cases.ts)", () => {
    it("the cases table covers every policy of the pack, each with violating, compliant, not-applicable and unknown cases", () => {
        const names = POLICY_FACTORIES.map((f) => f.meta.name).sort();
        assert.deepEqual(Object.keys(CASES).sort(), names);
        for (const n of names) {
            const rc = CASES[n];
            for (const k of ["violating", "compliant", "notApplicable", "unknown"] as const) assert.ok(rc[k].length > 0, `${n}: no ${k} case`);
            assert.ok(
                rc.violating.every((k) => k.expect !== 0),
                `${n}: a violating case expects no violation`,
            );
            if (POLICY_FACTORIES.find((f) => f.meta.name === n)!.meta.kind === "resource")
                assert.ok(rc.naType, `${n}: no naType for the direct notApplicable check`);
        }
    });

    for (const f of POLICY_FACTORIES) {
        const name = f.meta.name;
        const rc = CASES[name];
        if (!rc) continue;
        describe(name, () => {
            for (const k of rc.violating) it(`violating: ${k.name}`, () => check(name, k));
            for (const k of rc.compliant) it(`compliant: ${k.name}`, () => check(name, k));
            for (const k of rc.notApplicable) it(`not applicable: ${k.name}`, () => check(name, k));
            for (const k of rc.unknown) it(`unknown/opaque: ${k.name}`, () => check(name, k));
            if (f.meta.kind === "resource" && rc.naType) {
                it(`raises notApplicable for ${rc.naType}`, () => {
                    assert.equal(callResource(f() as ResourceValidationPolicy, rc.naType!, {}), "na");
                });
            }
            it("is silenced by an exemption on the violating resources", () => {
                const k = rc.violating[0];
                const names = k.records.map((r) => r.name);
                assert.deepEqual(run(name, k.records, { ...(k.params ?? {}), exemptions: names }), []);
            });
            it("reports at the configured level (advisory)", () => {
                const k = rc.violating[0];
                const vs = run(name, k.records, k.params ?? {}, "advisory");
                assert.ok(vs.length > 0);
                assert.ok(vs.every((v) => v.enforcementLevel === "advisory"));
            });
        });
    }
});
