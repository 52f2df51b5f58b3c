"""The real ``bmstui`` console script, run as a subprocess in a clean environment.

No BMSTUI_*/DB_* variable of the caller reaches it; HOME and the XDG folders point into the test's
temporary directory, which is also the working directory, so no bmstui.toml or .env leaks in.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pymysql
import pytest
from conftest import _server_kwargs

TABLES = ("city", "theater", "screen", "seat", "movie", "show", "show_seat")
CLOSED_PORT_URL = "mysql://root:s3cret@127.0.0.1:1/bmstui"


def _command() -> list[str]:
    script = Path(sys.executable).with_name("bmstui")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from bmstui.cli import main; raise SystemExit(main())"]


@pytest.fixture
def run(tmp_path):
    """run("doctor", "--db", url) -> CompletedProcess, in a clean environment."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not (k.startswith("BMSTUI_") or k.startswith("DB_"))
    }
    home = tmp_path / "home"
    for sub in ("", ".config", ".local/share"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        COLUMNS="250",
        NO_COLOR="1",
        PYTHONWARNINGS="ignore",
    )
    cwd = tmp_path / "cwd"
    cwd.mkdir()

    def invoke(*args: str, extra_env: dict | None = None,
               stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [*_command(), *args],
            cwd=cwd,
            env={**env, **(extra_env or {})},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=180,
        )

    invoke.cwd = cwd
    invoke.home = home
    return invoke


def assert_one_line_failure(result: subprocess.CompletedProcess, *, secret: str | None = None):
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("bmstui: "), lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    if secret:
        assert secret not in result.stderr
        assert secret not in result.stdout
    return lines[0]


# --- failures: one line, exit 2 ------------------------------------------------------------------


def test_doctor_against_a_closed_port(run):
    result = run("doctor", "--db", CLOSED_PORT_URL)
    line = assert_one_line_failure(result, secret="s3cret")
    assert "mysql://root:***@127.0.0.1:1/bmstui" in line
    assert "hint:" in line


@pytest.mark.parametrize(
    "args",
    [
        ("--config", "missing.toml", "doctor"),
        ("doctor", "--config", "missing.toml"),
        ("db", "init", "--config", "missing.toml"),
    ],
)
def test_missing_config_file(run, args):
    line = assert_one_line_failure(run(*args))
    assert "config file not found" in line
    assert "missing.toml" in line


def test_missing_config_file_from_the_environment(run, tmp_path):
    result = run("doctor", extra_env={"BMSTUI_CONFIG": str(tmp_path / "gone.toml")})
    assert "gone.toml" in assert_one_line_failure(result)


def test_invalid_config_value(run):
    (run.cwd / "bmstui.toml").write_text('[booking]\nlocking = "bogus"\n')
    line = assert_one_line_failure(run("doctor"))
    assert "locking" in line and "bogus" in line


def test_password_from_the_environment_is_masked(run):
    result = run(
        "doctor",
        extra_env={"DB_HOST": "127.0.0.1", "DB_PORT": "1", "DB_PASSWORD": "p@ss:w/rd"},
    )
    line = assert_one_line_failure(result, secret="p@ss:w/rd")
    assert "p%40ss" not in line
    assert "root:***@127.0.0.1:1/bmstui" in line


def test_unsupported_url(run):
    line = assert_one_line_failure(run("doctor", "--db", "postgres://app:s3cret@db/x"),
                                   secret="s3cret")
    assert "unsupported database url" in line


# --- the embedded SQLite database ----------------------------------------------------------------


def sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in TABLES}


def test_init_seed_doctor_on_sqlite(run, tmp_path):
    path = tmp_path / "data" / "box.db"
    path.parent.mkdir()  # only the default data folder is created on demand
    url = f"sqlite:///{path}"

    init = run("db", "init", "--db", url)
    assert init.returncode == 0, init.stderr
    assert path.is_file()
    assert f"Schema ready in {path} (sqlite)" in init.stdout
    assert sqlite_counts(path) == dict.fromkeys(TABLES, 0)

    seed = run("db", "seed", "--days", "1", "--db", url)
    assert seed.returncode == 0, seed.stderr
    first = sqlite_counts(path)
    assert first["city"] >= 3 and first["theater"] >= 6 and first["movie"] >= 8
    assert first["show"] > 0 and first["show_seat"] >= first["show"] * 50

    doctor = run("doctor", "--db", url)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "Verdict: healthy" in doctor.stdout
    assert f"{first['show']} shows" in doctor.stdout

    again = run("db", "seed", "--days", "1", "--db", url)
    assert again.returncode == 0, again.stderr
    assert sqlite_counts(path) == first
    assert "Added 0 cities, 0 theaters, 0 screens, 0 seats, 0 movies, 0 shows" in again.stdout


def test_a_relative_sqlite_url_is_relative_to_the_current_folder(run):
    init = run("db", "init", "--db", "sqlite:///here/box.db")
    assert init.returncode == 2, init.stdout + init.stderr
    line = assert_one_line_failure(init)
    assert f"folder {run.cwd / 'here'} does not exist" in line
    assert "use an absolute path" in line
    assert not (run.cwd / "here").exists()  # no stray folder made next to wherever we ran

    (run.cwd / "here").mkdir()
    init = run("db", "init", "--db", "sqlite:///here/box.db")
    assert init.returncode == 0, init.stdout + init.stderr
    assert f"Schema ready in {run.cwd / 'here' / 'box.db'} (sqlite)" in init.stdout
    doctor = run("doctor", "--db", "sqlite:///here/box.db")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert str(run.cwd / "here" / "box.db") in doctor.stdout


