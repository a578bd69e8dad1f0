#!/usr/bin/env python3
"""Lint tests for monitoring/: rules, dashboards, metric names, runbooks, Alertmanager template.

Stdlib unittest + PyYAML. Run from the repository root:  python3 monitoring/tests/lint_test.py
Prints `python: N passed, N failed, N skipped` as its last line; exits non-zero on any failure.
"""
import glob
import json
import os
import re
import shutil
import string
import subprocess
import sys
import tempfile
import unittest

import yaml

MON = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(MON)
RUNBOOK_PREFIX = "https://github.com/shop-platform/shop-platform/blob/main/docs/runbooks/"
SEVERITIES = {"critical", "warning", "info"}
KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
            "offset", "bool", "inf", "nan", "atan2"}
TEMPLATE_VALUES = {
    "STACK": "dev", "SLACK_CRITICAL_CHANNEL": "#shop-critical", "SLACK_WARNING_CHANNEL": "#shop-alerts",
    "EMAIL_TO": "ops@example.com", "EMAIL_FROM": "alertmanager@example.com",
    "SMTP_SMARTHOST": "smtp.example.com:587", "SMTP_USERNAME": "alertmanager",
    "DEADMANSSWITCH_URL": "https://hc-ping.example.com/00000000-0000-0000-0000-000000000000",
    "RECEIVERS_DIR": "/etc/alertmanager/secrets/alertmanager-receivers-0123456789",
}


# ----------------------------------------------------------------------------------------- loaders
def load_rule_files():
    out = {}
    for path in sorted(glob.glob(os.path.join(MON, "rules", "*.yaml"))):
        with open(path) as f:
            out[os.path.basename(path)] = yaml.safe_load(f)
    return out


def all_rules():
    for fname, doc in load_rule_files().items():
        for group in doc["groups"]:
            for rule in group["rules"]:
                yield fname, group["name"], rule


def load_dashboards():
    out = {}
    for path in sorted(glob.glob(os.path.join(MON, "dashboards", "*.json"))):
        with open(path) as f:
            out[os.path.basename(path)] = json.load(f)
    return out


def walk_panels(panels):
    for p in panels:
        yield p
        yield from walk_panels(p.get("panels", []))


def contract_app_metrics():
    """Parse the metric table of docs/contracts.md §2 -> {name: type}."""
    with open(os.path.join(ROOT, "docs", "contracts.md")) as f:
        text = f.read()
    m = re.search(r"^## 2\..*?$(.*?)(?=^## )", text, re.S | re.M)
    assert m, "section 2 not found in docs/contracts.md"
    metrics = {}
    for line in m.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2:
            name = cells[0].strip("`")
            if re.fullmatch(r"shop_[a-z0-9_]+", name):
                metrics[name] = cells[1]
    return metrics


def exporter_metrics():
    names = {}
    with open(os.path.join(MON, "exporter-metrics.txt")) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                parts = line.split()
                assert len(parts) == 2, f"bad line in exporter-metrics.txt: {line!r}"
                names[parts[0]] = parts[1]
    return names


def metric_names(expr):
    """Metric names referenced by a PromQL expression (identifiers not followed by '(')."""
    s = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)  # string literals
    s = re.sub(r"\{[^}]*\}", " ", s)                                           # label matchers
    s = re.sub(r"\[[^\]]*\]", " ", s)                                          # ranges / subqueries
    s = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", s)
    s = re.sub(r"\boffset\s+-?\w+", " ", s)
    s = re.sub(r"\$\{?\w+\}?", " ", s)                                         # Grafana variables
    s = re.sub(r"(?<![\w:])\d+(\.\d+)?([eE][+-]?\d+)?", " ", s)                 # numbers
    names = set()
    for m in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", s):
        rest = s[m.end():].lstrip()
        if rest.startswith("("):
            continue  # function or aggregation
        if m.group(0).lower() in KEYWORDS:
            continue
        names.add(m.group(0))
    return names


