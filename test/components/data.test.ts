import * as assert from "node:assert/strict";
import { Redis } from "../../components/data/redis";
import { KubernetesSecretSink } from "../../components/k8s/secrets";
import { runComponents } from "../../harness";
import { get, ofType } from "../helpers";
import { marker, provider } from "./fixtures";

const redisArgs = (persistence: boolean) => ({
    provider: provider(),
    namespace: "data",
    persistence,
    storageGiB: 2,
    storageClassName: "gp3",
    maxMemoryMb: 128,
    clientNamespaces: ["shop"],
    monitoringNamespace: "monitoring",
    monitoringCrds: marker("crds"),
    secretSink: new KubernetesSecretSink(),
    credentialsGeneration: 1,
});

describe("component: Redis", () => {
    it("without persistence: an emptyDir, no volume claim, AOF off", async () => {
        const r = await runComponents(() => new Redis("redis", redisArgs(false)));
        const [sts] = ofType(r, "kubernetes:apps/v1:StatefulSet");
        assert.equal(get(sts.inputs, "spec.volumeClaimTemplates"), undefined);
        assert.ok(get(sts.inputs, "spec.template.spec.volumes").some((v: { name: string; emptyDir?: unknown }) => v.name === "data" && v.emptyDir));
        const args: string[] = get(sts.inputs, "spec.template.spec.containers.0.args");
        assert.equal(args[args.indexOf("--appendonly") + 1], "no");
    });

    it("with persistence: a gp3 volume claim of the configured size, AOF on", async () => {
        const r = await runComponents(() => new Redis("redis", redisArgs(true)));
        const [sts] = ofType(r, "kubernetes:apps/v1:StatefulSet");
        assert.equal(get(sts.inputs, "spec.volumeClaimTemplates.0.spec.resources.requests.storage"), "2Gi");
        assert.equal(get(sts.inputs, "spec.volumeClaimTemplates.0.spec.storageClassName"), "gp3");
        const args: string[] = get(sts.inputs, "spec.template.spec.containers.0.args");
        assert.equal(args[args.indexOf("--appendonly") + 1], "yes");
    });
});
