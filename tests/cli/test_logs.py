"""The terminal's log: a rotating file in the log folder, set up once, never holding a secret."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from bmstui import logs
from bmstui.cli.entry import main
from bmstui.config import get_settings
from bmstui.logs import MaskSecrets, mask_secrets

SECRET = "s3cret-Pa55"
URL = f"mysql://root:{SECRET}@127.0.0.1:1/bmstui"


@pytest.mark.parametrize("text", [
    f"cannot use {URL}",
    f"url='{URL}'",
    f"mysql+pymysql://u:{SECRET}@db.cinema.local/x?charset=utf8mb4",
    f"password={SECRET}",
    f"PASSWORD: '{SECRET}'",
    f"connect(host='db', passwd='{SECRET}', user='root')",
])
def test_passwords_are_masked_wherever_they_appear(text):
    masked = mask_secrets(text)
    assert SECRET not in masked and "***" in masked


def test_text_without_a_secret_is_left_alone():
    for text in ("mysql://root@127.0.0.1:3306/test", "sold A1, A2 for ₹500.00",
                 "https://example.com/a:b"):
        assert mask_secrets(text) == text


def setup_in(tmp_path, **values):
    return logs.setup(replace(get_settings(), log_dir=str(tmp_path / "logs"), **values))


def test_records_messages_arguments_and_tracebacks_are_masked(tmp_path):
    path = setup_in(tmp_path)
    log = logging.getLogger("bmstui.test")
    log.info("opened %s", URL)
    log.warning(f"plain {URL}")
    try:
        raise RuntimeError(f"driver said {URL}")
    except RuntimeError:
        log.exception("failed with password=%s", SECRET)
    text = path.read_text(encoding="utf-8")
    assert SECRET not in text
    assert text.count("root:***@127.0.0.1:1") == 3 and "Traceback" in text
    assert path.parent == tmp_path / "logs" and path.name == "bmstui.log"


def test_the_level_comes_from_the_settings_and_setup_replaces_itself(tmp_path):
    path = setup_in(tmp_path, log_level="warning")
    log = logging.getLogger("bmstui.test")
    log.info("quiet")
    log.warning("loud")
    path = setup_in(tmp_path, log_level="DEBUG")  # a second set-up: one handler, new level
    log.debug("detail")
    text = path.read_text(encoding="utf-8")
    assert "quiet" not in text and text.count("loud") == 1 and "detail" in text
    handlers = [h for h in logging.getLogger("bmstui").handlers
                if not isinstance(h, logging.NullHandler)]
    assert len(handlers) == 1 and any(isinstance(f, MaskSecrets) for f in handlers[0].filters)


def test_the_command_line_logs_to_the_configured_folder_without_the_password(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BMSTUI_LOG_DIR", str(tmp_path / "cli-logs"))
    assert main(["doctor", "--db", URL]) == 2
    text = (tmp_path / "cli-logs" / "bmstui.log").read_text(encoding="utf-8")
    assert "doctor" in text and "root:***@127.0.0.1:1" in text and SECRET not in text
    assert SECRET not in capsys.readouterr().err


def test_doctor_prints_the_log_file(tmp_path, monkeypatch, capsys, backends):
    monkeypatch.setenv("BMSTUI_LOG_DIR", str(tmp_path / "doctor-logs"))
    url = backends.new_url("sqlite")
    main(["doctor", "--db", url])
    out = "".join(capsys.readouterr().out.split())  # a long path is folded, never cut
    assert "logfile" in out and "".join(str(tmp_path / "doctor-logs" / "bmstui.log").split()) in out
