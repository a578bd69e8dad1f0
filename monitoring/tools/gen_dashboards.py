#!/usr/bin/env python3
"""Generate monitoring/dashboards/*.json (Grafana dashboard JSON, schemaVersion 39).

The JSON files are checked in (Grafana's sidecar loads them from ConfigMaps); this script is their
source. After editing it run `python3 monitoring/tools/gen_dashboards.py`; the lint test fails when
the checked-in JSON differs from what this script produces.
"""
import json
import os
import sys

DS = {"type": "prometheus", "uid": "prometheus"}
# Logs and traces (issue 17): the data sources the Monitoring component provisions
# (components/monitoring/index.ts telemetryDataSources, uids loki and tempo).
LOKI = {"type": "loki", "uid": "loki"}
TEMPO = {"type": "tempo", "uid": "tempo"}
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dashboards")


class Board:
    def __init__(self, uid, title, tags, templating=None, annotations=None):
        self.uid, self.title, self.tags = uid, title, tags
        self.templating = templating or []
        self.annotations = annotations or []
        self.panels = []
        self.y = 0
        self.x = 0
        self.row_h = 0
        self.next_id = 1

    def _place(self, w, h):
        if self.x + w > 24:
            self.y += self.row_h
            self.x, self.row_h = 0, 0
        pos = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.x += w
        self.row_h = max(self.row_h, h)
        return pos

    def row(self, title):
        if self.x:
            self.y += self.row_h
            self.x, self.row_h = 0, 0
        self.panels.append({"type": "row", "title": title, "id": self.next_id, "collapsed": False,
                            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}, "panels": []})
        self.next_id += 1
        self.y += 1

    def panel(self, title, targets, kind="timeseries", unit="short", w=12, h=8, description="",
              thresholds=None, minv=None, maxv=None, decimals=None):
        defaults = {"unit": unit}
        if minv is not None:
            defaults["min"] = minv
        if maxv is not None:
            defaults["max"] = maxv
        if decimals is not None:
            defaults["decimals"] = decimals
        if thresholds:
            defaults["thresholds"] = {"mode": "absolute", "steps": thresholds}
        p = {
            "id": self.next_id,
            "type": kind,
            "title": title,
            "description": description,
            "datasource": DS,
            "gridPos": self._place(w, h),
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {},
            "targets": [],
        }
        if kind == "timeseries":
            p["options"] = {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                            "tooltip": {"mode": "multi", "sort": "desc"}}
        elif kind == "stat":
            p["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                            "colorMode": "value", "graphMode": "area", "textMode": "auto"}
        for i, (expr, legend) in enumerate(targets):
            p["targets"].append({"datasource": DS, "expr": expr, "legendFormat": legend,
                                 "refId": chr(ord("A") + i), "range": True})
        self.next_id += 1
        self.panels.append(p)

    def logs_panel(self, title, expr, w=24, h=10, description=""):
        """A Loki logs panel (LogQL stream query)."""
        self.panels.append({
            "id": self.next_id, "type": "logs", "title": title, "description": description, "datasource": LOKI,
            "gridPos": self._place(w, h), "fieldConfig": {"defaults": {}, "overrides": []},
            "options": {"showTime": True, "wrapLogMessage": True, "sortOrder": "Descending", "enableLogDetails": True,
                        "prettifyLogMessage": False, "dedupStrategy": "none"},
            "targets": [{"datasource": LOKI, "expr": expr, "refId": "A", "queryType": "range"}],
        })
        self.next_id += 1

    def traces_panel(self, title, traceql, w=24, h=10, description="", limit=20):
        """A Tempo search table (TraceQL), slowest first."""
        self.panels.append({
            "id": self.next_id, "type": "table", "title": title, "description": description, "datasource": TEMPO,
            "gridPos": self._place(w, h), "fieldConfig": {"defaults": {}, "overrides": []},
            "options": {"showHeader": True, "sortBy": [{"displayName": "Duration", "desc": True}]},
            "targets": [{"datasource": TEMPO, "queryType": "traceql", "query": traceql, "limit": limit,
                         "tableType": "traces", "refId": "A"}],
        })
        self.next_id += 1

    def json(self):
        return {
            "uid": self.uid,
            "title": self.title,
            "tags": self.tags,
            "editable": False,
            "graphTooltip": 1,
            "schemaVersion": 39,
            "version": 1,
            "refresh": "1m",
            "time": {"from": "now-6h", "to": "now"},
            "timezone": "utc",
            "annotations": {"list": [{
                "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True,
                "hide": True, "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts",
                "type": "dashboard"}] + self.annotations},
            "templating": {"list": self.templating},
            "panels": self.panels,
        }


def query_var(name, label, query, multi=False, include_all=False):
    return {"name": name, "label": label, "type": "query", "datasource": DS,
            "query": {"query": query, "refId": f"{name}-var"}, "definition": query,
            "refresh": 2, "sort": 1, "multi": multi, "includeAll": include_all,
            "current": {}, "options": [], "hide": 0}


DEPLOY_ANNOTATION = {
    "name": "Deploys", "datasource": DS, "enable": True, "iconColor": "#8AB8FF",
    "expr": 'changes(shop_deployment_last_timestamp_seconds{result="success"}[2m]) > 0',
    "step": "1m", "titleFormat": "deploy {{stack}}", "textFormat": "",
    "tagKeys": "stack,result", "useValueForTime": False,
}


def app_board():
    b = Board("shop-app", "Shop app (RED, cache, DB pool)", ["shop", "apps"],
              templating=[query_var("job", "app", 'label_values(shop_http_requests_total, job)')],
              annotations=[DEPLOY_ANNOTATION])
    j = 'job="$job"'
    b.row("Requests (RED)")
    b.panel("Request rate", [(f'job:shop_http_requests:rate5m{{{j}}}', "total"),
                             (f'sum by (route) (rate(shop_http_requests_total{{{j}}}[5m]))', "{{route}}")],
            unit="reqps", w=8)
    b.panel("5xx ratio", [(f'job:shop_http_requests_5xx:ratio_rate5m{{{j}}}', "5xx ratio"),
                          (f'sum by (status) (rate(shop_http_requests_total{{{j}, status=~"[45].."}}[5m]))'
                           f' / ignoring (status) group_left () sum(rate(shop_http_requests_total{{{j}}}[5m]))',
                           "{{status}}")],
            unit="percentunit", w=8, minv=0)
    b.panel("Latency p50 / p99", [(f'job:shop_http_request_duration_seconds:p50_5m{{{j}}}', "p50"),
                                  (f'job:shop_http_request_duration_seconds:p99_5m{{{j}}}', "p99"),
                                  (f'histogram_quantile(0.99, sum by (route, le) (rate(shop_http_request_duration_seconds_bucket{{{j}}}[5m])))',
                                   "p99 {{route}}")],
            unit="s", w=8, minv=0)
    b.row("Availability SLO (99.9 % / 30 days)")
    b.panel("Error budget remaining (30 d)",
            [(f'job:shop_slo_error_budget:remaining_ratio30d{{{j}}}', "remaining")],
            kind="stat", unit="percentunit", w=6, decimals=1,
            thresholds=[{"color": "red", "value": None}, {"color": "orange", "value": 0.25},
                        {"color": "green", "value": 0.5}])
    b.panel("Availability (30 d)", [(f'1 - job:shop_slo_errors_per_request:ratio_rate30d{{{j}}}', "availability")],
            kind="stat", unit="percentunit", w=6, decimals=3,
            thresholds=[{"color": "red", "value": None}, {"color": "green", "value": 0.999}])
    b.panel("Burn rate (x budget)",
            [(f'job:shop_slo_errors_per_request:ratio_rate{w}{{{j}}} / 0.001', w)
             for w in ("5m", "1h", "6h", "1d", "3d")],
            unit="short", w=12, minv=0,
            description="Error ratio divided by the 0.1 % budget. Pages at 14.4 (1h&5m) / 6 (6h&30m); tickets at 3 (1d&2h) / 1 (3d&6h).")
    b.row("Cache and dependencies")
    b.panel("Cache hit ratio", [(f'job:shop_cache_hits:ratio_rate5m{{{j}}}', "hit ratio")],
            unit="percentunit", w=8, minv=0, maxv=1)
    b.panel("Cache lookups", [(f'sum(rate(shop_cache_hits_total{{{j}}}[5m]))', "hits"),
                              (f'sum(rate(shop_cache_misses_total{{{j}}}[5m]))', "misses")],
            unit="ops", w=8)
    b.panel("Redis / DB errors", [(f'job:shop_redis_errors:rate5m{{{j}}}', "redis errors"),
                                  (f'job:shop_db_errors:rate5m{{{j}}}', "db errors")],
            unit="ops", w=8, minv=0)
    b.panel("DB pool in use / idle / max (per pod)",
            [(f'sum by (pod, state) (shop_db_pool_connections{{{j}}})', "{{pod}} {{state}}"),
             (f'sum by (pod) (shop_db_pool_max_connections{{{j}}})', "{{pod}} max")],
            unit="short", w=24, minv=0)
    b.row("Logs and traces")
    # The agent's labels (components/observability/alloy.ts): namespace, pod, container, app, level;
    # route, status, duration_ms and trace_id are structured metadata (filter with | key="value").
    b.logs_panel("Logs (Loki)", '{namespace="shop", app="$job"}',
                 description="Every line of the app's pods. A line with a trace_id links to its trace in Tempo (derived field).")
    b.traces_panel("Slowest traces (Tempo, server spans over 250 ms)",
                   '{resource.service.name="$job" && kind=server && duration > 250ms}',
                   description="Recent slow requests, slowest first; open one to see its PostgreSQL and Redis spans and its log lines.")
    return b


def data_board():
    b = Board("shop-data", "Data services (PostgreSQL, Redis)", ["shop", "data"])
    pg = 'namespace="data"'
    # PostgreSQL: CloudNativePG's metrics (sources: monitoring/exporter-metrics.txt, rules/cnpg.yaml header).
    # The Cluster `shop-db` (pods and PVCs shop-db-<n>); the PVC regex is the one rules/cnpg.yaml uses.
    pvc = 'persistentvolumeclaim=~"shop-db(-[a-z0-9-]+)?-[0-9]+"'
    last_backup = (f'max(cnpg_collector_last_available_backup_timestamp{{{pg}}} > 0 '
                   f'or barman_cloud_cloudnative_pg_io_last_available_backup_timestamp{{{pg}}} > 0)')
    first_point = (f'max(cnpg_collector_first_recoverability_point{{{pg}}} > 0 '
                   f'or barman_cloud_cloudnative_pg_io_first_recoverability_point{{{pg}}} > 0)')
    b.row("PostgreSQL: instances and replication")
    b.panel("Instances up / instance volumes",
            [(f'sum(cnpg_collector_up{{{pg}}})', "PostgreSQL up"),
             (f'count(kube_persistentvolumeclaim_info{{{pg}, {pvc}}})', "volumes (desired)")],
            kind="stat", w=4, minv=0,
            description="Instances whose PostgreSQL answers vs the Cluster's instance PVCs (PostgresInstancesMissing).")
    b.panel("Role per instance (0 = primary, 1 = standby)",
            [(f'max by (pod) (cnpg_pg_replication_in_recovery{{{pg}}})', "{{pod}}")],
            w=8, minv=0, maxv=1, decimals=0,
            description="A step from 1 to 0 is a promotion: failover or switchover (PostgresFailover).")
    b.panel("Replication lag (standbys)", [(f'max by (pod) (cnpg_pg_replication_lag{{{pg}}})', "{{pod}}")],
            unit="s", w=12, minv=0,
            thresholds=[{"color": "green", "value": None}, {"color": "orange", "value": 30}, {"color": "red", "value": 300}],
            description="Seconds since the standby's last replayed transaction; 0 when caught up (PostgresReplicationLagHigh).")
    b.panel("Replay lag seen by the primary",
            [(f'max by (application_name) (cnpg_pg_stat_replication_replay_diff_bytes{{{pg}}})', "{{application_name}}")],
            unit="bytes", w=12, minv=0)
    b.panel("Streaming: WAL receiver per standby, standbys per primary",
            [(f'max by (pod) (cnpg_pg_replication_is_wal_receiver_up{{{pg}}}) and on (pod) max by (pod) (cnpg_pg_replication_in_recovery{{{pg}}}) == 1',
              "receiver up {{pod}}"),
             (f'max by (pod) (cnpg_pg_replication_streaming_replicas{{{pg}}}) and on (pod) max by (pod) (cnpg_pg_replication_in_recovery{{{pg}}}) == 0',
              "standbys streaming from {{pod}}")],
            w=12, minv=0, decimals=0, description="PostgresReplicaNotStreaming")
    b.row("PostgreSQL: backups, WAL archiving, storage")
    b.panel("Last successful base backup (age)", [(f'time() - {last_backup}', "age")], kind="stat", unit="s", w=6,
            thresholds=[{"color": "green", "value": None}, {"color": "orange", "value": 26 * 3600},
                        {"color": "red", "value": 50 * 3600}],
            description="Daily base backups at 03:00 UTC: > 26 h warns, > 50 h is critical (PostgresBackupTooOld). No value: no backup ever (dev without backups).")
    b.panel("Recovery window (oldest restorable point, age)", [(f'time() - {first_point}', "window")], kind="stat",
            unit="s", w=6, description="How far back a point-in-time restore can go (barman's first recoverability point).")
    b.panel("WAL archiving",
            [(f'sum by (pod) (increase(cnpg_pg_stat_archiver_archived_count{{{pg}}}[5m]))', "archived / 5m {{pod}}"),
             (f'sum by (pod) (increase(cnpg_pg_stat_archiver_failed_count{{{pg}}}[5m]))', "failed / 5m {{pod}}"),
             (f'max by (pod) (cnpg_collector_pg_wal_archive_status{{{pg}, value="ready"}})', "waiting to be archived {{pod}}")],
            w=12, minv=0, description="Failures without archived segments after them: PostgresWALArchivingFailing.")
    b.panel("Free space per instance volume",
            [(f'min by (persistentvolumeclaim) (kubelet_volume_stats_available_bytes{{{pg}, {pvc}}}) / max by (persistentvolumeclaim) (kubelet_volume_stats_capacity_bytes{{{pg}, {pvc}}})',
              "{{persistentvolumeclaim}}")],
            unit="percentunit", w=12, minv=0, maxv=1,
            thresholds=[{"color": "red", "value": None}, {"color": "orange", "value": 0.10}, {"color": "green", "value": 0.20}],
            description="PGDATA and pg_wal share the volume (PostgresStorageLow: < 20 % / < 10 %).")
    b.panel("Seconds since the last archived WAL segment (primary)",
            [(f'max by (pod) (cnpg_pg_stat_archiver_seconds_since_last_archival{{{pg}}})', "{{pod}}")],
            unit="s", w=12, minv=0, description="archive_timeout is 5 min: on a primary with writes this stays below ~5 min.")
    b.row("PostgreSQL: workload")
    b.panel("Connections vs max_connections",
            [(f'sum by (pod, state) (cnpg_backends_total{{{pg}}})', "{{pod}} {{state}}"),
             (f'max by (pod) (cnpg_pg_settings_setting{{{pg}, name="max_connections"}})', "max_connections {{pod}}")],
            w=12, minv=0)
    b.panel("Transactions (all instances)",
            [(f'sum by (datname) (rate(cnpg_pg_stat_database_xact_commit{{{pg}}}[5m]))', "commit {{datname}}"),
             (f'sum by (datname) (rate(cnpg_pg_stat_database_xact_rollback{{{pg}}}[5m]))', "rollback {{datname}}")],
            unit="ops", w=12)
    b.panel("Buffer cache hit ratio",
            [(f'sum by (datname) (rate(cnpg_pg_stat_database_blks_hit{{{pg}}}[5m])) / (sum by (datname) (rate(cnpg_pg_stat_database_blks_hit{{{pg}}}[5m])) + sum by (datname) (rate(cnpg_pg_stat_database_blks_read{{{pg}}}[5m])))',
              "{{datname}}")], unit="percentunit", w=8, minv=0, maxv=1)
    b.panel("Deadlocks (10 m)", [(f'sum by (datname) (increase(cnpg_pg_stat_database_deadlocks{{{pg}}}[10m]))', "{{datname}}")],
            w=8, minv=0)
    b.panel("Longest open transaction", [(f'max by (datname) (cnpg_backends_max_tx_duration_seconds{{{pg}, datname!=""}})', "{{datname}}")],
            unit="s", w=8, minv=0)
    b.panel("Database size", [(f'max by (datname) (cnpg_pg_database_size_bytes{{{pg}}})', "{{datname}}")], unit="bytes", w=12)
    b.panel("Backends waiting on locks", [(f'max by (pod) (cnpg_backends_waiting_total{{{pg}}})', "{{pod}}")], w=12, minv=0)
    b.row("Redis")
    b.panel("Redis up", [(f'redis_up{{{pg}}}', "{{instance}}")], kind="stat", w=4,
            thresholds=[{"color": "red", "value": None}, {"color": "green", "value": 1}])
    b.panel("Memory vs maxmemory", [(f'redis_memory_used_bytes{{{pg}}}', "used {{instance}}"),
                                   (f'redis_memory_max_bytes{{{pg}}}', "maxmemory {{instance}}")],
            unit="bytes", w=10, minv=0)
    b.panel("Keyspace hit ratio",
            [(f'rate(redis_keyspace_hits_total{{{pg}}}[5m]) / (rate(redis_keyspace_hits_total{{{pg}}}[5m]) + rate(redis_keyspace_misses_total{{{pg}}}[5m]))',
              "{{instance}}")], unit="percentunit", w=10, minv=0, maxv=1)
    b.panel("Commands", [(f'rate(redis_commands_processed_total{{{pg}}}[5m])', "{{instance}}")], unit="ops", w=8)
    b.panel("Clients", [(f'redis_connected_clients{{{pg}}}', "connected {{instance}}"),
                        (f'redis_config_maxclients{{{pg}}}', "maxclients {{instance}}")], w=8, minv=0)
    b.panel("Evictions, expirations, rejections",
            [(f'rate(redis_evicted_keys_total{{{pg}}}[5m])', "evicted/s"),
             (f'rate(redis_expired_keys_total{{{pg}}}[5m])', "expired/s"),
             (f'rate(redis_rejected_connections_total{{{pg}}}[5m])', "rejected conn/s")], unit="ops", w=8)
    b.panel("Keys", [(f'sum by (instance, db) (redis_db_keys{{{pg}}})', "{{db}}")], w=24, h=6)
    return b


def cluster_board():
    b = Board("shop-cluster", "Cluster capacity", ["shop", "kubernetes"])
    b.row("Requests vs allocatable")
    for res, unit in (("cpu", "short"), ("memory", "bytes")):
        b.panel(f"{res.upper()} requested / allocatable (cluster)",
                [(f'sum(kube_pod_container_resource_requests{{resource="{res}"}} * on (namespace, pod) group_left () (max by (namespace, pod) (kube_pod_status_phase{{phase=~"Pending|Running"}}) == 1)) / sum(kube_node_status_allocatable{{resource="{res}"}})',
                  "requested / allocatable")],
                kind="stat", unit="percentunit", w=6, decimals=1,
                thresholds=[{"color": "green", "value": None}, {"color": "orange", "value": 0.8},
                            {"color": "red", "value": 0.95}])
    b.panel("CPU requests vs allocatable per node",
            [('sum by (node) (kube_pod_container_resource_requests{resource="cpu"})', "requested {{node}}"),
             ('sum by (node) (kube_node_status_allocatable{resource="cpu"})', "allocatable {{node}}")],
            unit="short", w=12, minv=0)
    b.panel("Memory requests vs allocatable per node",
            [('sum by (node) (kube_pod_container_resource_requests{resource="memory"})', "requested {{node}}"),
             ('sum by (node) (kube_node_status_allocatable{resource="memory"})', "allocatable {{node}}")],
            unit="bytes", w=12, minv=0)
    b.panel("Pods per node vs allocatable",
            [('count by (node) (kube_pod_info{node!=""})', "pods {{node}}"),
             ('sum by (node) (kube_node_status_allocatable{resource="pods"})', "allocatable {{node}}")],
            w=12, minv=0)
    b.row("Usage (shop, data)")
    b.panel("CPU usage by namespace",
            [('sum by (namespace) (rate(container_cpu_usage_seconds_total{namespace=~"shop|data", container!=""}[5m]))', "{{namespace}}")],
            unit="short", w=12, minv=0)
    b.panel("Memory working set by namespace",
            [('sum by (namespace) (container_memory_working_set_bytes{namespace=~"shop|data", container!=""})', "{{namespace}}")],
            unit="bytes", w=12, minv=0)
    b.panel("Pods by phase", [('sum by (namespace, phase) (kube_pod_status_phase{namespace=~"shop|data"}) > 0', "{{namespace}} {{phase}}")],
            w=12, minv=0)
    b.panel("Container restarts (1 h)",
            [('sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total{namespace=~"shop|data"}[1h])) > 0', "{{namespace}}/{{pod}}")],
            w=12, minv=0)
    b.row("Persistent volumes")
    b.panel("PVC usage",
            [('kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes', "{{namespace}}/{{persistentvolumeclaim}}")],
            unit="percentunit", w=12, minv=0, maxv=1)
    b.panel("PVC free bytes", [('kubelet_volume_stats_available_bytes', "{{namespace}}/{{persistentvolumeclaim}}")],
            unit="bytes", w=12, minv=0)
    return b


def delivery_board():
    b = Board("shop-delivery", "Delivery (DORA)", ["shop", "delivery", "dora"],
              templating=[query_var("stack", "stack", "label_values(shop_deployments_total, stack)")])
    s = 'stack="$stack"'
    b.row("DORA (stack $stack)")
    b.panel("Deployment frequency (7 d)", [(f'stack:shop_deployments:increase7d{{{s}}}', "deploys / 7 d")],
            kind="stat", w=6, decimals=0)
    b.panel("Lead time for changes (mean, 30 d)", [(f'stack:shop_deployment_lead_time_seconds:mean30d{{{s}}}', "mean")],
            kind="stat", unit="s", w=6)
    b.panel("Change failure rate (30 d)", [(f'stack:shop_deployments_failed:ratio_increase30d{{{s}}}', "CFR")],
            kind="stat", unit="percentunit", w=6, decimals=1,
            thresholds=[{"color": "green", "value": None}, {"color": "orange", "value": 0.15},
                        {"color": "red", "value": 0.3}])
    b.panel("Time to restore (mean, 30 d)", [(f'stack:shop_deployment_recovery_seconds:mean30d{{{s}}}', "mean")],
            kind="stat", unit="s", w=6,
            description="Failed deployment recovery time: first failed deploy until the next successful one.")
    b.row("History")
    b.panel("Deployments per day", [(f'stack:shop_deployments:increase1d{{{s}}}', "deploys / day"),
                                    (f'round(sum by (result) (increase(shop_deployments_total{{{s}}}[1d])))', "{{result}}")],
            w=12, minv=0)
    b.panel("Lead time of the last deploy", [(f'shop_deployment_lead_time_seconds{{{s}}}', "lead time")],
            unit="s", w=12, minv=0)
    b.panel("Last deploy (age)", [(f'time() - max by (result) (shop_deployment_last_timestamp_seconds{{{s}}})', "{{result}}")],
            kind="stat", unit="s", w=12)
    b.panel("Critical alerts firing (30 d, minutes) - incident proxy",
            [('sum by (alertname) (count_over_time(ALERTS{alertstate="firing", severity="critical"}[30d]))', "{{alertname}}")],
            kind="stat", w=12,
            description="Evaluations (1/min) of firing critical alerts over 30 days: an in-cluster proxy for time spent in incidents.")
    return b


BOARDS = {"shop-app.json": app_board, "data-services.json": data_board,
          "cluster-capacity.json": cluster_board, "delivery.json": delivery_board}


def render():
    return {name: json.dumps(fn().json(), indent=2, sort_keys=True) + "\n" for name, fn in BOARDS.items()}


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for name, text in render().items():
        with open(os.path.join(OUT, name), "w") as f:
            f.write(text)
        print("wrote", os.path.join("monitoring/dashboards", name), file=sys.stderr)
