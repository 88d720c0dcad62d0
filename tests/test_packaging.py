"""The wheel carries the shipped rulesets: built, installed in a fresh virtual environment, used from elsewhere.

The wheel is built from a copy of the sources (the checkout is left as it is) with ``pip wheel``,
installed without its dependencies into a new virtual environment, and run from a directory outside
the checkout. The dependencies are taken from the environment running the tests (a ``.pth`` file
names their directories), so the test needs no package index; building needs setuptools, which
pip fetches for the build unless it is cached — without it the test is skipped, saying why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2024-12-01T00:00+08:00"


def test_every_package_under_src_is_listed() -> None:
    """pyproject.toml lists the packages (a find cannot map rulesets/ into the package): a new one must be added."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    src = ROOT / "src"
    found = {".".join(p.parent.relative_to(src).parts) for p in src.rglob("__init__.py")}
    assert set(config["packages"]) == found | {"efficiency_rules.rulesets"}, "list the new package in pyproject.toml"
    assert config["package-dir"] == {"": "src", "efficiency_rules.rulesets": "rulesets"}


def _run(args: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """A fresh virtual environment with only the wheel installed; its bin directory, a directory outside, the env."""
    work = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    source = work / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("src", "rulesets"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    built = _run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(work / "dist")], cwd=work, env=env)
    wheels = list((work / "dist").glob("efficiency_rules-*.whl"))
    if built.returncode != 0 or len(wheels) != 1:
        pytest.skip(f"cannot build the wheel here (pip wheel exited {built.returncode}): {built.stderr.strip()[-400:]}")
    venv = work / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], cwd=work, env=env)
    assert made.returncode == 0, made.stderr
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    done = _run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheels[0])], cwd=work, env=env)
    assert done.returncode == 0, done.stderr
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=work, env=env)
    import chinese_calendar
    import click
    import dateutil
    import pydantic
    import pydantic_core
    import yaml

    dirs = {str(Path(module.__file__ or "").resolve().parents[1])
            for module in (click, dateutil, pydantic, pydantic_core, yaml, chinese_calendar)}
    dirs |= {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site.stdout.strip(), "dependencies-of-the-tests.pth").write_text("\n".join(sorted(dirs)) + "\n", encoding="utf-8")
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    shutil.copy2(ROOT / "examples" / "cases.jsonl", elsewhere / "cases.jsonl")
    return bin_dir, elsewhere, env


def test_the_installed_package_is_the_wheel_and_carries_the_rulesets(installed: tuple[Path, Path, dict[str, str]]) -> None:
    bin_dir, elsewhere, env = installed
    code = ("import efficiency_rules, efficiency_rules._shipped as s; "
            "print(efficiency_rules.__file__); print(s.shipped_root()); print(len(s.shipped_rulesets()))")
    shown = _run([str(bin_dir / "python"), "-c", code], cwd=elsewhere, env=env)
    assert shown.returncode == 0, shown.stderr
    package, root, count = shown.stdout.splitlines()
    venv = str(bin_dir.parent)
    assert package.startswith(venv) and root.startswith(venv), shown.stdout
    assert Path(root) == Path(package).parent / "rulesets"
    assert count == "15"
    assert sorted(p.name for p in Path(root, "cn").iterdir() if p.suffix == ".yaml") == [
        "one-time-notification.test.yaml", "one-time-notification.yaml", "xinfang.test.yaml", "xinfang.yaml",
        "xxgk.test.yaml", "xxgk.yaml", "xzxk.test.yaml", "xzxk.yaml",
    ]


def test_the_commands_work_from_outside_the_checkout(installed: tuple[Path, Path, dict[str, str]]) -> None:
    bin_dir, elsewhere, env = installed
    command = str(bin_dir / "efficiency-rules")
    listed = _run([command, "rulesets"], cwd=elsewhere, env=env)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert "cn.xzxk@2019  中华人民共和国行政许可法（办理期限）" in lines
    assert lines[-1] == "15个规则集；efficiency-rules rulesets show ID 查看其一"

    judged = _run([command, "evaluate", "cn.xzxk", "--events", "cases.jsonl", "--as-of", AS_OF], cwd=elsewhere, env=env)
    assert judged.returncode == 0, judged.stderr
    table = judged.stdout.splitlines()
    assert table[1].split()[:7] == ["2024年10月8日17:30", "licence.late-notice", "违规", "工作人员：w-wang，单位：transport-bureau", "-",
                                    "办件XK-2024-0919", "办件XK-2024-0919"]
    assert sum("licence.overdue" in line for line in table) == 4

    tested = _run([command, "test", "-q", "cn.xzxk"], cwd=elsewhere, env=env)
    assert (tested.returncode, tested.stdout) == (0, "15 passed, 0 failed\n"), tested.stderr
