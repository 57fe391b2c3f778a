"""The project's set-up files agree with each other."""
import re
import tomllib

import yaml

from helpers import paths


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((paths.PROJ_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + [d for group in project["optional-dependencies"].values()
                                       for d in group]
    return dict(re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", spec).groups() for spec in specs)


def test_every_dependency_is_pinned():
    project = tomllib.loads((paths.PROJ_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for spec in project["dependencies"]:
        assert "==" in spec, f"{spec} is not pinned"


def test_environment_yml_matches_pyproject():
    env = yaml.safe_load((paths.PROJ_ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda_pins = dict(spec.split("==") for spec in pip_section if "==" in spec)
    assert conda_pins == _pyproject_pins()
    assert "-e ." in pip_section


def test_ci_runs_the_readme_test_command():
    readme = (paths.PROJ_ROOT / "README.md").read_text(encoding="utf-8")
    ci = (paths.PROJ_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in readme and "make report" in readme
    assert ci.strip().splitlines()[-1] == "make test"
