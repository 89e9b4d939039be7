"""Published builds are immutable: their files are made read-only once `index/current` points at them.

A server reads passages.db through a memory map; truncating it or writing it in place (`cp`,
`rsync --inplace`) under a running server kills the process with SIGBUS. Read-only files make such
a command fail instead (for every user but root, which the server should not run as). A change
is a new build, swapped in by `assistant build`, never an edit of a published one.
"""

from __future__ import annotations

import stat
from pathlib import Path

READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH  # 0444


def seal(build_dir: Path) -> None:
    """Make every file of a published build read-only (its folder stays writable, so
    `assistant build` can still delete the build once it is two builds old)."""
    for path in Path(build_dir).iterdir():
        if path.is_file() and not path.is_symlink():
            path.chmod(READ_ONLY)
