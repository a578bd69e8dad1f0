import * as assert from "node:assert/strict";
import { Redis } from "../../components/data/redis";
import { statefulPlacement } from "../../components/k8s";
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
    placement: statefulPlacement({ "shop.platform/node-group": "system" }),
});

describe("component: Redis", () => {
    it("runs only on nodes that are never consolidated or interrupted (finding 10)", async () => {
        const r = await runComponents(() => new Redis("redis", redisArgs(true)));
        const [sts] = ofType(r, "kubernetes:apps/v1:StatefulSet");
        assert.deepEqual(get(sts.inputs, "spec.template.spec.nodeSelector"), { "shop.platform/node-group": "system" });
        assert.equal(get(sts.inputs, "spec.template.metadata.annotations")["karpenter.sh/do-not-disrupt"], "true");
    });

    it("its AUTH Secret is content-addressed: a new password is a new Secret, and the pod template follows it (finding 8)", async () => {
        const one = await runComponents(() => new Redis("redis", redisArgs(true)));
        const two = await runComponents(() => new Redis("redis", { ...redisArgs(true), credentialsGeneration: 2 }));
        const secretName = (r: typeof one) => get(ofType(r, "kubernetes:core/v1:Secret")[0].inputs, "metadata.name");
        const mounted = (r: typeof one) =>
            get(ofType(r, "kubernetes:apps/v1:StatefulSet")[0].inputs, "spec.template.spec.volumes").find((v: { name: string }) => v.name === "auth").secret
                .secretName;
        assert.match(secretName(one), /^redis-auth-[0-9a-f]{10}$/);
        assert.notEqual(secretName(two), secretName(one));
        assert.equal(mounted(one), secretName(one));
        assert.equal(mounted(two), secretName(two));
    });

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
