#!/usr/bin/env python3
"""Proof that no pull-request-triggered job can reach prod's stack secrets without an approval.

    check-access.py [--workflows DIR] [--access DIR] [--stacks DIR] [--table]

Stack secrets are encrypted with one KMS key per stack (`secretsprovider: awskms://alias/shop-<stack>-pulumi`
in Pulumi.<stack>.yaml). Decrypting prod's means holding a role that prod's key policy names, and a
GitHub job gets a role only through OIDC: the role's trust policy must accept the job's token subject.
This script models exactly that chain from the files that define it:

  .github/workflows/*.yml                    which jobs run on which trigger, in which environment,
                                             with `id-token: write`, reading which secrets
  security/access/github-environments.json   each environment's required reviewers and deployment
                                             branches (what the repository settings must say)
  security/access/iam/<role>.trust.json      OIDC trust policy of each role (subject conditions)
  security/access/kms/shop-<stack>-pulumi.key-policy.json
                                             who may kms:Decrypt each stack's key
  Pulumi.<stack>.yaml                        each stack's secrets provider

Subjects follow GitHub's documented claims (https://docs.github.com/en/actions/reference/security/oidc,
"Example subject claims"): `repo:R:environment:E` when the job references environment E; otherwise
`repo:R:pull_request` for pull_request events and `repo:R:ref:<ref>` for others. pull_request_target and
workflow_run run on the base/default branch, so they get `ref:refs/heads/main` (and, being
conservative, pull_request_target may also be treated as `pull_request`).

Checks (each printed PASS/FAIL, then `checks: N passed, N failed`):
  model            trust policies are OIDC-only with an `aud` condition and exact `sub` values; every
                   stack has its own awskms:// key (distinct aliases, no passphrase salt); every key
                   policy grants kms:Decrypt only to named roles (no account root, no "*", which would
                   hand the decision to IAM policies); every environment a workflow uses is declared
  pr-jobs          for every job of a workflow triggered by pull_request, pull_request_target or
                   workflow_run (local reusable workflows expanded with their `with:` inputs): if its
                   token can assume a role that may decrypt prod's key, it runs in an environment
                   with required reviewers; it references no secret other than GITHUB_TOKEN unless it
                   runs in such an environment; it never uses a deployment environment limited to
                   main (it would only fail there, and is a sign of a mistake); an environment name
                   that cannot be resolved statically fails
  any-branch-code  independent of the workflow files (a branch can rewrite them for its own PR
                   runs): every subject that code on a non-default branch can obtain (pull_request,
                   ref:refs/heads/<branch> via workflow_dispatch, environment:E for each E whose
                   deployment branches admit a non-default branch) that a prod-decrypting role trusts
                   belongs to an environment with required reviewers
With --table, also prints who can decrypt which stack's key and how they get the role.

Needs PyYAML.
"""

from __future__ import annotations

import argparse
import fnmatch
import glob
import json
import os
import re
import sys

import yaml

PR_TRIGGERS = {"pull_request", "pull_request_target", "workflow_run"}
REPO = "${Repo}"  # the placeholder the trust policies use for <org>/<repo>
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class Problems(list):
    def add(self, msg: str) -> None:
        self.append(msg)


# --- the AWS side --------------------------------------------------------------------------------
def load_roles(iam_dir: str, problems: Problems) -> dict[str, list[str]]:
    """role name -> list of `sub` patterns its trust policy accepts."""
    roles: dict[str, list[str]] = {}
    for path in sorted(glob.glob(os.path.join(iam_dir, "*.trust.json"))):
        name = os.path.basename(path)[: -len(".trust.json")]
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        subs: list[str] = []
        for st in doc.get("Statement", []):
            if st.get("Effect") != "Allow":
                continue
            fed = (st.get("Principal") or {}).get("Federated", "")
            if not str(fed).endswith(":oidc-provider/token.actions.githubusercontent.com") or st.get("Action") != "sts:AssumeRoleWithWebIdentity":
                problems.add(f"{name}: trust statement {st.get('Sid')} is not GitHub-OIDC-only (principal {fed!r}, action {st.get('Action')!r})")
                continue
            cond = st.get("Condition") or {}
            eq, like = cond.get("StringEquals") or {}, cond.get("StringLike") or {}
            if eq.get("token.actions.githubusercontent.com:aud") != "sts.amazonaws.com":
                problems.add(f"{name}: no StringEquals aud = sts.amazonaws.com")
            sub_eq = eq.get("token.actions.githubusercontent.com:sub")
            sub_like = like.get("token.actions.githubusercontent.com:sub")
            if sub_like is not None:
                problems.add(f"{name}: StringLike on sub (wildcards) is not allowed")
                subs += [sub_like] if isinstance(sub_like, str) else list(sub_like)
            if sub_eq is None and sub_like is None:
                problems.add(f"{name}: no sub condition: any repository's workflow could assume it")
                subs.append("*")
            elif sub_eq is not None:
                subs += [sub_eq] if isinstance(sub_eq, str) else list(sub_eq)
            if any(k.startswith("ForAnyValue:") or k.startswith("ForAllValues:") for k in cond):
                problems.add(f"{name}: set operators on the token claims are not allowed")
        roles[name] = subs
    if not roles:
        problems.add(f"no trust policies in {iam_dir}")
    return roles