# Logs and traces (issue 17): the Loki and Tempo data sources the Monitoring component provisions.
LOKI_DS = {"type": "loki", "uid": "loki"}
TEMPO_DS = {"type": "tempo", "uid": "tempo"}
# Stream labels the node agent sets (components/observability/alloy.ts); everything else is structured metadata.
LOKI_LABELS = {"namespace", "pod", "container", "app", "level"}


def check_telemetry_panel(tc, p):
    """A Loki panel queries streams by the agent's labels only; a Tempo panel is a TraceQL search."""
    targets = p.get("targets", [])
    tc.assertTrue(targets, "panel without targets")
    for t in targets:
        tc.assertEqual(t.get("datasource"), p["datasource"])
        if p["datasource"] == LOKI_DS:
            expr = t.get("expr", "")
            m = re.match(r"^\{([^}]*)\}", expr.strip())
            tc.assertTrue(m, f"LogQL must start with a stream selector: {expr}")
            labels = {x.split("=")[0].strip().rstrip("!~") for x in m.group(1).split(",") if x.strip()}
            tc.assertTrue(labels <= LOKI_LABELS, f"{labels - LOKI_LABELS} are not stream labels the agent sets")
        else:
            tc.assertEqual(t.get("queryType"), "traceql")
            q = t.get("query", "")
            tc.assertTrue(q.startswith("{") and q.count("{") == q.count("}"), f"not a TraceQL span set: {q}")


def kebab(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name).lower()


def all_exprs():
    """(where, expr) for every rule and dashboard query (PromQL only: Loki and Tempo panels are checked apart)."""
    for fname, group, rule in all_rules():
        yield f"rules/{fname}:{rule.get('alert') or rule.get('record')}", rule["expr"]
    for fname, board in load_dashboards().items():
        for p in walk_panels(board.get("panels", [])):
            if p.get("datasource") in (LOKI_DS, TEMPO_DS):
                continue
            for t in p.get("targets", []):
                if t.get("expr"):
                    yield f"dashboards/{fname}:{p.get('title')}", t["expr"]
        for a in board.get("annotations", {}).get("list", []):
            if a.get("expr"):
                yield f"dashboards/{fname}:annotation {a.get('name')}", a["expr"]


def render_alertmanager(tmpdir):
    with open(os.path.join(MON, "alertmanager", "alertmanager.yaml.tmpl")) as f:
        text = f.read()
    rendered = string.Template(text).substitute(TEMPLATE_VALUES)
    path = os.path.join(tmpdir, "alertmanager.yaml")
    with open(path, "w") as f:
        f.write(rendered)
    return path, rendered


