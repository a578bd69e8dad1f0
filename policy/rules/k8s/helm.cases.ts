/** Cases of the rules in helm.ts: violating, compliant, not-applicable and unknown-value records for each. */
import type { RuleCases } from "../../test/cases";
import { c, releaseOf } from "../../test/fixtures";
import { U, deploy, k8s } from "../../test/helpers";

export const CASES: Record<string, RuleCases> = {
    "helm-release-pinned": {
        violating: [
            c(
                "no version, http repo",
                [releaseOf({ version: undefined, repositoryOpts: { repo: "http://charts.example.com" } })],
                [/No chart version/, /neither https/],
            ),
            c("range version", [releaseOf({ version: "^79.0.0" })], [/not an exact version/]),
            c("no repository", [releaseOf({ repositoryOpts: undefined, chart: "prometheus-community/kube-prometheus-stack" })], [/no repository/]),
            c("not allow-listed", [releaseOf({})], [/not allow-listed/], { allowedRepositories: ["oci://registry.example.com/**"] }),
        ],
        compliant: [
            c("https + exact", [releaseOf({})], 0),
            c("oci chart", [releaseOf({ chart: "oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack", repositoryOpts: undefined })], 0),
            c(
                "v4 chart",
                [k8s("kubernetes:helm.sh/v4:Chart", "c", { chart: "oci://registry-1.docker.io/bitnamicharts/redis", version: "20.1.0", namespace: "x" })],
                0,
            ),
        ],
        notApplicable: [c("deployment", [deploy()], 0)],
        naType: "kubernetes:apps/v1:Deployment",
        unknown: [c("version unknown", [releaseOf({ version: U.string })], 0)],
    },
    // ---- Kubernetes stack rules ----,
};
