"""docker-compose.yml: the server, MongoDB and etcd services, pinned images, healthchecks, start order, and the
server's environment resolving (with the image's CMD and ENV) to a server connected to both."""

from __future__ import annotations

import re
from typing import Any

from src.settings import ApplicationContext
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils
from src.utils.command_line.settings_table import SETTINGS
from tests.support.deployment_files import (
    compose,
    compose_server_environment,
    compose_service,
    dockerfile_cmd,
    dockerfile_env,
)

RESTART_POLICIES = {"always", "unless-stopped", "on-failure"}


def seconds(duration: str) -> float:
    match = re.fullmatch(r"(\d+)(s|m)", duration)
    assert match, f"unexpected duration {duration!r}"
    return int(match[1]) * (60 if match[2] == "m" else 1)


def healthcheck_test(service: dict[str, Any]) -> list[str]:
    test = service["healthcheck"]["test"]
    assert isinstance(test, list) and test[0] in {"CMD", "CMD-SHELL"}
    return [str(part) for part in test]


def named_volumes(service: dict[str, Any]) -> dict[str, str]:
    return dict(volume.split(":")[:2] for volume in service["volumes"])


def test_uses_the_compose_specification_without_the_obsolete_version_key() -> None:
    document = compose()
    assert "version" not in document
    default = {name for name, service in document["services"].items() if not service.get("profiles")}
    assert default == {"server", "mongodb", "etcd"}


def test_server_builds_the_image_publishes_5000_and_starts_after_healthy_dependencies() -> None:
    server = compose_service("server")
    assert server["build"] == "."
    # 5000 unless TB_PUBLISH_PORT says otherwise (test_deployment_tools checks the resolved default).
    assert server["ports"] == ["${TB_PUBLISH_PORT:-5000}:5000"]
    assert server["depends_on"] == {"mongodb": {"condition": "service_healthy"},
                                    "etcd": {"condition": "service_healthy"}}
    assert server["restart"] in RESTART_POLICIES
    # Docker kills a container this long after SIGTERM: leave the server's drain period room to finish.
    assert seconds(server["stop_grace_period"]) > ApplicationContext().server.shutdown_grace


def test_server_environment_names_only_settings_the_server_reads() -> None:
    known = {name for setting in SETTINGS for name in setting.env}
    environment = compose_server_environment()
    assert environment and set(environment) <= known, f"unknown: {sorted(set(environment) - known)}"


def test_image_cmd_with_the_compose_environment_connects_to_the_mongodb_and_etcd_services() -> None:
    environment = {**dockerfile_env(), **compose_server_environment()}  # compose's environment wins over ENV
    context = ArgumentParsingUtils.parse(dockerfile_cmd()[2:], environment)
    assert context.server.proc == 2 and context.server.port == 5000 and context.server.env == "prod"
    assert context.database.mongo_uri() == "mongodb://mongodb:27017/tornado_boilerplate"
    assert (context.lock_server.enabled, context.lock_server.host, context.lock_server.port) == (True, "etcd", 2379)


def test_mongodb_is_a_pinned_major_release_with_a_volume_and_a_ping_healthcheck() -> None:
    mongodb = compose_service("mongodb")
    assert re.fullmatch(r"mongo:\d+\.\d+", mongodb["image"]), f"{mongodb['image']} is not a pinned release"
    volumes = named_volumes(mongodb)
    assert volumes.get(next(iter(volumes))) == "/data/db" and set(volumes) <= set(compose()["volumes"])
    test = healthcheck_test(mongodb)
    assert "mongosh" in test and "db.runCommand({ping:1})" in test
    assert mongodb["restart"] in RESTART_POLICIES


def test_etcd_is_3_5_with_the_v2_api_a_volume_and_a_healthcheck() -> None:
    etcd = compose_service("etcd")
    assert re.fullmatch(r"quay\.io/coreos/etcd:v3\.5\.\d+", etcd["image"]), "python-etcd needs etcd 3.5 (v2 API)"
    command = etcd["command"]
    assert "--enable-v2=true" in command
    data_dir = next(part.split("=", 1)[1] for part in command if part.startswith("--data-dir="))
    volumes = named_volumes(etcd)
    assert data_dir in volumes.values() and set(volumes) <= set(compose()["volumes"])
    server = compose_server_environment()
    assert f"--advertise-client-urls=http://{server['TB_LOCK_SERVER_HOST']}:{server['TB_LOCK_SERVER_PORT']}" in command
    assert any(part.startswith("--listen-client-urls=http://0.0.0.0:2379") for part in command)
    test = healthcheck_test(etcd)
    assert test[0] == "CMD" and "etcdctl" in test and test[-2:] == ["endpoint", "health"]  # no shell in the image
    assert etcd["restart"] in RESTART_POLICIES


def test_every_healthcheck_is_bounded() -> None:
    for name in ("mongodb", "etcd"):
        healthcheck = compose_service(name)["healthcheck"]
        assert seconds(healthcheck["timeout"]) < seconds(healthcheck["interval"])
        assert healthcheck["retries"] >= 3


def test_the_cluster_profile_runs_a_3_member_current_etcd_and_a_server_using_v3_through_every_member() -> None:
    services = compose()["services"]
    members = [services[f"etcd-{index}"] for index in (1, 2, 3)]
    assert all(member["profiles"] == ["cluster"] for member in members)
    assert all(re.fullmatch(r"quay\.io/coreos/etcd:v3\.6\.\d+", member["image"]) for member in members)
    for index, member in enumerate(members, start=1):
        command = member["command"]
        assert f"--name=etcd-{index}" in command and f"--advertise-client-urls=http://etcd-{index}:2379" in command
        assert "--initial-cluster=etcd-1=http://etcd-1:2380,etcd-2=http://etcd-2:2380,etcd-3=http://etcd-3:2380" \
            in command
        assert "--enable-v2=true" not in command  # etcd 3.6 has no v2 API
        assert len(set(named_volumes(member))) == 1
    assert len({next(iter(named_volumes(member))) for member in members}) == 3  # one volume each
    server = services["server-cluster"]
    assert server["profiles"] == ["cluster"]
    environment = server["environment"]
    context = ArgumentParsingUtils.parse([], {**environment, "TB_LOCK_SERVER": "true"})
    assert context.lock_server.api == "v3"
    assert context.lock_server.members == [("etcd-1", 2379), ("etcd-2", 2379), ("etcd-3", 2379)]
    assert set(server["depends_on"]) == {"mongodb", "etcd-1", "etcd-2", "etcd-3"}