def test_an_absolute_sqlite_url_with_a_missing_folder_is_refused(run, tmp_path):
    missing = tmp_path / "nonexistent" / "dir"
    line = assert_one_line_failure(run("db", "init", "--db", f"sqlite:///{missing}/x.db"))
    assert f"folder {missing} does not exist" in line
    assert not missing.exists()


def test_doctor_on_a_fresh_machine_finds_the_schema_missing(run):
    result = run("doctor")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "db init" in result.stdout
    assert "Traceback" not in result.stderr
    # The default database is the embedded file in the (redirected) user data directory.
    assert (run.home / ".local/share" / "bmstui" / "bmstui.db").is_file()
    assert str(run.home / ".local/share" / "bmstui" / "bmstui.db") in result.stdout


def test_cwd_bmstui_toml_and_dotenv_are_used(run, tmp_path):
    path = tmp_path / "via-toml.db"
    (run.cwd / "bmstui.toml").write_text(f'[database]\nurl = "sqlite:///{path}"\n')
    (run.cwd / ".env").write_text("BMSTUI_TERMINAL=counter-7\n")
    assert run("db", "init").returncode == 0
    assert path.is_file()
    doctor = run("doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "counter-7" in doctor.stdout
    assert "bmstui.toml" in doctor.stdout
    # A flag beats both.
    assert "counter-8" in run("doctor", "--terminal", "counter-8").stdout


# --- MariaDB -------------------------------------------------------------------------------------


_server = _server_kwargs


@pytest.fixture
def mysql_url(mysql_check):
    return os.environ["BMSTUI_TEST_MYSQL_URL"]


@pytest.fixture
def throwaway_mysql(mysql_url):
    """A database name that does not exist yet; dropped afterwards whatever happens."""
    name = f"bmstui_cli_{secrets.token_hex(4)}"
    url = urlunsplit(urlsplit(mysql_url)._replace(path=f"/{name}"))
    yield name, url
    with pymysql.connect(**_server(mysql_url)) as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")


def mysql_counts(url: str, name: str) -> dict[str, int]:
    with pymysql.connect(database=name, **_server(url)) as conn, conn.cursor() as cur:
        counts = {}
        for table in TABLES:
            cur.execute(f"SELECT COUNT(*) FROM `{table}`")
            counts[table] = cur.fetchone()[0]
        return counts


def mysql_databases(url: str) -> set[str]:
    with pymysql.connect(**_server(url)) as conn, conn.cursor() as cur:
        cur.execute("SHOW DATABASES")
        return {row[0] for row in cur.fetchall()}


@pytest.mark.mysql
def test_init_seed_doctor_on_mariadb(run, throwaway_mysql):
    name, url = throwaway_mysql
    assert name not in mysql_databases(url)

    before_init = run("doctor", "--db", url)  # does not create it
    line = assert_one_line_failure(before_init)
    assert "db init" in line
    assert name not in mysql_databases(url)

    init = run("db", "init", "--db", url)
    assert init.returncode == 0, init.stderr
    assert name in mysql_databases(url)
    assert mysql_counts(url, name) == dict.fromkeys(TABLES, 0)

    seed = run("db", "seed", "--days", "1", "--db", url)
    assert seed.returncode == 0, seed.stderr
    first = mysql_counts(url, name)
    assert first["city"] >= 3 and first["theater"] >= 6 and first["show"] > 0
    assert first["show_seat"] >= first["show"] * 50

    doctor = run("doctor", "--db", url)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "Verdict: healthy" in doctor.stdout
    assert "MariaDB" in doctor.stdout or "mysql" in doctor.stdout.lower()

    again = run("db", "seed", "--days", "1", "--db", url)
    assert again.returncode == 0, again.stderr
    assert mysql_counts(url, name) == first


@pytest.mark.mysql
def test_seed_creates_a_missing_mariadb_database_too(run, throwaway_mysql):
    name, url = throwaway_mysql
    seed = run("db", "seed", "--days", "1", "--db", url)
    assert seed.returncode == 0, seed.stderr
    assert mysql_counts(url, name)["show"] > 0


@pytest.mark.mysql
def test_wrong_password_on_the_real_server(run, mysql_url):
    secret = "definitely-Wrong-pw-" + secrets.token_hex(3)
    parts = urlsplit(mysql_url)
    user = parts.username or "root"
    netloc = f"{user}:{secret}@{parts.hostname}:{parts.port or 3306}"
    url = urlunsplit(parts._replace(netloc=netloc, path="/bmstui"))
    line = assert_one_line_failure(run("doctor", "--db", url), secret=secret)
    assert f"{user}:***@" in line
    assert "hint:" in line and "password" in line
    # The same through the classic variables: DB_PASSWORD never shows either.
    result = run(
        "doctor",
        extra_env={
            "DB_HOST": parts.hostname or "127.0.0.1",
            "DB_PORT": str(parts.port or 3306),
            "DB_USER": user,
            "DB_PASSWORD": secret,
        },
    )
    line = assert_one_line_failure(result, secret=secret)
    assert "hint:" in line


@pytest.mark.parametrize("group", ["day", "theater", "movie", "method", "channel"])
def test_every_sales_grouping_answers(run, tmp_path, group):
    """Found by a stranger: --by channel, offered by --help, ended in a traceback."""
    url = f"sqlite:///{tmp_path / 'sales.db'}"
    assert run("db", "init", "--db", url).returncode == 0
    result = run("report", "sales", "--by", group, "--db", url)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "Traceback" not in out and f"by {group}" in out