# ----------------------------------------------------------------------------------------- tests
class RuleTests(unittest.TestCase):
    def test_rule_files_have_groups_at_top_level(self):
        files = load_rule_files()
        self.assertGreaterEqual(len(files), 6)
        for fname, doc in files.items():
            self.assertEqual(list(doc.keys()), ["groups"], fname)

    def test_every_alert_has_severity_and_annotations(self):
        n = 0
        for fname, _, rule in all_rules():
            if "alert" not in rule:
                continue
            n += 1
            with self.subTest(alert=rule["alert"], file=fname):
                self.assertIn(rule.get("labels", {}).get("severity"), SEVERITIES)
                ann = rule.get("annotations", {})
                for key in ("summary", "description", "runbook_url"):
                    self.assertTrue(ann.get(key, "").strip(), f"{rule['alert']}: missing {key}")
        self.assertGreater(n, 20)

    def test_runbook_url_points_to_existing_kebab_case_runbook(self):
        for _, _, rule in all_rules():
            if "alert" not in rule:
                continue
            url = rule["annotations"]["runbook_url"]
            with self.subTest(alert=rule["alert"]):
                self.assertTrue(url.startswith(RUNBOOK_PREFIX), url)
                fname = url[len(RUNBOOK_PREFIX):]
                self.assertEqual(fname, kebab(rule["alert"]) + ".md")
                path = os.path.join(ROOT, "docs", "runbooks", fname)
                self.assertTrue(os.path.isfile(path), f"missing runbook {path}")
                with open(path) as f:
                    body = f.read()
                for section in ("## Meaning", "## Impact", "## Diagnosis", "## Mitigation"):
                    self.assertIn(section, body, fname)

    def test_watchdog_is_routed_not_redefined(self):
        names = {r.get("alert") for _, _, r in all_rules()}
        self.assertNotIn("Watchdog", names)
        self.assertTrue(os.path.isfile(os.path.join(ROOT, "docs", "runbooks", "watchdog.md")))

    def test_recording_rule_names_are_level_metric_operations(self):
        for _, _, rule in all_rules():
            if "record" in rule:
                with self.subTest(record=rule["record"]):
                    self.assertRegex(rule["record"], r"^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$")

    def test_kubernetes_alerts_scoped_to_shop_and_data(self):
        doc = load_rule_files()["kubernetes.yaml"]
        for group in doc["groups"]:
            for rule in group["rules"]:
                for m in re.finditer(r"\b(kube_\w+|kubelet_\w+)\s*(\{[^}]*\})?", rule["expr"]):
                    with self.subTest(alert=rule.get("alert"), metric=m.group(1)):
                        self.assertIn('namespace=~"shop|data"', m.group(2) or "")

    def test_slo_burn_rate_windows_and_factors(self):
        rules = [r for f, _, r in all_rules() if f == "slo.yaml"]
        records = {r["record"] for r in rules if "record" in r}
        for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d"):
            self.assertIn(f"job:shop_slo_errors_per_request:ratio_rate{w}", records)
        alerts = {r["labels"]["severity"]: r["expr"] for r in rules if "alert" in r}
        crit = re.sub(r"\s+", " ", alerts["critical"])
        warn = re.sub(r"\s+", " ", alerts["warning"])
        for w, f in (("1h", "14.4"), ("5m", "14.4"), ("6h", "6"), ("30m", "6")):
            self.assertIn(f"ratio_rate{w} > ({f} * (1 - 0.999))", crit)
        for w, f in (("1d", "3"), ("2h", "3"), ("3d", "1"), ("6h", "1")):
            self.assertIn(f"ratio_rate{w} > ({f} * (1 - 0.999))", warn)


class RunbookQueryTests(unittest.TestCase):
    """Each runbook opens on the LogQL (and, for request alerts, TraceQL) to run first (issue 17)."""

    def test_every_runbook_starts_from_a_logql_query_on_the_agents_labels(self):
        d = os.path.join(ROOT, "docs", "runbooks")
        names = sorted(f for f in os.listdir(d) if f.endswith(".md"))
        self.assertGreaterEqual(len(names), 20)
        for f in names:
            with self.subTest(runbook=f):
                text = open(os.path.join(d, f), encoding="utf-8").read()
                self.assertIn("## Start here", text)
                self.assertLess(text.index("## Start here"), text.index("## Meaning"))
                blocks = re.findall(r"```logql\n(.*?)```", text, re.S)
                self.assertTrue(blocks, "no ```logql block")
                queries = [l for b in blocks for l in b.splitlines() if l.strip() and not l.startswith("#")]
                self.assertTrue(queries)
                for q in queries:
                    for sel in re.findall(r"\{([^}]*)\}", q.split("|")[0] if q.startswith("{") else q):
                        labels = {x.split("=")[0].strip().rstrip("!~") for x in sel.split(",") if "=" in x}
                        self.assertTrue(labels <= LOKI_LABELS, f"{q}: {labels - LOKI_LABELS} not stream labels")
                for b in re.findall(r"```traceql\n(.*?)```", text, re.S):
                    for q in [l for l in b.splitlines() if l.strip() and not l.startswith("#")]:
                        self.assertTrue(q.startswith("{") and q.count("{") == q.count("}"), q)


