/** Cases of the rules in network.ts: violating, compliant, not-applicable and unknown-value records for each. */
import type { RuleCases } from "../../test/cases";
import { awsxVpc, c, sg } from "../../test/fixtures";
import { TAGS, U, rec } from "../../test/helpers";

export const CASES: Record<string, RuleCases> = {
    "sg-no-world-ingress": {
        violating: [
            c("ssh from world", [sg([{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }])], [/SSH\/RDP/]),
            c("all traffic ipv6", [sg([{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }])], [/all ports/]),
            c(
                "5432 from world (rule)",
                [
                    rec("aws:ec2/securityGroupRule:SecurityGroupRule", "r", {
                        type: "ingress",
                        protocol: "tcp",
                        fromPort: 5432,
                        toPort: 5432,
                        cidrBlocks: ["0.0.0.0/0"],
                        securityGroupId: "sg",
                    }),
                ],
                [/not allow-listed/],
            ),
            c(
                "vpc ingress rule",
                [
                    rec("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "r", {
                        ipProtocol: "tcp",
                        fromPort: 8080,
                        toPort: 8080,
                        cidrIpv4: "0.0.0.0/0",
                        securityGroupId: "sg",
                    }),
                ],
                1,
            ),
        ],
        compliant: [
            c("443 from world", [sg([{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }])], 0),
            c("ssh from VPC", [sg([{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/16"] }])], 0),
            c(
                "egress rule ignored",
                [
                    rec("aws:ec2/securityGroupRule:SecurityGroupRule", "r", {
                        type: "egress",
                        protocol: "-1",
                        fromPort: 0,
                        toPort: 0,
                        cidrBlocks: ["0.0.0.0/0"],
                        securityGroupId: "sg",
                    }),
                ],
                0,
            ),
            c("8443 allow-listed", [sg([{ protocol: "tcp", fromPort: 8443, toPort: 8443, cidrBlocks: ["0.0.0.0/0"] }])], 0, { allowedPorts: [8443] }),
        ],
        notApplicable: [c("vpc", [awsxVpc()], 0)],
        naType: "aws:ec2/vpc:Vpc",
        unknown: [c("cidrs unknown", [sg([{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: U.array }])], 0)],
    },
    "vpc-nat-per-az": {
        violating: [c("single NAT", [awsxVpc({ natGateways: { strategy: "Single" } })], 1)],
        compliant: [c("one per AZ", [awsxVpc({ natGateways: { strategy: "OnePerAz" } })], 0), c("default", [awsxVpc()], 0)],
        notApplicable: [c("aws vpc", [rec("aws:ec2/vpc:Vpc", "v", { cidrBlock: "10.0.0.0/16", tags: TAGS })], 0)],
        naType: "aws:ec2/vpc:Vpc",
        unknown: [c("strategy unknown", [awsxVpc({ natGateways: { strategy: U.string } })], 0)],
    },
};