def action_grants_decrypt(action: str) -> bool:
    return fnmatch.fnmatchcase("kms:Decrypt", action) or action == "*"


def load_keys(kms_dir: str, problems: Problems) -> dict[str, set[str]]:
    """stack -> role names allowed kms:Decrypt by its key policy ('*' = anyone the account lets in)."""
    keys: dict[str, set[str]] = {}
    for path in sorted(glob.glob(os.path.join(kms_dir, "shop-*-pulumi.key-policy.json"))):
        stack = os.path.basename(path)[len("shop-") : -len("-pulumi.key-policy.json")]
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        who: set[str] = set()
        for st in doc.get("Statement", []):
            actions = st.get("Action", [])
            actions = [actions] if isinstance(actions, str) else actions
            if st.get("Effect") != "Allow" or not any(action_grants_decrypt(a) for a in actions):
                continue
            if "Condition" in st:
                problems.add(f"key {stack}: conditional Decrypt grant {st.get('Sid')}: not modelled, refused")
            principal = st.get("Principal")
            arns = principal.get("AWS", []) if isinstance(principal, dict) else [principal]
            arns = [arns] if isinstance(arns, str) else arns
            for arn in arns:
                m = re.fullmatch(r"arn:aws:iam::[^:]+:role/(.+)", str(arn))
                if m:
                    who.add(m.group(1).split("/")[-1])
                else:
                    who.add("*")
                    problems.add(f"key {stack}: Decrypt granted to {arn}: the account root or '*' hands the decision to IAM policies")
        keys[stack] = who
    if not keys:
        problems.add(f"no key policies in {kms_dir}")
    return keys


def check_stack_files(stacks_dir: str, keys: dict[str, set[str]], problems: Problems) -> None:
    seen: dict[str, str] = {}
    files = sorted(glob.glob(os.path.join(stacks_dir, "Pulumi.*.yaml")))
    stacks = [os.path.basename(p)[len("Pulumi.") : -len(".yaml")] for p in files]
    if not stacks:
        problems.add(f"no Pulumi.<stack>.yaml in {stacks_dir}")
    for stack, path in zip(stacks, files):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
        sp = str(doc.get("secretsprovider", ""))
        m = re.fullmatch(r"awskms://alias/(shop-([a-z0-9-]+)-pulumi)\?region=[a-z0-9-]+", sp)
        if not m:
            problems.add(f"Pulumi.{stack}.yaml: secretsprovider {sp!r} is not awskms://alias/shop-{stack}-pulumi?region=…")
            continue
        if m.group(2) != stack:
            problems.add(f"Pulumi.{stack}.yaml: uses the key of stack {m.group(2)}")
        if m.group(1) in seen:
            problems.add(f"Pulumi.{stack}.yaml: shares its key with {seen[m.group(1)]}")
        seen[m.group(1)] = stack
        if "encryptionsalt" in doc:
            problems.add(f"Pulumi.{stack}.yaml: has a passphrase encryptionsalt: the passphrase provider is not allowed")
        if stack not in keys:
            problems.add(f"Pulumi.{stack}.yaml: no key policy security/access/kms/shop-{stack}-pulumi.key-policy.json")