class MetricNameTests(unittest.TestCase):
    def test_tokenizer(self):
        self.assertEqual(
            metric_names('sum by (namespace, job) (rate(foo_total{status=~"5..", a="b(c)"}[5m])) '
                         '/ on (job) group_left () bar:baz:rate5m > 0.5 and histogram_quantile(0.99, x_bucket)'),
            {"foo_total", "bar:baz:rate5m", "x_bucket"})
        self.assertEqual(metric_names("time() - max(y{stack=\"$stack\"}) offset 1h"), {"y"})

    def test_contract_table_parsed(self):
        m = contract_app_metrics()
        self.assertIn("shop_http_requests_total", m)
        self.assertEqual(m.get("shop_http_request_duration_seconds"), "histogram")
        self.assertGreaterEqual(len(m), 9)

    def _known(self):
        app = contract_app_metrics()
        known = set(app)
        for name, typ in app.items():
            if typ == "histogram":
                known |= {name + "_bucket", name + "_sum", name + "_count"}
        records = {r["record"] for _, _, r in all_rules() if "record" in r}
        return app, known, records, set(exporter_metrics())

    def test_every_referenced_metric_is_known(self):
        app, known_app, records, exporters = self._known()
        seen = 0
        for where, expr in all_exprs():
            for name in metric_names(expr):
                seen += 1
                with self.subTest(where=where, metric=name):
                    self.assertTrue(name in known_app or name in records or name in exporters,
                                    f"{where}: unknown metric {name}")
        self.assertGreater(seen, 50)

    def test_every_recording_rule_used_is_defined_and_app_metrics_exist(self):
        # a recording-rule-shaped name (level:metric:ops) must be defined in monitoring/rules
        _, _, records, _ = self._known()
        for where, expr in all_exprs():
            for name in metric_names(expr):
                if ":" in name:
                    with self.subTest(where=where, metric=name):
                        self.assertIn(name, records)

    def test_app_metrics_txt_matches_references(self):
        app, known_app, _, exporters = self._known()
        referenced = set()
        for _, expr in all_exprs():
            for name in metric_names(expr):
                if name in known_app and name not in exporters:
                    base = re.sub(r"_(bucket|sum|count)$", "", name) if name not in app else name
                    referenced.add(base)
        with open(os.path.join(MON, "app-metrics.txt")) as f:
            listed = [l.strip() for l in f if l.strip()]
        self.assertEqual(len(listed), len(set(listed)), "duplicates in app-metrics.txt")
        self.assertEqual(set(listed), referenced)
        for name in listed:
            self.assertIn(name, app)

    def test_exporter_metrics_are_not_app_metrics(self):
        app = contract_app_metrics()
        for name in exporter_metrics():
            self.assertNotIn(name, app)


class DashboardTests(unittest.TestCase):
    def test_dashboards_exist_and_are_unique(self):
        boards = load_dashboards()
        self.assertGreaterEqual(len(boards), 4)
        uids = [b["uid"] for b in boards.values()]
        self.assertEqual(len(uids), len(set(uids)), uids)
        titles = [b["title"] for b in boards.values()]
        self.assertEqual(len(titles), len(set(titles)))
        for name, b in boards.items():
            self.assertTrue(38 <= b["schemaVersion"] <= 41, name)

    def test_panels_use_prometheus_datasource_and_have_queries(self):
        for fname, board in load_dashboards().items():
            ids = []
            for p in walk_panels(board["panels"]):
                ids.append(p["id"])
                if p["type"] == "row":
                    continue
                with self.subTest(dashboard=fname, panel=p.get("title")):
                    ds = p.get("datasource")
                    self.assertIn(ds, [{"type": "prometheus", "uid": "prometheus"}, LOKI_DS, TEMPO_DS])
                    if ds != {"type": "prometheus", "uid": "prometheus"}:
                        check_telemetry_panel(self, p)
                        gp = p["gridPos"]
                        self.assertLessEqual(gp["x"] + gp["w"], 24)
                        continue
                    exprs = [t for t in p.get("targets", []) if t.get("expr", "").strip()]
                    self.assertTrue(exprs, "panel without a target expr")
                    for t in p["targets"]:
                        self.assertEqual(t.get("datasource", {}).get("uid"), "prometheus")
                    gp = p["gridPos"]
                    self.assertLessEqual(gp["x"] + gp["w"], 24)
            self.assertEqual(len(ids), len(set(ids)), f"{fname}: duplicate panel ids")
            for var in board.get("templating", {}).get("list", []):
                if var.get("type") == "query":
                    self.assertEqual(var["datasource"]["uid"], "prometheus")

    def test_template_variable_metrics_are_known(self):
        _, known_app, records, exporters = MetricNameTests._known(self)
        for fname, board in load_dashboards().items():
            for var in board.get("templating", {}).get("list", []):
                q = var.get("definition", "")
                for m in re.finditer(r"label_values\(\s*([a-zA-Z_:][\w:]*)", q):
                    self.assertTrue(m.group(1) in known_app | records | set(exporters), q)

    def test_dashboards_match_generator(self):
        sys.path.insert(0, os.path.join(MON, "tools"))
        try:
            import gen_dashboards
        finally:
            sys.path.pop(0)
        for name, text in gen_dashboards.render().items():
            with open(os.path.join(MON, "dashboards", name)) as f:
                self.assertEqual(f.read(), text, f"{name} is stale: run python3 monitoring/tools/gen_dashboards.py")


