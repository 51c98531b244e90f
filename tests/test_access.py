"""Editor access: hashed secret, constant-time check, failure throttle, the editor-hash command."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo import access

ROOT = Path(__file__).resolve().parent.parent


def test_unconfigured_is_locked(tmp_path):
    assert not access.configured([tmp_path / "missing.toml"], {})
    (tmp_path / "secrets.toml").write_text('editor_secret_hash = "plain-text-secret"\n')
    assert not access.configured([tmp_path / "secrets.toml"], {})  # a non-hash is not a configuration
    (tmp_path / "broken.toml").write_text('editor_secret_hash = "unterminated\n')
    assert not access.configured([tmp_path / "broken.toml"], {})
    assert not access.check("anything", "")


def test_secrets_file_and_environment(tmp_path):
    h = access.make_hash("correct horse battery")
    (tmp_path / "secrets.toml").write_text(f'editor_secret_hash = "{h}"\n')
    assert access.configured([tmp_path / "secrets.toml"], {})
    assert access.stored_hash([tmp_path / "secrets.toml"], {}) == h
    other = hashlib.sha256(b"another secret").hexdigest()
    assert access.stored_hash([tmp_path / "secrets.toml"], {access.ENV_VAR: other}) == other  # env wins


def test_correct_and_incorrect_secret():
    h = access.make_hash("correct horse battery")
    assert access.check("correct horse battery", h)
    assert not access.check("correct horse batterY", h)
    assert not access.check("", h)
    assert h != access.make_hash("correct horse battery")  # salted
    hexed = hashlib.sha256(b"legacy secret").hexdigest()
    assert access.check("legacy secret", hexed) and access.check("legacy secret", hexed.upper())
    assert not access.check("legacy secreT", hexed)


def test_constant_time_compare_is_used(monkeypatch):
    calls = []
    real = access.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(access.hmac, "compare_digest", spy)
    h = access.make_hash("s3cret value")
    assert access.check("s3cret value", h) and not access.check("wrong", h)
    assert access.check("x", hashlib.sha256(b"x").hexdigest())
    assert len(calls) == 3


def test_throttle_delays_grow_and_cap():
    now = [100.0]
    t = access.Throttle(base=1.0, cap=8.0, clock=lambda: now[0])
    h = access.make_hash("right secret")
    delays = []
    for _ in range(5):
        ok, wait = t.attempt("session-a", "wrong", h)
        assert not ok
        delays.append(wait)
        now[0] += wait  # wait out the delay before the next try
    assert delays == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert t.wait("session-b") == 0.0  # per key
    ok, wait = t.attempt("session-a", "wrong", h)
    assert not ok and wait == 8.0
    ok, wait = t.attempt("session-a", "right secret", h)  # too soon: refused without checking
    assert not ok and wait == 8.0
    now[0] += 8.0
    assert t.attempt("session-a", "right secret", h) == (True, 0.0)
    assert t.failures("session-a") == 0 and t.attempt("session-a", "wrong", h) == (
        False,
        1.0,
    )


def test_editor_hash_command_reads_stdin_and_prints_a_usable_line():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "editor-hash"],
        check=False,
        input="a long editor secret\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.strip().splitlines()[-1]
    assert line.startswith('editor_secret_hash = "scrypt$') and "a long editor secret" not in proc.stdout
    stored = line.split('"')[1]
    assert access.check("a long editor secret", stored) and not access.check("a long editor secreT", stored)
    short = subprocess.run(
        [sys.executable, "-m", "geo", "editor-hash"],
        check=False,
        input="short\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert short.returncode == 2 and "at least 12" in short.stderr


def test_session_unlock_and_write_guard(monkeypatch):
    h = access.make_hash("correct horse battery")
    monkeypatch.setenv(access.ENV_VAR, h)
    now = [0.0]
    throttle = access.Throttle(clock=lambda: now[0])
    viewer, editor = {}, {}
    # a viewer that fakes the widget state of an editor is still not one: only unlock() sets the flag
    viewer["unlock_button"] = True
    viewer["secret_input"] = "guess"
    with pytest.raises(PermissionError):
        access.require_editor(viewer)
    ok, msg = access.unlock(viewer, "viewer", "guess", throttle=throttle)
    assert not ok and "1 s" in msg and not access.is_editor(viewer)
    ok, _ = access.unlock(editor, "editor", "correct horse battery", throttle=throttle)
    assert ok and access.is_editor(editor)
    access.require_editor(editor)
    monkeypatch.delenv(access.ENV_VAR)
    monkeypatch.setattr(access, "secrets_paths", list)
    assert not access.is_editor(editor)  # secret removed by the operator: sessions lose editing
    assert access.unlock({}, "x", "correct horse battery", throttle=throttle)[0] is False
