import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { configuredReceivers, pruneReceivers, renderAlertmanagerConfig } from "../../components/monitoring";

const template = fs.readFileSync("monitoring/alertmanager/alertmanager.yaml.tmpl", "utf8");
const values = {
    STACK: "dev",
    SLACK_CRITICAL_CHANNEL: "#c",
    SLACK_WARNING_CHANNEL: "#w",
    EMAIL_TO: "ops@example.com",
    EMAIL_FROM: "am@example.com",
    SMTP_SMARTHOST: "smtp.example.com:587",
    SMTP_USERNAME: "am",
    DEADMANSSWITCH_URL: "https://hc-ping.example.com/x",
    RECEIVERS_DIR: "/etc/alertmanager/secrets/r",
};
type Cfg = { global: Record<string, unknown>; route: { routes: { receiver: string }[] }; receivers: { name: string }[] };
const render = () => renderAlertmanagerConfig(template, values) as Cfg;

describe("component: Monitoring alert routing (finding 13)", () => {
    it("with no receiver configured, only the null receiver exists and nothing routes anywhere else", () => {
        const cfg = pruneReceivers(render() as never, configuredReceivers({})) as unknown as Cfg;
        assert.deepEqual(
            cfg.receivers.map((r) => r.name),
            ["null"],
        );
        assert.ok(
            cfg.route.routes.every((r) => r.receiver === "null"),
            JSON.stringify(cfg.route.routes),
        );
        assert.deepEqual(Object.keys(cfg.global), ["resolve_timeout"], "no SMTP or Slack settings without their receivers");
    });

    it("each configured receiver, and only it, is kept with its routes", () => {
        const secret = pulumi.secret("x");
        const cfg = pruneReceivers(
            render() as never,
            configuredReceivers({ slackWebhookUrl: secret, deadMansSwitchUrl: "https://hc-ping.example.com/x" }),
        ) as unknown as Cfg;
        assert.deepEqual(cfg.receivers.map((r) => r.name).sort(), ["deadmansswitch", "null", "slack-critical", "slack-warning"]);
        assert.ok(cfg.route.routes.some((r) => r.receiver === "slack-critical"));
        assert.ok(!cfg.route.routes.some((r) => r.receiver === "pager" || r.receiver === "email-info"));
        assert.equal(cfg.global.slack_api_url_file, "/etc/alertmanager/secrets/r/slack-webhook-url");
        assert.ok(!("smtp_smarthost" in cfg.global));
    });

    it("every receiver of the template is one configuredReceivers() can turn on (no receiver that can never work)", () => {
        const all = configuredReceivers({
            slackWebhookUrl: pulumi.secret("x"),
            pagerDutyRoutingKey: pulumi.secret("y"),
            email: { to: "a@b.c" },
            deadMansSwitchUrl: "https://x",
        });
        for (const r of render().receivers) assert.ok(all.has(r.name), r.name);
    });
});