AMTOOL = shutil.which("amtool")


class AlertmanagerTests(unittest.TestCase):
    def test_template_placeholders_documented_and_all_substituted(self):
        with tempfile.TemporaryDirectory() as d:
            _, rendered = render_alertmanager(d)
        with open(os.path.join(MON, "alertmanager", "alertmanager.yaml.tmpl")) as f:
            text = f.read()
        used = set(re.findall(r"\$\{(\w+)\}", text))
        self.assertEqual(used, set(TEMPLATE_VALUES))
        self.assertNotIn("${", rendered)
        cfg = yaml.safe_load(rendered)
        self.assertEqual(cfg["route"]["receiver"], "null")
        names = {r["name"] for r in cfg["receivers"]}
        self.assertTrue({"null", "deadmansswitch", "pager", "slack-critical", "slack-warning"} <= names)
        inh = cfg["inhibit_rules"][0]
        self.assertEqual(inh["source_matchers"], ['severity="critical"'])
        self.assertEqual(inh["target_matchers"], ['severity="warning"'])
        self.assertEqual(inh["equal"], ["alertname", "namespace", "job"])
        wd = [r for r in cfg["route"]["routes"] if r["matchers"] == ['alertname="Watchdog"']][0]
        self.assertEqual(wd["receiver"], "deadmansswitch")
        self.assertEqual(wd["repeat_interval"], "1m")

    @unittest.skipUnless(AMTOOL, "amtool not installed")
    def test_amtool_check_config(self):
        with tempfile.TemporaryDirectory() as d:
            path, _ = render_alertmanager(d)
            r = subprocess.run([AMTOOL, "check-config", path], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    @unittest.skipUnless(AMTOOL, "amtool not installed")
    def test_amtool_routes(self):
        cases = [
            (["alertname=ShopAppErrorBudgetBurn", "severity=critical"], "pager,slack-critical"),
            (["alertname=PostgresDeadlocks", "severity=warning"], "slack-warning"),
            (["alertname=PostgresWALArchivingFailing", "severity=critical"], "pager,slack-critical"),
            (["alertname=PostgresFailover", "severity=warning"], "slack-warning"),
            (["alertname=RedisEvictingKeys", "severity=info"], "email-info"),
            (["alertname=Watchdog", "severity=none"], "deadmansswitch"),
            (["alertname=InfoInhibitor", "severity=none"], "null"),
            (["alertname=SomethingWithoutSeverity"], "null"),
        ]
        with tempfile.TemporaryDirectory() as d:
            path, _ = render_alertmanager(d)
            for labels, want in cases:
                with self.subTest(labels=labels):
                    r = subprocess.run([AMTOOL, "config", "routes", "test", f"--config.file={path}", *labels],
                                       capture_output=True, text=True)
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertEqual(r.stdout.strip(), want)


ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")


class AlertmanagerInhibitionTests(unittest.TestCase):
    """Start the real Alertmanager with the rendered config, post alerts, read back which are inhibited."""

    @unittest.skipUnless(ALERTMANAGER, "alertmanager binary not installed")
    def test_inhibition_rules(self):
        import socket
        import time
        import urllib.request
        from datetime import datetime, timezone

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        L = lambda **kw: kw  # noqa: E731
        alerts = {
            # same alertname/namespace/job: the critical one inhibits the warning one
            "pg-crit": L(alertname="PostgresTooManyConnections", severity="critical", namespace="data", job="pg", instance="a"),
            "pg-warn": L(alertname="PostgresTooManyConnections", severity="warning", namespace="data", job="pg", instance="a"),
            # same alertname, other job: not inhibited
            "pg-warn-other-job": L(alertname="PostgresTooManyConnections", severity="warning", namespace="data", job="other"),
            # a critical of another alertname does not inhibit this warning
            "redis-warn": L(alertname="RedisDown", severity="warning", namespace="data", job="pg"),
            # our namespace-scoped alert inhibits the chart's generic one for the same container
            "ours": L(alertname="ShopPodCrashLooping", severity="warning", namespace="shop", pod="catalog-1", container="catalog", job="kube-state-metrics"),
            "chart": L(alertname="KubePodCrashLooping", severity="warning", namespace="shop", pod="catalog-1", container="catalog", job="kube-state-metrics"),
            "chart-other-pod": L(alertname="KubePodCrashLooping", severity="warning", namespace="shop", pod="catalog-2", container="catalog", job="kube-state-metrics"),
            # PostgresDown explains the apps' DB errors
            "pgdown": L(alertname="PostgresDown", severity="critical", namespace="data", job="postgres-exporter"),
            "dberr": L(alertname="ShopAppDatabaseErrors", severity="warning", namespace="shop", job="storefront"),
            # info inhibited by the warning of the same alert/target
            "info": L(alertname="RedisDown", severity="info", namespace="data", job="pg"),
            # the PostgreSQL volume alert silences the generic one for its PVC only; the generic one, itself
            # inhibited, still silences the chart's duplicate for that PVC
            "pgvol": L(alertname="PostgresStorageLow", severity="warning", namespace="data", persistentvolumeclaim="shop-db-1"),
            "shopvol": L(alertname="ShopPersistentVolumeFillingUp", severity="warning", namespace="data", persistentvolumeclaim="shop-db-1", job="kubelet"),
            "shopvol-other": L(alertname="ShopPersistentVolumeFillingUp", severity="warning", namespace="data", persistentvolumeclaim="redis-data-redis-0", job="kubelet"),
            "kubevol": L(alertname="KubePersistentVolumeFillingUp", severity="warning", namespace="data", persistentvolumeclaim="shop-db-1", job="kubelet"),
        }
        expect_inhibited = {"pg-warn", "chart", "dberr", "info", "shopvol", "kubevol"}
        values = dict(TEMPLATE_VALUES, DEADMANSSWITCH_URL="http://127.0.0.1:9/ping")
        with open(os.path.join(MON, "alertmanager", "alertmanager.yaml.tmpl")) as f:
            rendered = string.Template(f.read()).substitute(values)
        with tempfile.TemporaryDirectory() as d:
            cfg = os.path.join(d, "alertmanager.yaml")
            with open(cfg, "w") as f:
                f.write(rendered)
            proc = subprocess.Popen([ALERTMANAGER, f"--config.file={cfg}", f"--storage.path={d}/data",
                                     f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                for _ in range(100):
                    try:
                        urllib.request.urlopen(base + "/-/ready", timeout=1)
                        break
                    except OSError:
                        time.sleep(0.1)
                now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                body = json.dumps([{"labels": dict(l, test_id=k), "startsAt": now} for k, l in alerts.items()])
                req = urllib.request.Request(base + "/api/v2/alerts", data=body.encode(), method="POST",
                                             headers={"Content-Type": "application/json"})
                urllib.request.urlopen(req, timeout=5)
                got = {}
                for _ in range(50):
                    with urllib.request.urlopen(base + "/api/v2/alerts", timeout=5) as r:
                        got = {a["labels"]["test_id"]: a["status"] for a in json.load(r)}
                    if len(got) == len(alerts):
                        break
                    time.sleep(0.1)
            finally:
                proc.terminate()
                proc.wait(timeout=10)
        self.assertEqual(set(got), set(alerts))
        inhibited = {k for k, st in got.items() if st["inhibitedBy"]}
        self.assertEqual(inhibited, expect_inhibited)


class DatabaseClusterNameTests(unittest.TestCase):
    """The PostgreSQL rules and dashboard name the CloudNativePG Cluster (its PVCs are shop-db-<n>): that
    name must be the one components/data/postgres.ts gives the Cluster."""

    NAME = "shop-db"

    def _component_name(self):
        path = os.path.join(ROOT, "components", "data", "postgres.ts")
        with open(path) as f:
            m = re.search(r'export const DATABASE_CLUSTER = "([^"]+)"', f.read())
        return m.group(1) if m else None

    def test_rules_and_dashboard_use_one_cluster_name(self):
        """Every PVC and cluster selector names shop-db and the Clusters restored beside it: `shop-db` plus an
        optional `-<suffix>` (the prefix config/table.ts requires of postgresRecoveryCluster)."""
        texts = [open(os.path.join(MON, "rules", f)).read() for f in ("cnpg.yaml", "postgres.yaml")]
        texts.append(open(os.path.join(MON, "dashboards", "data-services.json")).read())
        names = set()
        for t in texts:
            names |= set(re.findall(r'persistentvolumeclaim=~\\?"([^"\\]+)-\[0-9\]\+\\?"', t))
            names |= set(re.findall(r'[{,] ?cluster=~?\\?"([^"\\]+)\\?"', t))
        self.assertEqual(names, {self.NAME + "(-[a-z0-9-]+)?"})

    def test_restore_names_carry_the_prefix_the_rules_select(self):
        with open(os.path.join(ROOT, "config", "table.ts")) as f:
            table = f.read()
        row = table[table.index("postgresRecoveryCluster: row(") :]
        self.assertIn("/^%s-[a-z0-9]" % self.NAME, row[: row.index("feeds:")])

    @unittest.skipUnless(
        os.path.isfile(os.path.join(ROOT, "components", "data", "postgres.ts"))
        and "DATABASE_CLUSTER" in open(os.path.join(ROOT, "components", "data", "postgres.ts")).read(),
        "components/data/postgres.ts has no DATABASE_CLUSTER (CloudNativePG not merged)")
    def test_cluster_name_matches_the_component(self):
        self.assertEqual(self._component_name(), self.NAME)


PROMTOOL = shutil.which("promtool")


class PromtoolMetaTests(unittest.TestCase):
    @unittest.skipUnless(PROMTOOL, "promtool not installed")
    def test_promtool_fails_on_a_wrong_expectation(self):
        """The unit-test harness must catch a wrong expectation (guards against vacuous tests)."""
        with open(os.path.join(MON, "tests", "postgres_test.yaml")) as f:
            doc = yaml.safe_load(f)
        doc["rule_files"] = [os.path.join(MON, "rules", os.path.basename(p)) for p in doc["rule_files"]]
        group = [t for t in doc["tests"] if t["name"].startswith("PostgresExporterDown")][0]
        group["alert_rule_test"][1]["exp_alerts"][0]["exp_labels"]["severity"] = "critical"
        doc["tests"] = [group]
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "mutated_test.yaml")
            with open(path, "w") as f:
                yaml.safe_dump(doc, f)
            r = subprocess.run([PROMTOOL, "test", "rules", path], capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("FAILED", r.stdout + r.stderr)


class _Result(unittest.TextTestResult):
    pass


if __name__ == "__main__":
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=2, resultclass=_Result).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print(f"python: {passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed else 0)
