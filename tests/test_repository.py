"""Checks on the repository itself: no machine's absolute paths, modules of a readable size."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A home or work folder of one machine ("/work/…", "/home/…", "/root/…"); "../shared" is how to name the
# shared folder, relative to the repository root.
MACHINE_PATH = re.compile(r"(?:^|[^.\w])/(?:work|home|root)/[A-Za-z]")


def _tracked() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:  # not a git checkout (an unpacked copy): check the tree instead
        return [p for p in ROOT.rglob("*") if p.is_file() and ".git" not in p.parts]
    return [ROOT / name for name in out.stdout.splitlines()]


def test_no_absolute_paths_of_one_machine():
    found = []
    for path in _tracked():
        if path.suffix in {".png", ".woff2", ".pkl", ".gz"} or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += [
            f"{path.relative_to(ROOT)}:{n}"
            for n, line in enumerate(text.splitlines(), 1)
            if MACHINE_PATH.search(line) and "MACHINE_PATH" not in line
        ]
    assert not found, f"absolute paths of one machine: {found[:10]}"


def test_modules_under_geo_stay_under_500_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "geo").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert not long, f"modules over 500 lines (one module, one job): {long}"