# --- the GitHub side -----------------------------------------------------------------------------
def triggers_of(doc: dict) -> set[str]:
    on = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` key as True
    if isinstance(on, str):
        return {on}
    if isinstance(on, list):
        return set(on)
    return set((on or {}).keys())


def matrix_rows(job: dict) -> list[dict]:
    m = (job.get("strategy") or {}).get("matrix")
    if not m:
        return [{}]
    if isinstance(m, str):
        return [None]  # a matrix from an expression cannot be resolved statically
    axes = {k: v for k, v in m.items() if k not in ("include", "exclude")}
    rows: list[dict] = [{}]
    for k, vals in axes.items():
        if not isinstance(vals, list):
            return [None]
        rows = [dict(r, **{k: v}) for r in rows for v in vals]
    if m.get("include"):
        rows = [r for r in rows if r] + list(m["include"])
    return rows or [{}]


def resolve(value: object, ctx: dict) -> str | None:
    """Resolve `${{ matrix.x }}` / `${{ inputs.x }}` (and `a || 'b'` of those); None if not static."""
    if value is None:
        return None
    text = str(value)

    def one(expr: str) -> str | None:
        for alt in [a.strip() for a in expr.split("||")]:
            if re.fullmatch(r"'[^']*'", alt):
                return alt[1:-1]
            m = re.fullmatch(r"(matrix|inputs)\.([A-Za-z0-9_-]+)", alt)
            if not m:
                return None
            v = ctx.get(m.group(1), {}).get(m.group(2))
            if v not in (None, ""):
                return str(v)
        return ""

    out, pos = "", 0
    for m in EXPR.finditer(text):
        r = one(m.group(1))
        if r is None:
            return None
        out += text[pos : m.start()] + r
        pos = m.end()
    return out + text[pos:]


def env_name(job: dict, ctx: dict) -> tuple[bool, str | None]:
    """(has environment, resolved name or None when it cannot be resolved)."""
    env = job.get("environment")
    if env is None:
        return False, ""
    raw = env.get("name") if isinstance(env, dict) else env
    return True, resolve(raw, ctx)


def id_token(job: dict, wf: dict) -> bool:
    perms = job.get("permissions", wf.get("permissions"))
    if perms in ("write-all",):
        return True
    return isinstance(perms, dict) and perms.get("id-token") == "write"


def secrets_used(node: object) -> set[str]:
    text = yaml.safe_dump(node, default_flow_style=True, width=1 << 30)
    return set(re.findall(r"secrets\.([A-Za-z0-9_]+)", text)) - {"GITHUB_TOKEN"}


def expand_jobs(path: str, wf: dict, wf_dir: str, problems: Problems):
    """Yield (label, job dict, workflow dict, ctx) for every job, reusable workflow calls expanded."""
    for jid, job in (wf.get("jobs") or {}).items():
        for row in matrix_rows(job):
            if row is None:
                problems.add(f"{path}: job {jid}: matrix is not static")
                continue
            ctx = {"matrix": row}
            uses = job.get("uses")
            if uses and str(uses).startswith("./"):
                callee_path = os.path.join(wf_dir, os.path.basename(str(uses)))
                try:
                    with open(callee_path, encoding="utf-8") as f:
                        callee = yaml.safe_load(f)
                except OSError:
                    problems.add(f"{path}: job {jid}: reusable workflow {uses} not found")
                    continue
                inputs = {}
                decl = ((callee.get("on", callee.get(True)) or {}).get("workflow_call") or {}).get("inputs") or {}
                for k, d in decl.items():
                    inputs[k] = (d or {}).get("default", "")
                for k, v in (job.get("with") or {}).items():
                    r = resolve(v, ctx)
                    inputs[k] = r if r is not None else None
                for cjid, cjob in (callee.get("jobs") or {}).items():
                    yield f"{jid} -> {os.path.basename(callee_path)}:{cjid}", cjob, callee, {"inputs": inputs, "matrix": {}}, job
            elif uses:
                problems.add(f"{path}: job {jid}: remote reusable workflow {uses}: not modelled, refused")
            else:
                label = jid + (f" {row}" if row else "")
                yield label, job, wf, ctx, None


def subjects_for(trigger: str, has_env: bool, env: str | None, default_branch: str) -> set[str]:
    if has_env:
        return {f"repo:{REPO}:environment:{env}"}
    if trigger == "pull_request":
        return {f"repo:{REPO}:pull_request"}
    if trigger in ("pull_request_target", "workflow_run"):
        return {f"repo:{REPO}:ref:refs/heads/{default_branch}", f"repo:{REPO}:pull_request"}
    return {f"repo:{REPO}:ref:refs/heads/{default_branch}"}


def roles_trusting(subjects: set[str], roles: dict[str, list[str]]) -> set[str]:
    return {r for r, pats in roles.items() if any(fnmatch.fnmatchcase(s, p) for s in subjects for p in pats)}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workflows", default=".github/workflows")
    ap.add_argument("--access", default="security/access")
    ap.add_argument("--stacks", default=".")
    ap.add_argument("--prod", default="prod", help="the stack whose key is guarded")
    ap.add_argument("--table", action="store_true")
    a = ap.parse_args(argv)

    results: list[tuple[str, Problems]] = []
    model = Problems()
    roles = load_roles(os.path.join(a.access, "iam"), model)
    keys = load_keys(os.path.join(a.access, "kms"), model)
    check_stack_files(a.stacks, keys, model)
    with open(os.path.join(a.access, "github-environments.json"), encoding="utf-8") as f:
        spec = json.load(f)
    envs: dict[str, dict] = spec.get("environments", {})
    default_branch = spec.get("defaultBranch", "main")
    if a.prod not in keys:
        model.add(f"no key policy for the guarded stack {a.prod}")
    prod_roles = keys.get(a.prod, set())
    gated = {e for e, s in envs.items() if s.get("requiredReviewers") is True}
    main_only = {e for e, s in envs.items() if s.get("deploymentBranches") == [default_branch]}

    pr = Problems()
    for path in sorted(glob.glob(os.path.join(a.workflows, "*.yml")) + glob.glob(os.path.join(a.workflows, "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            wf = yaml.safe_load(f) or {}
        trig = triggers_of(wf)
        if "workflow_call" in trig and len(trig) == 1:
            continue  # judged through its callers
        for label, job, owner, ctx, caller in expand_jobs(path, wf, a.workflows, pr):
            has_env, env = env_name(job, ctx)
            where = f"{os.path.basename(path)} job {label}"
            if has_env and env is None:
                if trig & PR_TRIGGERS:
                    pr.add(f"{where}: environment {job.get('environment')!r} cannot be resolved statically")
                continue
            if has_env and env not in envs:
                model.add(f"{where}: environment {env!r} is not declared in github-environments.json")
                continue
            if not trig & PR_TRIGGERS:
                continue
            token = id_token(job, owner) and (caller is None or id_token(caller, wf))
            used = secrets_used(job) | (secrets_used(caller.get("secrets")) if caller else set())
            if caller and caller.get("secrets") == "inherit":
                used.add("<secrets: inherit>")
            for t in sorted(trig & PR_TRIGGERS):
                subs = subjects_for(t, has_env, env, default_branch)
                reach = roles_trusting(subs, roles) if token else set()
                if reach & prod_roles and not (has_env and env in gated):
                    pr.add(f"{where} ({t}): can assume {sorted(reach & prod_roles)}, which decrypt {a.prod}'s key, without an approval")
            if used and not (has_env and env in gated):
                pr.add(f"{where}: reads secrets {sorted(used)} outside an approval-gated environment")
            if has_env and env in main_only:
                pr.add(f"{where}: uses deployment environment {env!r} (main only) in a pull-request-triggered workflow")

    anyb = Problems()
    branch_subjects = {f"repo:{REPO}:pull_request", f"repo:{REPO}:ref:refs/heads/some-branch"}
    for e, s in envs.items():
        if s.get("deploymentBranches") != [default_branch]:
            branch_subjects.add(f"repo:{REPO}:environment:{e}")
    for sub in sorted(branch_subjects):
        for r in sorted(roles_trusting({sub}, roles) & prod_roles):
            m = re.fullmatch(r".*:environment:(.+)", sub)
            if not (m and m.group(1) in gated):
                anyb.add(f"branch code can obtain {sub}, trusted by {r}, which decrypts {a.prod}'s key, with no reviewer in between")
    for e in envs:
        if e not in gated and any(r in prod_roles for r in roles_trusting({f"repo:{REPO}:environment:{e}"}, roles)):
            anyb.add(f"environment {e} has no required reviewers but its roles decrypt {a.prod}'s key")

    results = [("model", model), ("pr-jobs", pr), ("any-branch-code", anyb)]
    failed = 0
    for name, probs in results:
        if probs:
            failed += 1
            print(f"FAIL {name}: " + "; ".join(probs))
        else:
            print(f"PASS {name}")
    if a.table:
        print()
        print("| stack key | may decrypt | how a job gets that role |")
        print("|---|---|---|")
        for stack in sorted(keys):
            for r in sorted(keys[stack]):
                subs = roles.get(r, ["(no trust policy here: not assumable from GitHub)"])
                how = []
                for s in subs:
                    m = re.fullmatch(r".*:environment:(.+)", s)
                    if m:
                        e = envs.get(m.group(1), {})
                        gate = "required reviewers" if e.get("requiredReviewers") else "no reviewers"
                        how.append(f"`{s}` (environment {m.group(1)}: {gate}, branches {e.get('deploymentBranches')})")
                    else:
                        how.append(f"`{s}`")
                print(f"| shop-{stack}-pulumi | {r} | {'; '.join(how)} |")
    print(f"checks: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
