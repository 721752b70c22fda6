"""Server processes started by the benchmark (``manage.py bench_learners``) and the two-app-server
test (gamification/tests/test_two_servers.py): gunicorn as in production, on a free local port.

A process's standard error is read by a thread (kept for the error message); it is ready once a
line says so (gunicorn's master: ``Listening at``; requests made before a worker has booted wait
in the socket's backlog) or once it exits (the caller then fails with the log).
"""

import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port nothing listens on now (the kernel's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoggedProcess:
    """A child process whose standard error is collected; ``ready`` is set when a line contains
    ``ready_text`` or the process ends. It runs in a session of its own, so ``stop`` ends it and
    every process it started, and an interrupt of the parent (Ctrl-C) does not reach it first."""

    def __init__(self, args: list[str], *, env: dict[str, str], cwd: Path, ready_text: str) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own command lines
            args,
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.ready_text = ready_text
        self.ready = threading.Event()
        self.log: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)
            if self.ready_text in line:
                self.ready.set()
        self.ready.set()  # exited: the caller sees it and shows the log

    def wait_ready(self, timeout: float = 180) -> bool:
        """True once it is ready and still running."""
        return self.ready.wait(timeout=timeout) and self.process.poll() is None

    def tail(self, lines: int = 30) -> str:
        return "".join(self.log[-lines:])

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM to its process group, SIGKILL if it has not ended within ``timeout`` seconds."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=timeout)
            except ProcessLookupError:
                pass


class Gunicorn(LoggedProcess):
    """``python -m gunicorn`` with Mallard's ``gunicorn.conf.py`` (unless ``config`` is None), bound to
    a free local port, serving ``app`` (default: the configuration's ``config.wsgi:application``) from
    the folder ``cwd`` with the environment ``env``; ``options`` are further command-line options
    (workers, threads, worker class)."""

    def __init__(
        self,
        *,
        env: dict[str, str],
        options: list[str],
        cwd: Path = BASE_DIR,
        config: Path | None = BASE_DIR / "gunicorn.conf.py",
        app: str | None = None,
    ) -> None:
        self.port = free_port()
        args = [sys.executable, "-m", "gunicorn", *(["-c", str(config)] if config else [])]
        args += ["--bind", f"127.0.0.1:{self.port}", *options, *([app] if app else [])]
        super().__init__(args, env={**env, "GUNICORN_ACCESS_LOG": ""}, cwd=cwd, ready_text="Listening at")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server's processes: the master, its workers,
        and the workers it has replaced (``max_requests``) and reaped (Linux ``/proc``; 0.0 elsewhere)."""
        pid = self.process.pid
        return _cpu_seconds(pid, reaped=True) + sum(_cpu_seconds(child) for child in _children(pid))


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _cpu_seconds(pid: int, *, reaped: bool = False) -> float:
    """``utime + stime`` of ``pid`` in seconds, plus ``cutime + cstime`` (its children that have exited
    and been waited for) with ``reaped``: fields 14 to 17 of ``/proc/<pid>/stat``, after the command
    name in parentheses, which may hold spaces."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    ticks = sum(int(fields[i]) for i in ((11, 12, 13, 14) if reaped else (11, 12)))
    return ticks / os.sysconf("SC_CLK_TCK")
