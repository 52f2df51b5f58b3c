"""What one counter remembers between runs (its last city), in a small JSON file.

Never shared between counters and never needed: a missing or damaged file just means the
clerk picks the city again, so reading it never fails and writing it never interrupts a sale.
"""

from __future__ import annotations

import json
from pathlib import Path

from bmstui.paths import terminal_state_file


class TerminalMemory:
    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else terminal_state_file()

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str, default=None):
        return self._read().get(key, default)

    def set(self, key: str, value) -> None:
        data = self._read()
        data[key] = value
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            tmp.replace(self.path)
        except OSError:
            pass  # a read-only home costs the clerk one keystroke next time, nothing more
