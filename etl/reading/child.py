"""The reading child process: `python -m etl.reading.child`, run by etl.reading.sandbox.

    python -m etl.reading.child PARENT_PID
    stdin:  one JSON line {"kind", "programme", "today", "limits", "cpu_seconds",
            "files": [{"name", "size"}, ...]} then each file's bytes, one after another
    stdout: one JSON object {"results": [ParsedReturn.as_dict(), ...], "peak_rss_kb": n}

`kind` is "return" (quarterly returns, ParsedReturn), "trajectory" (ParsedTrajectory) or
"cases" (a QCA's case table, ParsedCaseTable).

Before reading anything it bounds itself, so that it ends even if its parent is gone:
- it dies with its parent: PR_SET_PDEATHSIG (Linux, through prctl), then a check that the
  parent it was started by is still its parent (it may have died before the prctl), and a
  thread that watches for the parent to change, where prctl is not there;
- RLIMIT_CPU: the kernel stops it after `cpu_seconds` of CPU (SIGXCPU, then SIGKILL a
  second later), whoever is waiting for it;
- RLIMIT_AS: its address space (`limits.memory_bytes`).
The parent runs it in a process group of its own and kills the group at its wall-clock
limit. Imports are kept light (no pandas, no duckdb, no dash) so that it starts in tens of
milliseconds.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sys
import threading
import time
import traceback

HEADER_BYTES = 1_000_000
PR_SET_PDEATHSIG = 1  # linux/prctl.h
# How often the fallback watch looks for its parent.
WATCH_SECONDS = 0.5


def _die_with_parent(parent: int) -> None:
    """SIGKILL when the parent dies (the kernel's doing, so it works while the reader is
    busy in Rust holding the interpreter); else a thread that exits when the parent changes."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        armed = False
    if os.getppid() != parent:  # the parent died before the prctl: nobody is waiting
        os._exit(3)
    if not armed:

        def watch():
            while os.getppid() == parent:
                time.sleep(WATCH_SECONDS)
            os._exit(3)

        threading.Thread(target=watch, daemon=True).start()


def _limit_cpu(seconds: float) -> None:
    soft = max(1, int(seconds + 0.999))
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    # SIGXCPU at the soft limit (which kills, as nothing here handles it), SIGKILL at the hard
    resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 1 if hard == resource.RLIM_INFINITY else hard))


def _limit_memory(limit: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _peak_kb() -> int:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss
    over from the parent across fork and exec, so a child of a big worker would seem big."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> int:
    if len(sys.argv) > 1:
        _die_with_parent(int(sys.argv[1]))
    stdin = sys.stdin.buffer
    spec = json.loads(stdin.readline(HEADER_BYTES))
    _limit_cpu(float(spec.get("cpu_seconds") or spec["limits"]["seconds"]))
    _limit_memory(int(spec["limits"]["memory_bytes"]))

    import datetime as dt

    from etl.problems import Problem
    from etl.programmes import parse
    from etl.reading.limits import ReadLimits
    from etl.reading.result import RESULTS

    kind = spec.get("kind", "return")
    if kind == "trajectory":
        from etl.reading.trajectory import check_trajectory_file as check
    elif kind == "cases":
        from etl.reading.casetable import check_case_table_file as check
    else:
        from etl.reading.check import check_file as check
    limits = ReadLimits.from_dict(spec["limits"])
    programme = parse(spec["programme"]["source"], spec["programme"]["file"])
    today = dt.date.fromisoformat(spec["today"]) if spec.get("today") else None
    results = []
    for entry in spec["files"]:
        content = stdin.read(int(entry["size"]))
        try:
            parsed = check(entry["name"], content, programme, limits, today)
        except MemoryError:
            parsed = RESULTS[kind](
                entry["name"],
                problems=[
                    Problem(
                        entry["name"],
                        None,
                        None,
                        f"the file could not be read within the limits: reading it needed more than "
                        f"{limits.memory_bytes // 1_048_576:,} MB of memory",
                        "A return is a few kilobytes: check it is the right file",
                    )
                ],
            )
        except Exception:  # a fault of ours: the traceback for the log, a plain problem for the user
            traceback.print_exc()
            parsed = RESULTS[kind](
                entry["name"],
                problems=[
                    Problem(
                        entry["name"],
                        None,
                        None,
                        "the file could not be read: the reader met something it does not handle",
                        "Save it again as 'CSV UTF-8' or .xlsx and upload that; if that "
                        "fails too, send the file to the national team",
                    )
                ],
            )
        del content
        results.append(parsed.as_dict())
    sys.stdout.write(json.dumps({"results": results, "peak_rss_kb": _peak_kb()}, ensure_ascii=False))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
