"""Static checks of what cannot be run here (no Docker engine): Dockerfiles and compose.yaml."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

APPS = Path(__file__).resolve().parents[1]
REPO = APPS.parent
COMPOSE = yaml.safe_load((REPO / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
EXACT_TAG = re.compile(r"^[\w./-]+:v?\d+\.\d+\.\d+(-[\w.-]+)?(@sha256:[0-9a-f]{64})?$")
# PostgreSQL versions have two parts (15.15 is an exact release).
EXACT_PG_TAG = re.compile(r"^postgres:\d+\.\d+(-[\w.-]+)?(@sha256:[0-9a-f]{64})?$")


def dockerfile(app: str) -> str:
    return (APPS / app / "Dockerfile").read_text()


@pytest.mark.parametrize("app", ["storefront", "catalog"])
def test_dockerfile_bases_pinned_exactly(app):
    froms = re.findall(r"^FROM\s+(\S+)", dockerfile(app), re.M)
    assert len(froms) >= 2, "multi-stage build expected"
    for image in froms:
        assert image == "scratch" or EXACT_TAG.match(image), image
        assert "latest" not in image


def test_python_base_is_exact_311_slim():
    for image in re.findall(r"^FROM\s+(\S+)", dockerfile("storefront"), re.M):
        assert re.match(r"^python:3\.11\.\d+-slim", image), image


@pytest.mark.parametrize("app", ["storefront", "catalog"])
def test_dockerfile_runtime_rules(app):
    text = dockerfile(app)
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and re.match(r"^\d+(:\d+)?$", users[-1]) and not users[-1].startswith("0"), users
    assert re.search(r"^EXPOSE\s+\d+", text, re.M)
    assert re.search(r'^CMD \["serve"\]', text, re.M)
    for line in re.findall(r"^(?:ENV|ARG)\s+(.*)$", text, re.M):
        assert not re.search(r"(?i)(password|secret|token|database_url|redis_url)", line), line
    assert (APPS / app / ".dockerignore").is_file()


def test_storefront_image_writes_nothing():
    text = dockerfile("storefront")
    assert "PYTHONDONTWRITEBYTECODE=1" in text and "compileall" in text
    assert "--require-hashes" in text


def test_compose_services_and_images():
    assert {"postgres", "redis", "migrate", "storefront", "catalog", "prometheus", "grafana"} <= set(SERVICES)
    for name, svc in SERVICES.items():
        image = svc.get("image", "")
        if "build" in svc or image.startswith("shop-platform/"):
            continue
        assert EXACT_TAG.match(image) or EXACT_PG_TAG.match(image), (name, image)
        assert "latest" not in image


def test_compose_healthchecks_and_order():
    for name in ("postgres", "redis", "storefront", "catalog", "prometheus", "grafana"):
        assert "test" in SERVICES[name].get("healthcheck", {}), name
    assert SERVICES["migrate"]["command"] == ["migrate"]
    for app in ("storefront", "catalog"):
        deps = SERVICES[app]["depends_on"]
        assert deps["migrate"]["condition"] == "service_completed_successfully"
        assert deps["redis"]["condition"] == "service_healthy"
        assert SERVICES[app]["read_only"] is True
    assert SERVICES["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_has_no_literal_secrets():
    text = (REPO / "compose.yaml").read_text()
    used = set(re.findall(r"\$\{([A-Z_]+):\?", text))
    assert {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "ADMIN_TOKEN", "GRAFANA_ADMIN_PASSWORD"} <= used
    example = (APPS / "compose" / ".env.example").read_text()
    assert used <= set(re.findall(r"^([A-Z_]+)=", example, re.M))
    for name, svc in SERVICES.items():
        for key, value in (svc.get("environment") or {}).items():
            if re.search(r"(?i)(password|token|secret|cli_auth$)", key) or "://" in str(value):
                assert re.search(r"\$\{[A-Z_]+:\?", str(value)) or "@" not in str(value), (name, key)
                if re.search(r"(?i)(password|token|secret|cli_auth$)", key):
                    assert "${" in str(value), (name, key, value)
    assert "requirepass" in str(SERVICES["redis"]["command"])


def test_prometheus_config_scrapes_both_apps():
    cfg = yaml.safe_load((APPS / "compose" / "prometheus.yml").read_text())
    jobs = {j["job_name"]: j["static_configs"][0]["targets"] for j in cfg["scrape_configs"]}
    assert jobs == {"storefront": ["storefront:8000"], "catalog": ["catalog:8080"]}
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool (Debian package prometheus) is required for this check")
    subprocess.run([promtool, "check", "config", "--syntax-only", str(APPS / "compose" / "prometheus.yml")], check=True)


@pytest.mark.parametrize("app", ["storefront", "catalog"])
def test_run_scripts_executable(app):
    run = APPS / app / "run"
    assert run.stat().st_mode & 0o111
