"""Base images for the container tests, made locally because no registry is reachable.

A Debian bookworm root file system from `debootstrap --variant=minbase` is imported as an image; on it the recipes
in stand_in_images/ build stand-ins tagged with the names the deployment files use: the Dockerfile's Python base,
and docker-compose.yml's MongoDB (nx-27017) and etcd images. The Dockerfile and the compose file are then used as
committed. The built images are saved to one archive in the user's cache, keyed by the recipes, the tags and the
host's CA bundle, and loaded from there on later runs (a fresh engine each run, so nothing else is kept).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.support.deployment_files import compose_service, dockerfile_instructions
from tests.support.docker_engine import DockerEngine, DockerError

RECIPES = Path(__file__).with_name("stand_in_images")
DEBIAN_TAG = "tornado-boilerplate-stand-in/debian:bookworm"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# Inside the imported root: services are never started by package installs, recommends never installed.
POLICY_RC_D = "#!/bin/sh\n# No services start inside an image build.\nexit 101\n"
APT_CONF = 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n'


@dataclass(frozen=True)
class StandIns:
    python: str
    mongo: str
    etcd: str

    @property
    def tags(self) -> list[str]:
        return [DEBIAN_TAG, self.python, self.mongo, self.etcd]


def stand_in_tags() -> StandIns:
    """The tags the committed deployment files ask for."""
    bases = {instruction.value.split()[0] for instruction in dockerfile_instructions() if instruction.name == "FROM"}
    python = [base for base in bases if base.startswith("python:")]
    assert len(python) == 1, f"expected one python base image in the Dockerfile, found {sorted(bases)}"
    return StandIns(python=python[0], mongo=compose_service("mongodb")["image"], etcd=compose_service("etcd")["image"])


def cache_archive(tags: StandIns) -> Path:
    digest = hashlib.sha256()
    for recipe in sorted(RECIPES.iterdir()):
        digest.update(recipe.name.encode() + b"\0" + recipe.read_bytes())
    digest.update("\0".join(tags.tags).encode())
    digest.update(HOST_CA_BUNDLE.read_bytes())
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tornado-boilerplate"
    return cache / f"stand-in-images-{digest.hexdigest()[:16]}.tar"


def provide_stand_ins(engine: DockerEngine, work_dir: Path) -> StandIns:
    """Load the stand-ins from the cache, or build them (and fill the cache); returns their tags."""
    tags = stand_in_tags()
    archive = cache_archive(tags)
    if archive.exists():
        engine.docker("load", "--input", str(archive), timeout=600)
        if all(engine.image_exists(tag) for tag in tags.tags):
            return tags
    build_debian(engine, work_dir)
    build(engine, work_dir, "python.Dockerfile", tags.python, extra={"host-ca-certificates.crt": HOST_CA_BUNDLE})
    build(engine, work_dir, "etcd.Dockerfile", tags.etcd)
    build(engine, work_dir, "mongo.Dockerfile", tags.mongo,
          extra={name: RECIPES / name for name in ("mongosh.py", "nx-27017-service.py")},
          build_args={"PYTHON_BASE": tags.python})
    archive.parent.mkdir(parents=True, exist_ok=True)
    for stale in archive.parent.glob("stand-in-images-*.tar"):
        stale.unlink(missing_ok=True)  # another run may have replaced it meanwhile
    # A name of its own: another run may be filling the cache at the same time; the rename is atomic.
    partial = archive.with_suffix(f".{os.getpid()}.partial")
    engine.docker("save", "--output", str(partial), *tags.tags, timeout=600)
    partial.rename(archive)
    return tags


def build_debian(engine: DockerEngine, work_dir: Path) -> None:
    root = work_dir / "bookworm"
    debootstrap = shutil.which("debootstrap")
    if debootstrap is None:
        raise DockerError("debootstrap is missing: `make install-requirements` installs it")
    subprocess.run([debootstrap, "--variant=minbase", "bookworm", str(root)], check=True, capture_output=True,
                   timeout=900)
    policy = root / "usr/sbin/policy-rc.d"
    policy.write_text(POLICY_RC_D)
    policy.chmod(0o755)
    (root / "etc/apt/apt.conf.d/90stand-in").write_text(APT_CONF)
    shutil.rmtree(root / "var/cache/apt/archives", ignore_errors=True)
    (root / "var/cache/apt/archives/partial").mkdir(parents=True)
    tarball = work_dir / "bookworm.tar"
    subprocess.run(["tar", "--numeric-owner", "-C", str(root), "-cf", str(tarball), "."], check=True,
                   capture_output=True, timeout=300)
    shutil.rmtree(root)
    engine.docker("import", str(tarball), DEBIAN_TAG, timeout=600)
    tarball.unlink()


def build(engine: DockerEngine, work_dir: Path, recipe: str, tag: str, extra: dict[str, Path] | None = None,
          build_args: dict[str, str] | None = None) -> None:
    """`docker build` of one recipe in a context holding only the recipe and its `extra` files."""
    context = work_dir / recipe.removesuffix(".Dockerfile")
    context.mkdir()
    shutil.copy(RECIPES / recipe, context / "Dockerfile")
    for name, source in (extra or {}).items():
        shutil.copy(source, context / name)
    arguments = [f"--build-arg={name}={value}" for name, value in (build_args or {}).items()]
    engine.docker("build", "--network", "host", "--tag", tag, *arguments, str(context), timeout=900)
    shutil.rmtree(context)
