/**
 * Deliberately bad objects, each derived from a real object of the plan with one defect: the suite
 * must refuse every one of them, for the stated reason. They prove the checks have teeth: strict
 * field validation, Pod Security admission (enforce and warn), CRD schemas, and YAML 1.1 readers.
 */
import * as YAML from "yaml";
import { toYaml } from "../plan/manifests";
import type { K8sObject } from "./objects";

export interface Negative {
    id: string;
    what: string;
    file: string;
    text: string;
    /** What kubectl's output must say: the check fails for this reason, not another. */
    expect: RegExp;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function find(objects: K8sObject[], kind: string, pred: (o: K8sObject) => boolean = () => true): K8sObject {
    const o = objects.find((x) => x.kind === kind && pred(x));
    if (!o) throw new Error(`the plan has no ${kind} to derive a bad object from`);
    return o;
}

export function negatives(objects: K8sObject[]): Negative[] {
    const out: Negative[] = [];
    const deployment = find(objects, "Deployment", (o) => o.namespace === "shop");
    const ns = find(objects, "Namespace", (o) => o.name === deployment.namespace);
    if (ns.object.metadata?.labels?.["pod-security.kubernetes.io/enforce"] !== "restricted") throw new Error(`namespace ${ns.name} is not restricted`);

    {
        const o = clone(deployment.object);
        o.spec.replicaz = 2;
        out.push({
            id: "unknown-field",
            what: "a Deployment with an unknown field",
            file: "neg-unknown-field.yaml",
            text: toYaml(o),
            // Server-side apply refuses it while building the typed patch, before fieldValidation applies.
            expect: /\.spec\.replicaz: field not declared in schema/,
        });
    }
    {
        const o = clone(deployment.object);
        o.spec.template.spec.containers[0].securityContext = {
            ...o.spec.template.spec.containers[0].securityContext,
            privileged: true,
            allowPrivilegeEscalation: true,
        };
        out.push({
            id: "pod-security-warn",
            what: `a privileged Deployment in the restricted namespace ${ns.name} (Pod Security warns)`,
            file: "neg-pod-security-deployment.yaml",
            text: toYaml(o),
            expect: /would violate PodSecurity "restricted:latest"/,
        });
        const pod = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "conformance-privileged", namespace: ns.name, labels: o.spec.template.metadata?.labels },
            spec: o.spec.template.spec,
        };
        out.push({
            id: "pod-security-enforce",
            what: `a privileged Pod in the restricted namespace ${ns.name} (Pod Security refuses)`,
            file: "neg-pod-security-pod.yaml",
            text: toYaml(pod),
            expect: /violates PodSecurity "restricted:latest"/,
        });
    }
    {
        const o = clone(find(objects, "ServiceMonitor").object);
        o.spec.endpoints[0].scheme = "gopher";
        out.push({
            id: "crd-schema-servicemonitor",
            what: "a ServiceMonitor with an endpoint scheme outside its enum",
            file: "neg-servicemonitor.yaml",
            text: toYaml(o),
            expect: /spec\.endpoints\[0\]\.scheme: Unsupported value: "gopher"/,
        });
    }
    {
        const o = clone(find(objects, "NodePool").object);
        o.spec.disruption = { ...o.spec.disruption, consolidationPolicy: "Sometimes" };
        out.push({
            id: "crd-schema-nodepool",
            what: "a NodePool with a consolidationPolicy outside its enum",
            file: "neg-nodepool.yaml",
            text: toYaml(o),
            expect: /consolidationPolicy: Unsupported value: "Sometimes"/,
        });
    }
    const es = objects.find((x) => x.kind === "ExternalSecret");
    if (es) {
        const o = clone(es.object);
        o.spec.target = { ...o.spec.target, creationPolicy: "Sometimes" };
        out.push({
            id: "crd-schema-externalsecret",
            what: "an ExternalSecret with a creationPolicy outside its enum",
            file: "neg-externalsecret.yaml",
            text: toYaml(o),
            expect: /creationPolicy: Unsupported value: "Sometimes"/,
        });
    }
    {
        // A CloudNativePG Cluster with no instances (the CRD says minimum 1): the plan's own when it has one.
        const plan = objects.find((x) => x.group === "postgresql.cnpg.io" && x.kind === "Cluster");
        const o = plan
            ? clone(plan.object)
            : {
                  apiVersion: "postgresql.cnpg.io/v1",
                  kind: "Cluster",
                  metadata: { name: "conformance", namespace: ns.name },
                  spec: { storage: { size: "1Gi" } },
              };
        o.spec.instances = 0;
        out.push({
            id: "crd-schema-cnpg-cluster",
            what: `a CloudNativePG Cluster with 0 instances${plan ? "" : " (no Cluster in this plan: a minimal one)"}`,
            file: "neg-cnpg-cluster.yaml",
            text: toYaml(o),
            expect: /spec\.instances: Invalid value: 0: spec\.instances in body should be greater than or equal to 1/,
        });
    }
    {
        // The bug this suite was built for: Redis' `--appendonly yes` written plainly reads as `true` in YAML 1.1.
        const redis = find(objects, "StatefulSet", (o) => o.name === "redis");
        const unquoted = redis.text.replace(/^(\s*- )"(yes|no)"$/gm, "$1$2");
        if (unquoted === redis.text) throw new Error("the Redis StatefulSet has no quoted yes/no argument any more: update this negative test");
        // The plain `yes`/`no` really are booleans to a YAML 1.1 reader (and strings to a 1.2 one).
        const args11 = (YAML.parse(unquoted, { version: "1.1" }) as any).spec.template.spec.containers[0].args as unknown[];
        if (!args11.some((a) => typeof a === "boolean")) throw new Error("unquoting did not produce a YAML 1.1 boolean");
        out.push({
            id: "yaml-1.1-boolean",
            what: "the Redis StatefulSet with --appendonly's value unquoted (YAML 1.1 reads a boolean)",
            file: "neg-redis-yaml11.yaml",
            text: unquoted,
            expect: /\.args\[\d+\]: expected string, got/,
        });
    }
    return out;
}
