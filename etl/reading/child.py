"""The reading child process: `python -m etl.reading.child`, run by etl.reading.sandbox.

    stdin:  one JSON line {"kind", "programme", "today", "limits", "files": [{"name", "size"}, ...]}
            then each file's bytes, one after another
    stdout: one JSON object {"results": [ParsedReturn.as_dict(), ...], "peak_rss_kb": n}

`kind` is "return" (quarterly returns, ParsedReturn), "trajectory" (ParsedTrajectory) or
"cases" (a QCA's case table, ParsedCaseTable).

It limits its own address space (RLIMIT_AS) before reading anything; the parent enforces
the wall-clock limit by killing it. Imports are kept light (no pandas, no duckdb, no dash)
so that it starts in tens of milliseconds.
"""

from __future__ import annotations

import json
import resource
import sys
import traceback

HEADER_BYTES = 1_000_000


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
    stdin = sys.stdin.buffer
    spec = json.loads(stdin.readline(HEADER_BYTES))
    _limit_memory(int(spec["limits"]["memory_bytes"]))

    import datetime as dt

    from etl.problems import Problem
    from etl.programmes import PROGRAMMES
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
    programme = PROGRAMMES[spec["programme"]]
    today = dt.date.fromisoformat(spec["today"]) if spec.get("today") else None
    results = []
    for entry in spec["files"]:
        content = stdin.read(int(entry["size"]))
        try:
            parsed = check(entry["name"], content, programme, limits, today)
        except MemoryError:
            parsed = RESULTS[kind](entry["name"], problems=[Problem(
                entry["name"], None, None,
                f"the file could not be read within the limits: reading it needed more than "
                f"{limits.memory_bytes // 1_048_576:,} MB of memory",
                "A return is a few kilobytes: check it is the right file")])
        except Exception:  # a fault of ours: the traceback for the log, a plain problem for the user
            traceback.print_exc()
            parsed = RESULTS[kind](entry["name"], problems=[Problem(
                entry["name"], None, None, "the file could not be read: the reader met something it "
                "does not handle", "Save it again as 'CSV UTF-8' or .xlsx and upload that; if that "
                "fails too, send the file to the national team")])
        del content
        results.append(parsed.as_dict())
    sys.stdout.write(json.dumps({"results": results, "peak_rss_kb": _peak_kb()}, ensure_ascii=False))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
