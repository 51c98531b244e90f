"""Who may write: the editor secret (stored hashed), constant-time checks and a failure throttle.

The app is read-only unless the operator configures an editor secret. Only a hash is stored, in
`.streamlit/secrets.toml` (key `editor_secret_hash`, or `editor_secret_sha256` for a bare hex
SHA-256) or in the environment variable `GEO_EDITOR_SECRET_HASH` (which wins). The recommended
form is the scrypt string printed by `python -m geo editor-hash`:

    editor_secret_hash = "scrypt$16384$8$1$<salt hex>$<hash hex>"

Checks compare digests with `hmac.compare_digest`; a `Throttle` makes each failed attempt of a
session wait twice as long as the previous one (1 s, 2 s, 4 s … capped) before the next is tried.
Pure logic: the Streamlit page calls `configured`, `Throttle.attempt`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets as _secrets
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import Path

from geo import config

ENV_VAR = "GEO_EDITOR_SECRET_HASH"
KEYS = ("editor_secret_hash", "editor_secret_sha256")
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def secrets_paths() -> list[Path]:
    """Where Streamlit reads secrets: the project's `.streamlit/secrets.toml`, then the user's.

    Examples
    --------
    >>> secrets_paths()[0].name
    'secrets.toml'
    """
    return [
        config.PROJECT_ROOT / ".streamlit" / "secrets.toml",
        Path.home() / ".streamlit" / "secrets.toml",
    ]


def stored_hash(paths: list[Path] | None = None, env: dict | None = None) -> str:
    """The configured hash string ("" when none): the environment variable first, then secrets.toml.

    Examples
    --------
    >>> stored_hash([], {"GEO_EDITOR_SECRET_HASH": " abc "})
    'abc'
    """
    env = os.environ if env is None else env
    if (env.get(ENV_VAR) or "").strip():
        return env[ENV_VAR].strip()
    for path in secrets_paths() if paths is None else paths:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue  # an unreadable file configures nothing: the app stays read-only
        for key in KEYS:
            if isinstance(data.get(key), str) and data[key].strip():
                return data[key].strip()
    return ""


def well_formed(stored: str) -> bool:
    """Whether `stored` is a hex SHA-256 or a `scrypt$N$r$p$salt$hash` string.

    Examples
    --------
    >>> well_formed("0" * 64), well_formed("secret")
    (True, False)
    """
    return bool(
        re.fullmatch(r"[0-9a-fA-F]{64}", stored or "")
        or re.fullmatch(r"scrypt\$\d+\$\d+\$\d+\$[0-9a-f]+\$[0-9a-f]{64}", stored or "")
    )


def configured(paths: list[Path] | None = None, env: dict | None = None) -> bool:
    """True when a well-formed editor secret hash is configured (else the app stays read-only).

    Examples
    --------
    >>> configured([], {})
    False
    """
    return well_formed(stored_hash(paths, env))


def make_hash(secret: str, salt: bytes | None = None) -> str:
    """The scrypt hash string to store for `secret`.

    Examples
    --------
    >>> make_hash("s3cret", salt=b"0" * 16).startswith("scrypt$16384$8$1$")
    True
    """
    salt = salt or _secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check(secret: str, store: str) -> bool:
    """Whether `secret` matches the stored hash `store` (constant-time digest comparison).

    Examples
    --------
    >>> h = make_hash("s3cret")
    >>> check("s3cret", h), check("guess", h), check("s3cret", "")
    (True, False, False)
    """
    if not isinstance(secret, str) or not secret or not well_formed(store):
        return False
    if store.startswith("scrypt$"):
        _, n, r, p, salt, want = store.split("$")
        n, r, p = int(n), int(r), int(p)
        if n > 2**20 or r > 32 or p > 16:  # refuse parameters that would tie up the server
            return False
        got = hashlib.scrypt(
            secret.encode("utf-8"),
            salt=bytes.fromhex(salt),
            n=n,
            r=r,
            p=p,
            dklen=len(want) // 2,
            maxmem=256 * 1024 * 1024,
        )
        return hmac.compare_digest(got.hex(), want.lower())
    return hmac.compare_digest(hashlib.sha256(secret.encode("utf-8")).hexdigest(), store.lower())


class Throttle:
    """Exponential delay after failed attempts, per key (a session id, or a client address).

    After the k-th consecutive failure the key must wait `base * 2**(k-1)` seconds (capped) before
    the next attempt is even checked; a success clears the key.

    Examples
    --------
    >>> now = [0.0]
    >>> t = Throttle(clock=lambda: now[0])
    >>> t.attempt("s1", "wrong", make_hash("right"))
    (False, 1.0)
    >>> t.attempt("s1", "right", make_hash("right"))  # too soon: not even checked
    (False, 1.0)
    """

    def __init__(
        self,
        base: float = 1.0,
        cap: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.base, self.cap, self.clock = base, cap, clock
        self._failures: dict[str, int] = {}
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        """Seconds `key` must still wait before its next attempt (0 when it may try now)."""
        with self._lock:
            return max(0.0, self._until.get(key, 0.0) - self.clock())

    def failures(self, key: str) -> int:
        """Consecutive failures recorded for `key`."""
        with self._lock:
            return self._failures.get(key, 0)

    def attempt(self, key: str, secret: str, store: str) -> tuple[bool, float]:
        """(unlocked, seconds to wait before the next try). A throttled attempt is refused unchecked."""
        left = self.wait(key)
        if left > 0:
            return False, left
        ok = check(secret, store)
        with self._lock:
            if ok:
                self._failures.pop(key, None)
                self._until.pop(key, None)
                return True, 0.0
            k = self._failures.get(key, 0) + 1
            self._failures[key] = k
            delay = min(self.cap, self.base * 2 ** (k - 1))
            self._until[key] = self.clock() + delay
            return False, delay


HOW_TO_ENABLE = (
    "This atlas is read-only. To enable editing, the operator runs `python -m geo editor-hash`, puts the "
    "printed line in .streamlit/secrets.toml (or sets GEO_EDITOR_SECRET_HASH) and restarts the app; "
    "see docs/editing.md."
)
STATE_KEY = "geo_editor_unlocked"
THROTTLE = Throttle()  # one per server process: failures are remembered across reruns of a session


def unlock(
    state: MutableMapping, key: str, secret: str, store: str | None = None, throttle: Throttle | None = None
) -> tuple[bool, str]:
    """Try to unlock editing for one session; the flag lives in server-side `state` (Streamlit's
    `st.session_state`), never in anything the browser sends.

    Parameters
    ----------
    state : MutableMapping
        The session's server-side state.
    key : str
        Throttle key (the session id).
    secret : str
        What the user typed.
    store : str or None
        The stored hash (default: the configured one).
    throttle : Throttle or None
        Default: the process-wide `THROTTLE`.

    Returns
    -------
    tuple
        (unlocked, message for the user).

    Examples
    --------
    >>> state = {}
    >>> unlock(state, "s1", "x", store="")
    (False, 'Editing is not enabled on this server.')
    >>> is_editor(state)
    False
    """
    store = stored_hash() if store is None else store
    if not well_formed(store):
        return False, "Editing is not enabled on this server."
    ok, wait = (throttle or THROTTLE).attempt(key, secret, store)
    if ok:
        state[STATE_KEY] = True
        return True, "Editing unlocked for this session."
    state.pop(STATE_KEY, None)
    return False, f"Wrong secret, or too many attempts: try again in {wait:.0f} s."


def is_editor(state: Mapping) -> bool:
    """Whether this session unlocked editing (and a secret is still configured).

    Examples
    --------
    >>> is_editor({STATE_KEY: True}) == configured()
    True
    """
    return state.get(STATE_KEY) is True and configured()


def require_editor(state: Mapping) -> None:
    """Raise PermissionError unless the session is an editor: call it inside every write handler, so
    a viewer that sends an editor's widget messages by hand still cannot write.

    Examples
    --------
    >>> require_editor({})
    Traceback (most recent call last):
    PermissionError: editing is locked: read-only session
    """
    if not is_editor(state):
        raise PermissionError("editing is locked: read-only session")


def cmd_editor_hash(args) -> int:
    """`python -m geo editor-hash`: read a secret without echo, print the line for secrets.toml."""
    import getpass

    try:
        secret = getpass.getpass("editor secret: ")
    except (EOFError, KeyboardInterrupt):
        sys.stderr.write("error: no secret given\n")
        return 2
    secret = secret.rstrip("\r\n")
    if len(secret) < 12:
        sys.stderr.write("error: use a secret of at least 12 characters\n")
        return 2
    print(f'{KEYS[0]} = "{make_hash(secret)}"')
    return 0


def register(sub) -> None:
    """Add `editor-hash` to the CLI's subparsers."""
    p = sub.add_parser(
        "editor-hash",
        help="hash an editor secret for .streamlit/secrets.toml (read without echo)",
    )
    p.set_defaults(func=cmd_editor_hash)
