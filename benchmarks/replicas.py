"""Several app processes behind nginx, sessions sticky by cookie (docs/serving.md).

`nginx_config` writes the proxy configuration: an upstream of app replicas chosen by a consistent hash
of the `atlas_replica` cookie, which the proxy itself sets on the first response (from nginx's random
`$request_id`), so a browser's page, websocket and uploads all reach the replica that holds its
session. Client addresses are not used: behind one NAT, or on loopback, they are all the same.
`Replicas` starts N replicas of the app on loopback ports (one dataset folder, one cookie secret) and
nginx in front of them, for the two-replica test and `python -m geo bench load --replicas N`.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

COOKIE = "atlas_replica"
REPLICA_HEADER = "X-Atlas-Replica"
START_TIMEOUT_S = 30.0

NGINX_CONFIG = """\
# Briefing Atlas behind nginx: {count} app replicas, sessions sticky by cookie (docs/serving.md).
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 1024; }}

http {{
    client_body_temp_path {run}/client_body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    log_format atlas '$remote_addr [$time_local] "$request" $status cookie=$atlas_route upstream=$upstream_addr';
    access_log {run}/access.log atlas;
    # Streamlit's server.maxUploadSize is 5 MB (.streamlit/config.toml); the multipart wrapping adds a little.
    client_max_body_size 6m;

    # WebSockets: pass the upgrade through (Streamlit's /_stcore/stream).
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}
    # The routing key: the browser's {cookie} cookie, or a new random one on its first request.
    map $cookie_{cookie} $atlas_route {{
        ""      $request_id;
        default $cookie_{cookie};
    }}

    upstream atlas {{
        hash $atlas_route consistent;
{servers}
    }}

    server {{
        listen {listen};
        location / {{
            proxy_pass http://atlas;
            proxy_http_version 1.1;
            # Streamlit compares the websocket's Origin with Host: pass the browser's Host unchanged.
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 1d;
            proxy_send_timeout 1d;
            add_header Set-Cookie "{cookie}=$atlas_route; Path=/; HttpOnly; SameSite=Lax" always;{replica_header}
        }}
    }}
}}
"""


def nginx_config(upstreams: list[str], listen: str, run_dir: str | Path, replica_header: bool = True) -> str:
    """The nginx configuration for `upstreams` ("127.0.0.1:8601", …) behind `listen` ("127.0.0.1:8500").

    Parameters
    ----------
    upstreams : list of str
        host:port of each app replica.
    listen : str
        nginx's listen address (host:port, or a port).
    run_dir : str or Path
        Folder for nginx's pid file, logs and temp files.
    replica_header : bool
        Add an `X-Atlas-Replica` response header naming the replica that answered (for tests; leave it
        off in production).

    Returns
    -------
    str
    """
    if not upstreams:
        raise ValueError("at least one upstream")
    servers = "\n".join(f"        server {u};" for u in upstreams)
    header = f"\n            add_header {REPLICA_HEADER} $upstream_addr always;" if replica_header else ""
    return NGINX_CONFIG.format(
        count=len(upstreams), run=Path(run_dir), cookie=COOKIE, servers=servers, listen=listen, replica_header=header
    )


def find_nginx() -> str | None:
    """The nginx binary (Debian: apt-get install nginx), or None."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float, log: Path) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited early: {log.read_text(errors='replace')[-1500:]}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} not healthy within {timeout_s:.0f} s; see {log}")
        time.sleep(0.1)


class Replicas:
    """`count` app replicas on loopback + nginx in front; a context manager.

    Attributes after entering: `url` (the proxy), `upstreams` ("127.0.0.1:port" per replica), `servers`
    (the replica processes, `benchmarks.render._Server`), `run_dir` (config and logs).
    """

    def __init__(self, count: int = 2, env: dict | None = None, nginx: str | None = None) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        self.count = count
        self.env = dict(env or {})
        self.nginx = nginx or find_nginx()
        if not self.nginx:
            raise RuntimeError("nginx not found (apt-get install nginx)")
        self.servers: list = []
        self.proxy: subprocess.Popen | None = None
        self.run_dir = Path(tempfile.mkdtemp(prefix="atlas-proxy-"))
        self.url = ""
        self.upstreams: list[str] = []

    def __enter__(self) -> Replicas:
        from benchmarks.render import _Server

        # One cookie secret for all replicas: anything Streamlit signs on one is valid on the others.
        env = {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32), **self.env}
        try:
            for _ in range(self.count):
                self.servers.append(_Server("app.py", env, self.run_dir))
            self.upstreams = [f"127.0.0.1:{s.port}" for s in self.servers]
            port = _free_port()
            # nginx's workers run as an unprivileged user when started by root: they must reach the folder.
            self.run_dir.chmod(0o755)
            conf = self.run_dir / "nginx.conf"
            conf.write_text(nginx_config(self.upstreams, f"127.0.0.1:{port}", self.run_dir))
            log = self.run_dir / "nginx.out"
            with open(log, "w") as out:
                self.proxy = subprocess.Popen(
                    [
                        self.nginx,
                        "-p",
                        str(self.run_dir),
                        "-c",
                        str(conf),
                        "-e",
                        str(self.run_dir / "error.log"),
                        "-g",
                        "daemon off;",
                    ],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            self.url = f"http://127.0.0.1:{port}"
            _wait_healthy(self.url, self.proxy, START_TIMEOUT_S, log)
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        if self.proxy is not None and self.proxy.poll() is None:
            self.proxy.terminate()
            try:
                self.proxy.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proxy.kill()
        for server in self.servers:
            server.stop()

    def __exit__(self, *exc) -> None:
        self.close()

    def access_log(self) -> list[dict[str, str]]:
        """The proxy's access log as {"request", "status", "cookie", "upstream"} rows."""
        rows = []
        path = self.run_dir / "access.log"
        for line in path.read_text(errors="replace").splitlines() if path.exists() else []:
            try:
                request = line.split('"')[1]
                tail = line.split('"')[2].split()
                fields = dict(part.split("=", 1) for part in tail[1:] if "=" in part)
                rows.append({"request": request, "status": tail[0], **fields})
            except (IndexError, ValueError):
                continue
        return rows
