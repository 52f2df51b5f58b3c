"""The terminal's log: one rotating file in the user log folder, set up once per process.

An unexpected error at the counter becomes a short notice for the clerk and a full traceback
here, so it can be found after the shift. Nothing here may leak a secret: database URLs are
written masked by the code that logs them, and ``MaskSecrets`` masks any URL with a password
that slips into a record anyway (a driver's message, an exception's text, a traceback).
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from bmstui.config import Settings, mask_url
from bmstui.paths import user_log_dir

LOGGER = "bmstui"
FILE_NAME = "bmstui.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

# scheme://user:password@host — any scheme, so a URL quoted by a driver is caught too.
_URL_WITH_PASSWORD = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/@:'\"]*:[^\s@'\"]*@[^\s'\"]+")
# password=..., passwd: ..., pwd '...' as drivers and config dumps write them
_PASSWORD_PAIR = re.compile(r"(?i)\b(password|passwd|pwd)(\s*[=:]\s*)(['\"]?)[^\s'\",;)]+\3")


def mask_secrets(text: str) -> str:
    """``text`` with every password in a URL or a ``password=`` pair replaced by ***."""
    text = _URL_WITH_PASSWORD.sub(lambda m: mask_url(m.group(0)), text)
    return _PASSWORD_PAIR.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}***{m.group(3)}",
                              text)


class MaskSecrets(logging.Filter):
    """The second line of defence: a record's message, arguments and traceback are masked
    before any handler writes them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_secrets(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_secrets(record.stack_info)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        return True


def log_dir(settings: Settings) -> Path:
    return Path(settings.log_dir).expanduser() if settings.log_dir else user_log_dir()


def log_file(settings: Settings) -> Path:
    return log_dir(settings) / FILE_NAME


_handler: logging.Handler | None = None

# Until ``setup`` runs (a script importing bmstui, a test), records go nowhere rather than to
# stderr, which would draw over the TUI.
for _name in (LOGGER, "screens"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


def setup(settings: Settings) -> Path | None:
    """Send the ``bmstui`` (and ``screens``) loggers to the rotating file of ``settings``,
    replacing an earlier set-up of this process; the file's path, or None when the folder
    cannot be written (the terminal still works, unlogged, and says nothing on the screen)."""
    global _handler
    path = log_file(settings)
    level = getattr(logging, settings.log_level.strip().upper(), logging.INFO)
    loggers = [logging.getLogger(name) for name in (LOGGER, "screens")]
    if _handler is not None:
        for logger in loggers:
            logger.removeHandler(_handler)
        _handler.close()
        _handler = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(MaskSecrets())
    for logger in loggers:
        logger.setLevel(level)
        logger.addHandler(handler)
        logger.propagate = False
    _handler = handler
    return path
