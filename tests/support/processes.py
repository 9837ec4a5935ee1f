"""A running gunicorn seen from outside: its workers and their memory, from /proc."""

import re
from pathlib import Path


def worker_pids(master_pid: int) -> list[int]:
    """The gunicorn master's child processes: its workers."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text()
    return sorted(int(pid) for pid in children.split())


def memory_mb(pid: int, field: str = "VmHWM") -> float:
    """VmHWM (peak resident size since start or the last reset) or VmRSS (resident now), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB$", status, re.MULTILINE).group(1)) / 1024


def reset_peak(pid: int) -> None:
    """Make VmHWM start again from the current resident size."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
