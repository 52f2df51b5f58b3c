"""Private, throwaway MariaDB servers for tests that must stop, kill or cluster a server.

The shared server of ``BMSTUI_TEST_MYSQL_URL`` must never be restarted by a test, so tests that
need to take a database away (a restart while terminals run, a Galera cluster) start their own
``mariadbd`` here: own data directory under a temp dir, own free port on 127.0.0.1, root over TCP
with an empty password, ``--no-defaults`` so nothing in /etc/mysql leaks in.

    with MariaDBNode("db1") as node:          # initialised, started, ready
        url = node.url("bmstui")                # mysql://root@127.0.0.1:PORT/bmstui
        node.kill(); node.start()               # a crash and a recovery

    with GaleraCluster(size=3) as cluster:    # node 1 bootstraps, the others join by rsync SST
        urls = [n.url("bmstui") for n in cluster.nodes]

No server outlives the test run: ``stop()`` (or leaving the ``with``) shuts a node down, an
``atexit`` hook kills any still running, and each server gets SIGKILL from the kernel if the
thread that started it dies (``PR_SET_PDEATHSIG``), so even a SIGKILLed pytest leaves none
behind. Start nodes from the main thread (or one that lives as long as they should).

Run as root (CI), the servers and their files belong to the ``mysql`` user, as the packages
expect; run as anyone else, to that user.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import pymysql

MARIADBD = shutil.which("mariadbd", path="/usr/sbin:/usr/bin:/usr/local/sbin") or ""
INSTALL_DB = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db") or ""
GALERA_PROVIDER = "/usr/lib/galera/libgalera_smm.so"
SERVICE_USER = "mysql"  # the owner of the servers and their files when we run as root
# Small, fast-starting servers: a test database is a few MB. Flushing the redo log once a
# second instead of at every commit still keeps every commit across a SIGKILL of mariadbd
# (the OS has the bytes); only a power cut would lose the last second.
SERVER_ARGS = (
    "--bind-address=127.0.0.1",
    "--skip-name-resolve",
    "--innodb-buffer-pool-size=64M",
    "--innodb-log-file-size=16M",
    "--innodb-flush-log-at-trx-commit=2",
    "--performance-schema=OFF",
    "--max-connections=300",
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_unicode_ci",
)
LOG_TAIL_LINES = 60

_RUNNING: set[MariaDBNode] = set()
_PR_SET_PDEATHSIG = 1
# Looked up here, not in the forked child, where loading a library is not safe.
try:
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux
    _PRCTL = None


class NodeError(RuntimeError):
    """A node failed to initialise, start or become ready; the message ends with its log."""


def unavailable_reason(galera: bool = False) -> str | None:
    """Why private servers cannot run on this machine (None when they can)."""
    if not MARIADBD:
        return "mariadbd is not installed (apt-get install mariadb-server)"
    if not INSTALL_DB:
        return "mariadb-install-db is not installed (apt-get install mariadb-server)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVICE_USER)
        except KeyError:
            return f"running as root but there is no {SERVICE_USER!r} user to run mariadbd as"
    if galera:
        if not Path(GALERA_PROVIDER).exists():
            return f"{GALERA_PROVIDER} is missing (apt-get install galera-4)"
        for tool in ("rsync", "wsrep_sst_rsync"):
            if not shutil.which(tool):
                return f"{tool} is missing, needed for rsync state transfer (apt-get install rsync)"
        if not any(shutil.which(t) for t in ("ss", "lsof", "sockstat")):
            return "rsync state transfer needs ss or lsof (apt-get install iproute2)"
    return None


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports free on 127.0.0.1 right now (held open together so they
    differ; the kernel hands out ephemeral ports far from 3306)."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def make_base_dir(prefix: str = "bmstui-mariadb-") -> Path:
    """A fresh temp dir the service user can enter (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


@dataclass(frozen=True)
class GaleraNodeSettings:
    """One node's place in a cluster: its own gcomm, IST and SST ports, everyone's gcomm."""

    cluster_name: str
    gcomm_port: int
    ist_port: int
    sst_port: int
    cluster_gcomm_ports: tuple[int, ...]

    def server_args(self, node_name: str) -> list[str]:
        peers = ",".join(f"127.0.0.1:{p}" for p in self.cluster_gcomm_ports)
        provider_options = ";".join([
            f"base_port={self.gcomm_port}",
            f"gmcast.listen_addr=tcp://127.0.0.1:{self.gcomm_port}",
            f"ist.recv_addr=127.0.0.1:{self.ist_port}",
            "gcache.size=64M",
            # Loopback never loses packets; a node that is gone should be noticed quickly.
            "evs.suspect_timeout=PT5S",
            "evs.inactive_timeout=PT10S",
        ])
        return [
            "--wsrep-on=ON",
            f"--wsrep-provider={GALERA_PROVIDER}",
            f"--wsrep-cluster-name={self.cluster_name}",
            f"--wsrep-cluster-address=gcomm://{peers}",
            f"--wsrep-provider-options={provider_options}",
            "--wsrep-node-address=127.0.0.1",
            f"--wsrep-node-name={node_name}",
            "--wsrep-sst-method=rsync",
            f"--wsrep-sst-receive-address=127.0.0.1:{self.sst_port}",
            "--binlog-format=ROW",
            "--default-storage-engine=InnoDB",
            "--innodb-autoinc-lock-mode=2",
            "--wsrep-slave-threads=2",
        ]


class _Started:
    """``with``: started on entry (cleaned up if that fails), stopped and deleted on exit."""

    def __enter__(self) -> Self:
        try:
            if not self.running:
                self.start()
        except BaseException:
            self.cleanup()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()


class MariaDBNode(_Started):
    """One private ``mariadbd``: its data dir, port, process, and the means to end it."""

    def __init__(self, name: str, base_dir: str | Path | None = None, port: int | None = None,
                 *, galera: GaleraNodeSettings | None = None, extra_args: tuple[str, ...] = ()):
        self.name = name
        self._own_base = base_dir is None
        self.base_dir = Path(base_dir) if base_dir is not None else make_base_dir()
        self.dir = self.base_dir / name
        self.datadir = self.dir / "data"
        self.socket = self.dir / "mysqld.sock"
        self.pid_file = self.dir / "mysqld.pid"
        self.log_file = self.dir / "error.log"
        self.port = port or free_ports(1)[0]
        self.galera = galera
        self.extra_args = tuple(extra_args)
        self.proc: subprocess.Popen | None = None

    # -- life cycle -------------------------------------------------------------------------

    def initialise(self) -> None:
        """Create the data directory with the system tables (once; ``start`` calls it)."""
        if (self.datadir / "mysql").is_dir():
            return
        reason = unavailable_reason(galera=self.galera is not None)
        if reason:
            raise NodeError(f"{self.name}: {reason}")
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "tmp").mkdir(exist_ok=True)
        self._give_to_service_user(self.dir)
        args = [
            INSTALL_DB, "--no-defaults", f"--datadir={self.datadir}",
            "--auth-root-authentication-method=normal", "--skip-test-db",
            "--innodb-log-file-size=16M", "--innodb-buffer-pool-size=64M",
        ]
        done = subprocess.run(args, check=False, capture_output=True, text=True, cwd=self.dir,
                              timeout=120, **self._as_service_user())
        if done.returncode != 0:
            raise NodeError(f"{self.name}: mariadb-install-db failed ({done.returncode}):\n"
                            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")

    def start(self, new_cluster: bool = False, *, wait: bool = True,
              timeout: float = 90) -> MariaDBNode:
        """Start the server (initialising it first if needed); wait until it answers.

        ``new_cluster`` bootstraps a Galera cluster from this node (``--wsrep-new-cluster``).
        """
        if self.running:
            raise NodeError(f"{self.name} is already running (pid {self.proc.pid})")
        self.initialise()
        self.socket.unlink(missing_ok=True)
        args = [
            MARIADBD, "--no-defaults", f"--datadir={self.datadir}", f"--port={self.port}",
            f"--socket={self.socket}", f"--pid-file={self.pid_file}",
            f"--log-error={self.log_file}", f"--tmpdir={self.dir / 'tmp'}", *SERVER_ARGS,
        ]
        if self.galera is not None:
            args += self.galera.server_args(self.name)
            if new_cluster:
                args.append("--wsrep-new-cluster")
        args += self.extra_args
        self._log_mark = self.log_file.stat().st_size if self.log_file.exists() else 0
        # Its own session: a ctrl-C at the terminal reaches pytest, not the servers, and kill()
        # can end the SST helpers (rsync, scripts) with the server by process group.
        # preexec_fn only calls prctl(), which is safe between fork and exec.
        self.proc = subprocess.Popen(
            args, cwd=self.dir, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509
            env={**os.environ, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin:" + os.environ.get(
                "PATH", "")},
            **self._as_service_user(),
        )
        _RUNNING.add(self)
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 90) -> None:
        """Wait until root can connect over TCP; NodeError (with the log) if it exits or stalls."""
        deadline = time.monotonic() + timeout
        last = None
        while True:
            if self.proc is None or self.proc.poll() is not None:
                code = None if self.proc is None else self.proc.returncode
                raise NodeError(self._with_log(f"{self.name} exited (code {code}) while starting"))
            try:
                self.connect(connect_timeout=2).close()
                return
            except pymysql.MySQLError as exc:
                last = exc
            if time.monotonic() > deadline:
                raise NodeError(self._with_log(
                    f"{self.name} not ready on port {self.port} after {timeout:.0f} s: {last}"))
            time.sleep(0.2)

    def stop(self, timeout: float = 60) -> None:
        """Clean shutdown (SIGTERM, as systemd does), waiting for it; SIGKILL if it hangs."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                return
        self._reap()

    def kill(self) -> None:
        """SIGKILL the server and its helpers (a crash: InnoDB recovers on the next start)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        self.proc.wait(30)
        self._reap()

    def restart(self, timeout: float = 90) -> MariaDBNode:
        """Clean stop, then start again on the same port and data (a Galera node rejoins)."""
        self.stop()
        return self.start(timeout=timeout)

    def cleanup(self) -> None:
        """Stop the server and delete its files (and the temp dir it made for itself)."""
        self.stop(timeout=30)
        shutil.rmtree(self.base_dir if self._own_base else self.dir, ignore_errors=True)


    # -- talking to it ----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def url(self, dbname: str) -> str:
        return f"mysql://root@127.0.0.1:{self.port}/{dbname}"

    def connect(self, database: str | None = None, **kwargs) -> pymysql.Connection:
        kwargs.setdefault("connect_timeout", 5)
        return pymysql.connect(host="127.0.0.1", port=self.port, user="root", password="",
                               database=database, autocommit=True, **kwargs)

    def query(self, sql: str, args=None) -> list[tuple]:
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(sql, args)
            return list(cur.fetchall())

    def status(self, *names: str) -> dict[str, str]:
        """``SHOW GLOBAL STATUS`` values, e.g. ``status('wsrep_cluster_size')``."""
        rows = self.query("SHOW GLOBAL STATUS WHERE Variable_name IN %s", (names,))
        return {name: value for name, value in rows}

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError as exc:
            return f"(no error log at {self.log_file}: {exc})"
        return "\n".join(text.splitlines()[-lines:])

    def __repr__(self) -> str:
        state = f"pid {self.proc.pid}" if self.running else "stopped"
        return f"<MariaDBNode {self.name} 127.0.0.1:{self.port} {state}>"

    # -- internals --------------------------------------------------------------------------

    def _reap(self) -> None:
        _RUNNING.discard(self)
        self.proc = None

    def _with_log(self, message: str) -> str:
        return f"{message}\n--- {self.log_file} (last lines) ---\n{self.log_tail()}"

    @staticmethod
    def _as_service_user() -> dict:
        if os.geteuid() != 0:
            return {}
        user = pwd.getpwnam(SERVICE_USER)
        return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}

    @staticmethod
    def _give_to_service_user(path: Path) -> None:
        if os.geteuid() != 0:
            return
        user = pwd.getpwnam(SERVICE_USER)
        for root, dirs, files in os.walk(path):
            os.chown(root, user.pw_uid, user.pw_gid)
            for entry in dirs + files:
                os.chown(os.path.join(root, entry), user.pw_uid, user.pw_gid)


