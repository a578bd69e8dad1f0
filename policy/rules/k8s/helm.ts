import { minimatch } from "minimatch";
import { resourceRule } from "../../lib/policy";
import { asObject, peek, UNKNOWN } from "../../lib/values";

const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export const helmReleasePinned = resourceRule({
    name: "helm-release-pinned",
    description: "Helm releases must pin an exact chart version and pull from an https:// or oci:// repository (optionally allow-listed).",
    why: "A floating chart version or an http repository lets a re-run of `pulumi up` install different code than the preview showed.",
    defaultLevel: "mandatory",
    types: ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Chart"],
    params: {
        allowedRepositories: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "When non-empty, globs the repository URL (or oci:// chart) must match.",
        },
    },
    check: (props, _args, report, cfg) => {
        const version = peek(() => props.version);
        if (version !== UNKNOWN) {
            if (typeof version !== "string" || version === "") report("No chart version: the latest chart is installed on every update.");
            else if (!EXACT_VERSION.test(version)) report(`Chart version '${version}' is not an exact version.`);
        }
        const chart = peek(() => props.chart);
        const repo = peek(() => asObject(props.repositoryOpts)?.repo ?? props.repo);
        if (chart === UNKNOWN || repo === UNKNOWN) return;
        const source = typeof chart === "string" && chart.startsWith("oci://") ? chart : typeof repo === "string" && repo !== "" ? repo : undefined;
        if (source === undefined) {
            if (typeof chart === "string" && (chart.startsWith("./") || chart.startsWith("/") || chart.startsWith("../"))) return; // vendored local chart
            report(`Chart '${String(chart)}' has no repository (repositoryOpts.repo or an oci:// chart).`);
            return;
        }
        if (!/^(https|oci):\/\//.test(source)) report(`Repository ${source} is neither https:// nor oci://.`);
        const allowed = cfg.allowedRepositories as string[];
        if (allowed.length && !allowed.some((g) => minimatch(source, g))) report(`Repository ${source} is not allow-listed.`);
    },
});
