"""However the app ends (ctrl+q, SIGTERM, SIGHUP of its terminal), the seats it holds go back
on sale at once, not when the countdown would have run out."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from bmstui.services import seating
from tests.ui_support import make_app, open_show, wait_for_checkout

REPO_ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;?<>]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def held(show_id: int) -> list[str]:
    return sorted(s.label for s in seating.seat_map(show_id) if s.status == "held")


async def test_ctrl_q_at_checkout_releases_the_hold(new_show, tmp_path, settings):
    settings(hold_seconds=600)
    show_id = new_show()
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_show(pilot, show_id)
        await pilot.press("2", "enter")
        checkout = await wait_for_checkout(pilot)
        assert held(show_id) == sorted(checkout.hold.labels)
        await pilot.press("ctrl+q")
    assert held(show_id) == []
    assert not app.open_holds


class Terminal:
    """A pseudo-terminal of 80x24 running one process; what it prints is collected."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.master = master
        self.output = b""
        self.process = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave,
                                        env=env, cwd=cwd, start_new_session=True)
        os.close(slave)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk

    def text(self) -> str:
        return ANSI.sub("", self.output.decode("utf-8", "replace"))

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        os.close(self.master)


def wait_until(condition, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return value


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_to_the_running_app_releases_its_hold(new_show, demo_db, tmp_path, signum):
    show_id = new_show()
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "BMSTUI_DATABASE_URL": demo_db,
           "BMSTUI_HOLD_SECONDS": "600", "BMSTUI_LOCK_AFTER_MINUTES": "0",
           "PYTHONPATH": str(REPO_ROOT), "TERM": "xterm-256color"}
    terminal = Terminal([sys.executable, "-m", "tests.exit_worker", demo_db, str(show_id),
                         "cashier1", str(tmp_path)], env, REPO_ROOT)
    try:
        wait_until(lambda: "seats free" in terminal.text() or terminal.process.poll() is not None,
                   "the seat grid")
        assert terminal.process.poll() is None, terminal.text()[-2000:]
        terminal.type("2")
        wait_until(lambda: "Chosen:" in terminal.text(), "the two best seats chosen")
        terminal.type("\r")
        labels = wait_until(lambda: held(show_id), "the hold in the database")
        assert len(labels) == 2
        wait_until(lambda: "Time left to pay" in terminal.text(), "the checkout")

        terminal.process.send_signal(signum)
        code = terminal.process.wait(30)
    finally:
        terminal.close()
    assert code == 128 + signum, terminal.text()[-2000:]
    assert held(show_id) == []  # at once: the hold had ten minutes to run



async def test_a_fatal_error_releases_the_hold(new_show, tmp_path, settings):
    settings(hold_seconds=600)
    show_id = new_show()
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_show(pilot, show_id)
        await pilot.press("2", "enter")
        await wait_for_checkout(pilot)
        assert len(held(show_id)) == 2
        app.panic("the terminal cannot carry on")  # Textual's way out of a fatal error
    assert not app.is_running
    assert held(show_id) == []
