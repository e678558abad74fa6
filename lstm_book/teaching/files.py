"""Files written whole or not at all, for the machinery's commands (the experiments, chapter 12's training)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["write_whole"]


def _temporary(path: Path):
    """A new hidden file beside `path` (so that os.replace is a rename), open for writing, made with the umask."""
    name = path.parent / f".{path.name[:40]}.{secrets.token_hex(4)}.tmp"
    return name, open(name, "xb")


def write_whole(contents: dict) -> None:
    """Write each {path: bytes} whole or not at all: every file goes to a temporary file beside it, and only when
    all are written are they renamed into place, in the order given. If anything fails, nothing is left."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in contents.items():
            temporary, stream = _temporary(Path(path))
            staged.append((temporary, Path(path)))
            with stream:
                stream.write(data)
        for temporary, path in staged:
            os.replace(temporary, path)
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
