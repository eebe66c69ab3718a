"""The wheel as users get it: built, installed into a fresh venv, used from outside the checkout."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

import gongbao

pytestmark = pytest.mark.slow

PROBE = """
import importlib.metadata, json
import gongbao
result = {"file": gongbao.__file__, "version": gongbao.__version__,
          "distribution": importlib.metadata.version("gongbao"), "tables": {}}
for name in gongbao.tables():
    frame = gongbao.load(name)
    result["tables"][name] = {column: str(frame[column].dtype) for column in frame.columns}
codes = gongbao.load("jurisdictions")["code"]
result["codes"] = sorted(codes)
from gongbao.gbt2260 import load, reference_file
result["reference"] = [str(reference_file()), load().vintage]
print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def wheel(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(repo)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    wheels = list(out.glob("gongbao-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_carries_the_package_and_licenses(wheel: Path, repo: Path) -> None:
    descriptor = json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))
    version = descriptor["version"]
    assert wheel.name.startswith(f"gongbao-{version}-")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert "gongbao/package/datapackage.json" in names
        shipped = json.loads(zf.read("gongbao/package/datapackage.json"))
        assert shipped["version"] == version
        for resource in shipped["resources"]:
            assert f"gongbao/package/{resource['path']}" in names
            assert f"gongbao/package/{resource['schema']}" in names
        for module in (
            "data.py",
            "cli.py",
            "validate.py",
            "tableschema/types.py",
            "problems/catalogue.py",
            "publish/__init__.py",
            "docgen/__init__.py",
            "release.py",
            "docs.py",
            "gbt2260.py",
            "model.py",
            "py.typed",
        ):
            assert f"gongbao/{module}" in names
        # the GB/T 2260 reference: beside the data package, not in it, and the repository's copy
        assert (
            zf.read("gongbao/reference/gbt2260.csv")
            == (repo / "reference" / "gbt2260.csv").read_bytes()
        )
        assert not any(n.startswith("gongbao/package/reference") for n in names)
        licenses = {n.rsplit("/", 1)[-1] for n in names if ".dist-info/licenses/" in n}
        assert {"LICENSE", "LICENSE-DATA"} <= licenses
        meta = zf.read(f"gongbao-{version}.dist-info/METADATA").decode("utf-8")
        assert f"\nVersion: {version}\n" in meta


def test_installed_wheel_loads_every_table_outside_the_checkout(
    wheel: Path, repo: Path, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bindir = "Scripts" if sys.platform == "win32" else "bin"
    python = env_dir / bindir / ("python.exe" if sys.platform == "win32" else "python")
    # The wheel's dependencies (pandas, pyarrow, frictionless, ...) are already installed in the
    # environment running this test, which installed them from pyproject.toml. Reinstalling them
    # would take minutes and need the network, and would test pip rather than the wheel, so the
    # new venv sees the test environment's site-packages *after* its own (a .pth line is
    # appended to sys.path): `gongbao` itself then comes from the freshly installed wheel, which
    # the probe checks through gongbao.__file__.
    install = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            "-q",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    # Only now (pip would otherwise find gongbao already there and skip the wheel):
    purelib = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    test_paths = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    (purelib / "zz_test_environment.pth").write_text("\n".join(test_paths) + "\n", encoding="utf-8")

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    probe = subprocess.run(
        [str(python), "-c", PROBE],
        cwd=outside,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": str(env_dir / bindir), "PYTHONNOUSERSITE": "1"},
    )
    assert probe.returncode == 0, probe.stderr
    result = json.loads(probe.stdout)

    assert Path(result["file"]).resolve().is_relative_to(env_dir.resolve()), result["file"]
    version = json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))["version"]
    assert result["version"] == result["distribution"] == version
    expected = {
        name: {
            column: str(gongbao.load(name)[column].dtype) for column in gongbao.load(name).columns
        }
        for name in gongbao.tables()
    }
    assert result["tables"] == expected
    assert "500000" in result["codes"]
    assert all(len(code) == 6 for code in result["codes"])
    reference, vintage = result["reference"]
    assert Path(reference).resolve().is_relative_to(env_dir.resolve()), reference
    assert vintage == "63 lists, 1980-12 … 2026-09"

    cli = subprocess.run(
        [str(env_dir / bindir / "gongbao"), "--version"],
        cwd=outside,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    assert version in cli.stdout


LIGHT_PROBE = """
import importlib.util, json, subprocess, sys
import gongbao
shapes = {name: list(gongbao.load(name).shape) for name in gongbao.tables()}
engines = {m: importlib.util.find_spec(m) is not None for m in ("pandera", "frictionless")}
cli = subprocess.run([sys.executable, "-m", "gongbao", "validate", "."], capture_output=True,
                     text=True)
print(json.dumps({"shapes": shapes, "engines": engines, "code": cli.returncode,
                  "err": cli.stderr}))
"""


def test_the_light_install_loads_the_data_and_names_the_extra_for_validation(
    wheel: Path, repo: Path, tmp_path: Path
) -> None:
    """`pip install gongbao` brings pandas and pyarrow, not the validator's engines."""
    uv = shutil.which("uv")
    env_dir = tmp_path / "light"
    if uv is None:
        venv.EnvBuilder(with_pip=True).create(env_dir)
        python = env_dir / "bin" / "python"
        install = [str(python), "-m", "pip", "install", "-q", str(wheel)]
    else:
        subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(env_dir)], check=True)
        python = env_dir / "bin" / "python"
        install = [uv, "pip", "install", "-q", "--python", str(python), str(wheel)]
    done = subprocess.run(install, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    probe = subprocess.run(
        [str(python), "-c", LIGHT_PROBE],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": str(env_dir / "bin"), "PYTHONNOUSERSITE": "1"},
    )
    assert probe.returncode == 0, probe.stderr
    result = json.loads(probe.stdout)
    assert result["shapes"] == {n: list(gongbao.load(n).shape) for n in gongbao.tables()}
    assert result["engines"] == {"pandera": False, "frictionless": False}
    assert (result["code"], result["err"]) == (
        2,
        "gongbao: error: this needs pandera, which is not installed: "
        "pip install 'gongbao[validate]'\n",
    )
