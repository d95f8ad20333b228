"""Writing files safely: every output goes to a temporary file in the target folder and is renamed
into place, so a failure never leaves a half-written file or spoils an earlier one, and the input
is never overwritten."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from model.errors import OutputError


@contextlib.contextmanager
def atomic_path(target: Path, forbidden: Path | None = None):
    """Yield a temporary path beside target; rename it to target only on success."""
    target = Path(target)
    if forbidden is not None and target.resolve() == Path(forbidden).resolve():
        raise OutputError(f"the output {target} is the input file; the input is never overwritten. "
                          "Choose another output path with -o.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write in {target.parent}: {exc.strerror}. Choose another folder with -o.") from None
    try:
        yield Path(tmp)
        # mkstemp makes the file readable by its owner only; give it the mode any new file gets
        # (the umask's), so colleagues on a shared drive can open the result.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except PermissionError:
        raise OutputError(f"cannot write {target}: permission denied. If the file is open in Excel, close it and "
                          "run again, or choose another path with -o.") from None
    except IsADirectoryError:
        raise OutputError(f"cannot write {target}: it is a folder. Give a file name ending in .xlsx with -o.") \
            from None
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}. Choose another path with -o.") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)

