"""requirements.txt (pip, CI) and environment.yml (Binder) must describe the same environment."""

import re

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from autograder.notebook_files import ROOT


def pip_requirements():
    reqs = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            req = Requirement(line)
            reqs[canonicalize_name(req.name)] = req.specifier
    return reqs


def conda_dependencies():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = {}
    for entry in env["dependencies"]:
        assert isinstance(entry, str), f"environment.yml must not carry a pip section: {entry}"
        name, _, spec = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", entry).group(1, 0, 2)
        deps[canonicalize_name(name)] = SpecifierSet(spec.replace(" ", ""))
    return env, deps


def test_environment_yml_matches_requirements_txt():
    env, deps = conda_dependencies()
    assert env["channels"] == ["conda-forge", "nodefaults"]
    python = deps.pop("python")
    assert "3.11" in python, "Binder's Python range must include 3.11"
    assert deps == pip_requirements(), "environment.yml and requirements.txt name different packages or ranges"


def test_every_requirement_is_bounded_above_and_below():
    for name, spec in pip_requirements().items():
        operators = {s.operator for s in spec}
        assert operators & {">=", "=="} and operators & {"<", "=="}, f"{name} needs a pinned range, has {spec}"


def test_installed_versions_satisfy_the_pins():
    from importlib.metadata import version

    for name, spec in pip_requirements().items():
        assert spec.contains(version(name)), f"installed {name} {version(name)} is outside {spec}"


def test_importing_nbformat_builds_no_iri_parsers():
    """The jsonschema pin keeps rfc3987-syntax (1.7 s of parser building per process) out."""
    import subprocess
    import sys

    probe = "import sys, nbformat, nbgrader.apps; print('rfc3987_syntax' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "False", \
        "importing nbformat loads rfc3987_syntax: jsonschema 4.25+ with rfc3987-syntax (see requirements.txt)"
