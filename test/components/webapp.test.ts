import * as assert from "node:assert/strict";
import { WebApp } from "../../components/apps";
import { runComponents } from "../../harness";
import { get, ofType } from "../helpers";
import { marker, webAppArgs } from "./fixtures";

describe("component: WebApp", () => {
    it("one replica: a Deployment, Service, HPA and ServiceMonitor, but no PDB (it would block node drains)", async () => {
        const r = await runComponents(() => new WebApp("app", webAppArgs()));
        for (const t of ["apps/v1:Deployment", "core/v1:Service", "autoscaling/v2:HorizontalPodAutoscaler", "monitoring.coreos.com/v1:ServiceMonitor"])
            assert.equal(ofType(r, `kubernetes:${t}`).length, 1, t);
        assert.equal(ofType(r, "kubernetes:policy/v1:PodDisruptionBudget").length, 0);
    });

    it("two replicas (or an HPA minimum of two): a PDB allowing one voluntary disruption", async () => {
        const r = await runComponents(() => new WebApp("app", webAppArgs({ replicas: 2, minReplicas: 2, maxReplicas: 4 })));
        const [pdb] = ofType(r, "kubernetes:policy/v1:PodDisruptionBudget");
        assert.equal(get(pdb.inputs, "spec.minAvailable"), 1);
        assert.equal(get(pdb.inputs, "spec.unhealthyPodEvictionPolicy"), "AlwaysAllow", "a crash-looping pod must not block node drains");
    });

    it("a pre-deploy command runs as a Job before the Deployment, named after the image digest", async () => {
        const r = await runComponents(() => new WebApp("app", webAppArgs({ preDeployCommand: ["/app/run", "migrate"] })));
        const [job] = ofType(r, "kubernetes:batch/v1:Job");
        const [deployment] = ofType(r, "kubernetes:apps/v1:Deployment");
        assert.match(get(job.inputs, "metadata.name"), /^app-migrate-0123456789-[0-9a-f]{6}$/);
        assert.ok(deployment.dependencies.includes(job.urn), "the Deployment must wait for the Job");
        assert.notEqual(
            get(job.inputs, "spec.template.metadata.labels")["app.kubernetes.io/instance"],
            "app",
            "a migration must never receive Service traffic",
        );
    });

    it("no ingress: no Ingress and no VPC peer in the NetworkPolicy; with one: the route's class and annotations, the VPC admitted", async () => {
        const none = await runComponents(() => new WebApp("app", webAppArgs()));
        assert.equal(ofType(none, "kubernetes:networking.k8s.io/v1:Ingress").length, 0);
        const withIngress = await runComponents(
            () =>
                new WebApp(
                    "app",
                    webAppArgs({
                        ingress: {
                            host: "shop.example.com",
                            path: "/",
                            className: "alb",
                            annotations: { a: "b" },
                            vpcCidr: "10.9.0.0/16",
                            controller: marker("lbc"),
                        },
                    }),
                ),
        );
        const [ingress] = ofType(withIngress, "kubernetes:networking.k8s.io/v1:Ingress");
        assert.equal(get(ingress.inputs, "spec.ingressClassName"), "alb");
        assert.deepEqual(get(ingress.inputs, "metadata.annotations"), { a: "b" });
        const [policy] = ofType(withIngress, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        assert.deepEqual(get(policy.inputs, "spec.ingress.0.from.1"), { ipBlock: { cidr: "10.9.0.0/16" } });
    });

    it("a config change is a new ConfigMap (new name, so created before the old one goes) that rolls the app and re-runs its Job (finding 8)", async () => {
        const build = (level: string) =>
            runComponents(() => new WebApp("app", webAppArgs({ config: { LOG_LEVEL: level }, preDeployCommand: ["/app/run", "migrate"] })));
        const [a, b] = [await build("info"), await build("debug")];
        const cm = (r: typeof a) => get(ofType(r, "kubernetes:core/v1:ConfigMap")[0].inputs, "metadata.name");
        const ref = (r: typeof a) => get(ofType(r, "kubernetes:apps/v1:Deployment")[0].inputs, "spec.template.spec.containers.0.envFrom.0.configMapRef.name");
        const job = (r: typeof a) => get(ofType(r, "kubernetes:batch/v1:Job")[0].inputs, "metadata.name");
        assert.match(cm(a), /^app-config-[0-9a-f]{10}$/);
        assert.notEqual(cm(b), cm(a));
        assert.equal(ref(a), cm(a));
        assert.equal(ref(b), cm(b));
        assert.notEqual(job(b), job(a), "the Job reads the config too: a new name, never a delete-then-create of the same one");
    });

    it("refuses a secret-looking config key and credentials embedded in a URL", () => {
        assert.throws(() => new WebApp("bad", webAppArgs({ config: { API_TOKEN: "x" } })), /looks like a secret/);
        assert.throws(() => new WebApp("bad2", webAppArgs({ config: { URL: "postgresql://u:p@h/db" } })), /embeds credentials/);
    });
});
