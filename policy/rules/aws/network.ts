import { strings, WORLD_CIDRS } from "../../lib/aws";
import { resourceRule } from "../../lib/policy";
import { asArray, asObject } from "../../lib/values";

interface Ingress {
    protocol: string;
    from: number;
    to: number;
    cidrs: string[];
}

const ALWAYS_FORBIDDEN = [22, 3389];

function ingressRules(type: string, props: Record<string, any>): Ingress[] {
    const num = (v: unknown, d: number) => (typeof v === "number" ? v : d);
    switch (type) {
        case "aws:ec2/securityGroup:SecurityGroup":
            return asArray(props.ingress).map((r: any) => ({
                protocol: String(r?.protocol ?? "tcp"),
                from: num(r?.fromPort, 0),
                to: num(r?.toPort, 65535),
                cidrs: [...strings(r?.cidrBlocks), ...strings(r?.ipv6CidrBlocks)],
            }));
        case "aws:ec2/securityGroupRule:SecurityGroupRule":
            if (props.type !== "ingress") return [];
            return [
                {
                    protocol: String(props.protocol ?? "tcp"),
                    from: num(props.fromPort, 0),
                    to: num(props.toPort, 65535),
                    cidrs: [...strings(props.cidrBlocks), ...strings(props.ipv6CidrBlocks)],
                },
            ];
        case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
            return [
                {
                    protocol: String(props.ipProtocol ?? "-1"),
                    from: num(props.fromPort, 0),
                    to: num(props.toPort, 65535),
                    cidrs: [...strings(props.cidrIpv4), ...strings(props.cidrIpv6)],
                },
            ];
        default:
            return [];
    }
}

export const sgNoWorldIngress = resourceRule({
    name: "sg-no-world-ingress",
    description: "Security groups must not allow ingress from 0.0.0.0/0 or ::/0 except to allow-listed ports; SSH, RDP and all-ports are always forbidden.",
    why: "An ingress rule from 0.0.0.0/0 exposes the port to every scanner on the internet.",
    defaultLevel: "mandatory",
    types: ["aws:ec2/securityGroup:SecurityGroup", "aws:ec2/securityGroupRule:SecurityGroupRule", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"],
    params: {
        allowedPorts: {
            type: "array",
            items: { type: "integer", minimum: 0, maximum: 65535 },
            default: [80, 443],
            description: "Ports that may be open to the world (e.g. a public load balancer).",
        },
    },
    check: (props, args, report, cfg) => {
        const allowed = cfg.allowedPorts as number[];
        for (const r of ingressRules(args.type, props)) {
            const world = r.cidrs.filter((c) => WORLD_CIDRS.has(c));
            if (!world.length) continue;
            const allPorts = r.protocol === "-1" || r.protocol === "all" || (r.from <= 0 && r.to >= 65535);
            const range = r.from === r.to ? `port ${r.from}` : `ports ${r.from}-${r.to}`;
            if (allPorts) report(`Ingress from ${world.join(", ")} on all ports.`);
            else if (ALWAYS_FORBIDDEN.some((p) => p >= r.from && p <= r.to)) report(`Ingress from ${world.join(", ")} on ${range} includes SSH/RDP.`);
            else {
                for (let p = r.from; p <= r.to; p++) {
                    if (!allowed.includes(p)) {
                        report(`Ingress from ${world.join(", ")} on ${range} is not allow-listed (allowed: ${allowed.join(", ") || "none"}).`);
                        break;
                    }
                }
            }
        }
    },
});

/** HA NAT (dev runs a single NAT to save cost). */
export const vpcNatPerAz = resourceRule({
    name: "vpc-nat-per-az",
    description: "VPCs must run one NAT gateway per availability zone so one zone's outage does not cut the others' egress.",
    why: "One NAT gateway is a single point of failure: when its zone fails, every private subnet loses egress.",
    defaultLevel: "mandatory",
    types: ["awsx:ec2:Vpc"],
    check: (props, _args, report) => {
        const strategy = asObject(props.natGateways)?.strategy ?? "OnePerAz"; // awsx default
        if (strategy === "Single") report("natGateways.strategy is Single: one NAT gateway is a single point of failure for private egress; use OnePerAz.");
    },
});