class GaleraCluster(_Started):
    """``size`` Galera nodes on loopback: node 1 bootstraps, the others join by rsync SST."""

    def __init__(self, size: int = 3, base_dir: str | Path | None = None,
                 cluster_name: str = "bmstui-test"):
        self._own_base = base_dir is None
        self.base_dir = Path(base_dir) if base_dir is not None else make_base_dir(
            "bmstui-galera-")
        ports = free_ports(4 * size)
        gcomm = tuple(ports[size:2 * size])
        self.nodes = [
            MariaDBNode(
                f"node{i + 1}", self.base_dir, ports[i],
                galera=GaleraNodeSettings(cluster_name, gcomm[i], ports[2 * size + i],
                                          ports[3 * size + i], gcomm),
            )
            for i in range(size)
        ]

    @property
    def running(self) -> bool:
        return any(node.running for node in self.nodes)

    def start(self, timeout: float = 150) -> GaleraCluster:
        """Bootstrap node 1, then join the others one at a time (one donor, one SST at once)."""
        deadline = time.monotonic() + timeout
        first, *rest = self.nodes
        first.start(new_cluster=True, timeout=_left(deadline))
        self.wait_synced([first], 1, _left(deadline))
        for count, node in enumerate(rest, start=2):
            node.start(timeout=_left(deadline))
            self.wait_synced(self.nodes[:count], count, _left(deadline))
        return self

    def wait_synced(self, nodes: list[MariaDBNode] | None = None, size: int | None = None,
                    timeout: float = 60) -> None:
        """Wait until every node is Synced in a primary component of ``size`` nodes."""
        nodes = self.nodes if nodes is None else nodes
        size = len(self.nodes) if size is None else size
        deadline = time.monotonic() + timeout
        while True:
            states = {}
            for node in nodes:
                if not node.running:
                    raise NodeError(node._with_log(f"{node.name} exited while joining"))
                try:
                    states[node.name] = node.status(
                        "wsrep_local_state_comment", "wsrep_cluster_size",
                        "wsrep_cluster_status", "wsrep_ready")
                except pymysql.MySQLError as exc:
                    states[node.name] = {"error": str(exc)}
            if all(s.get("wsrep_local_state_comment") == "Synced"
                   and s.get("wsrep_cluster_size") == str(size)
                   and s.get("wsrep_cluster_status") == "Primary"
                   and s.get("wsrep_ready") == "ON" for s in states.values()):
                return
            if time.monotonic() > deadline:
                logs = "\n".join(n._with_log(n.name) for n in nodes)
                raise NodeError(f"cluster not synced at {size} after {timeout:.0f} s: "
                                f"{states}\n{logs}")
            time.sleep(0.3)

    def stop(self) -> None:
        """Shut every node down at once (SIGTERM), then wait; stragglers get SIGKILL."""
        for node in self.nodes:
            if node.running:
                with contextlib.suppress(ProcessLookupError):
                    node.proc.terminate()
        for node in self.nodes:
            node.stop(timeout=45)

    def cleanup(self) -> None:
        self.stop()
        if self._own_base:
            shutil.rmtree(self.base_dir, ignore_errors=True)
        else:
            for node in self.nodes:
                shutil.rmtree(node.dir, ignore_errors=True)



def _left(deadline: float) -> float:
    return max(1.0, deadline - time.monotonic())


def _die_with_parent() -> None:
    """In the child, after it became the service user: SIGKILL it when its parent dies.
    (The setting survives exec but not a change of user, hence here and not in mariadbd.)"""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)


@atexit.register
def _kill_leftovers() -> None:
    for node in list(_RUNNING):
        node.kill()
