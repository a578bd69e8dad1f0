/** `${Name}` placeholders of a published document (IAM policy, Alertmanager config) filled per stack. */
export function fillTemplate(template: string, values: Record<string, string>, what = "template"): string {
    return template.replace(/\$\{(\w+)\}/g, (_, key: string) => {
        if (!(key in values)) throw new Error(`${what}: no value for \${${key}}`);
        return values[key];
    });
}
