import { strict as assert } from "node:assert";
import * as policy from "@pulumi/policy";
import { isOpaque, isSecret, isUnknown, peek, secretsToUnknown, UNKNOWN, UNKNOWN_SENTINELS } from "../lib/values";
import { isExempt } from "../lib/policy";
import { parseImage } from "../lib/images";
import { evaluate, providerUrnOf, sortViolations } from "../evaluate";
import { SECRET } from "./helpers";

describe("values: unknowns and secrets", () => {
    it("our sentinels are exactly @pulumi/policy's (internal proxy module)", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const proxy = require("@pulumi/policy/proxy") as Record<string, unknown>;
        assert.equal(UNKNOWN_SENTINELS.boolean, proxy.unknownBooleanValue);
        assert.equal(UNKNOWN_SENTINELS.number, proxy.unknownNumberValue);
        assert.equal(UNKNOWN_SENTINELS.string, proxy.unknownStringValue);
        assert.equal(UNKNOWN_SENTINELS.array, proxy.unknownArrayValue);
        assert.equal(UNKNOWN_SENTINELS.asset, proxy.unknownAssetValue);
        assert.equal(UNKNOWN_SENTINELS.archive, proxy.unknownArchiveValue);
        assert.equal(UNKNOWN_SENTINELS.object, proxy.unknownObjectValue);
    });

    it("isUnknown / isSecret / isOpaque", () => {
        assert.ok(isUnknown(UNKNOWN_SENTINELS.string));
        assert.ok(isUnknown(UNKNOWN));
        assert.ok(!isUnknown(undefined));
        assert.ok(!isUnknown("x"));
        assert.ok(isSecret(SECRET));
        assert.ok(!isSecret({ ciphertext: "x" }));
        assert.ok(isOpaque(SECRET) && isOpaque(UNKNOWN_SENTINELS.object) && !isOpaque(null));
    });

    it("peek turns an UnknownValueError from the engine's proxy into UNKNOWN", () => {
        const props = policy.unknownCheckingProxy({ a: { b: UNKNOWN_SENTINELS.string }, c: 1 });
        assert.throws(() => props.a.b, policy.UnknownValueError);
        assert.equal(
            peek(() => props.a.b),
            UNKNOWN,
        );
        assert.equal(
            peek(() => props.c),
            1,
        );
        assert.equal(
            peek(() => props.missing),
            undefined,
        );
    });

    it("secretsToUnknown replaces secrets deeply and drops undefined", () => {
        assert.deepEqual(secretsToUnknown({ a: [SECRET, 1], b: { c: SECRET }, d: undefined }), {
            a: [UNKNOWN_SENTINELS.object, 1],
            b: { c: UNKNOWN_SENTINELS.object },
        });
    });

    it("a rule reading an unknown value at preview reports nothing and does not throw", () => {
        const r = {
            urn: "urn:pulumi:t::p::aws:ecr/repository:Repository::r",
            type: "aws:ecr/repository:Repository",
            name: "r",
            custom: true,
            remote: false,
            parent: "",
            provider: "",
            dependencies: [],
            protect: false,
            inputs: { imageTagMutability: UNKNOWN_SENTINELS.string, imageScanningConfiguration: UNKNOWN_SENTINELS.object },
        };
        const vs = evaluate([r], { all: "disabled", "ecr-immutable-tags": "mandatory", "ecr-scan-on-push": "mandatory" });
        assert.deepEqual(vs, []);
    });
});

describe("helpers", () => {
    it("providerUrnOf cuts the id after the last ::", () => {
        assert.equal(
            providerUrnOf("urn:pulumi:dev::shop::pulumi:providers:aws::default_7_48_0::04da6b54-80e4"),
            "urn:pulumi:dev::shop::pulumi:providers:aws::default_7_48_0",
        );
    });
    it("isExempt matches name or URN globs, * crossing /", () => {
        const urn = "urn:pulumi:dev::shop::shop:data:Postgres$kubernetes:apps/v1:StatefulSet::postgres";
        assert.ok(isExempt(["postgres"], "postgres", urn));
        assert.ok(isExempt(["pg*", "post*"], "postgres", urn));
        assert.ok(isExempt(["*StatefulSet::postgres"], "postgres", urn));
        assert.ok(!isExempt(["redis"], "postgres", urn));
        assert.ok(!isExempt([], "postgres", urn));
        assert.ok(!isExempt(["!postgres"], "other", urn)); // no negation semantics
    });
    it("parseImage normalizes Docker Hub and keeps registry ports apart from tags", () => {
        assert.equal(parseImage("postgres:16").normalized, "docker.io/library/postgres:16");
        assert.equal(parseImage("bitnami/redis").normalized, "docker.io/bitnami/redis");
        const r = parseImage("registry.local:5000/app");
        assert.equal(r.registry, "registry.local:5000");
        assert.equal(r.tag, undefined);
        const d = parseImage("1.dkr.ecr.us-east-1.amazonaws.com/a:1@sha256:ff");
        assert.equal(d.tag, "1");
        assert.equal(d.digest, "sha256:ff");
    });
    it("sortViolations: mandatory first, then name/urn/message, duplicates dropped, stable", () => {
        const v = (l: "mandatory" | "advisory", p: string, u: string, m = "m") => ({ enforcementLevel: l, policyName: p, urn: u, message: m });
        const out = sortViolations([v("advisory", "a", "u1"), v("mandatory", "z", "u2"), v("mandatory", "b", "u3"), v("mandatory", "b", "u3")]);
        assert.deepEqual(
            out.map((x) => x.policyName),
            ["b", "z", "a"],
        );
    });
});
