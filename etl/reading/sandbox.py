"""Run the reading and the file-only validation in a child process, within limits.

A fresh interpreter (`python -m etl.reading.child`), not a fork of a worker that may hold
threads and open databases: bytes in on stdin, JSON out on stdout. The child caps its own
address space and CPU time and dies with its parent (etl/reading/child.py); it runs in a
process group of its own, which the parent kills when the wall-clock limit passes (or when
anything goes wrong while it waits), so nothing it started outlives it either. Whatever
happens in the child (a MemoryError, a crash, being killed, running out of time) comes back
as one Problem for each file ("the file could not be read within the limits: ..."), never
as an exception in the worker.

The child's death signal is tied to the thread that started it (Linux's PR_SET_PDEATHSIG):
`run_child` waits for the child on the thread that started it, so that thread outlives it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from etl.problems import Problem
from etl.programmes import Programme
from etl.reading.limits import ReadLimits
from etl.reading.result import RESULTS, ParsedReturn, ParsedTrajectory

PROJECT_ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger(__name__)
MAX_OUTPUT_BYTES = 256 * 1024 * 1024
# A batch gets the limit once plus this much per file (a normal return takes a few ms).
SECONDS_PER_FILE = 0.25
WITHIN_LIMITS_FIX = (
    "A return is a few kilobytes. Check it is the right file; if it is, save a plain "
    "copy (copy the return's cells into a new workbook, or save it as 'CSV UTF-8') "
    "and upload that"
)


@dataclass
class ChildRun:
    """What one child process did: its results, or why it gave none, and what it cost."""

    results: list[ParsedReturn | ParsedTrajectory] = field(default_factory=list)
    failure: str | None = None
    seconds: float = 0.0
    # the child's own peak (VmHWM); for a child that gave no answer, the kernel's ru_maxrss
    # from wait4, which Linux may inflate to the parent's size at the fork
    peak_rss_kb: int = 0
    returncode: int | None = None


def run_child(
    files: list[tuple[str, bytes]],
    programme: Programme,
    limits: ReadLimits,
    today: dt.date | None,
    seconds: float | None = None,
    kind: str = "return",
) -> ChildRun:
    """`kind`: what the files are, "return" or "trajectory" (etl.reading.result.RESULTS)."""
    seconds = seconds if seconds is not None else limits.seconds
    # the kernel's CPU limit backs the wall-clock one: a child whose parent is gone, or whose
    # parent's timer cannot run, is still stopped
    spec = {
        "kind": kind,
        # the definition itself, so the child reads the programme it is given, wherever it came from
        "programme": {"source": programme.source, "file": programme.file},
        "today": today.isoformat() if today else None,
        "limits": limits.as_dict(),
        "cpu_seconds": seconds,
        "files": [{"name": n, "size": len(c)} for n, c in files],
    }
    run = ChildRun()
    started = time.monotonic()
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            [sys.executable, "-X", "utf8", "-m", "etl.reading.child", str(os.getpid())],
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            process_group=0,
            env={k: v for k, v in os.environ.items() if not k.startswith("PYTHONSTARTUP")},
        )
        timed_out = threading.Event()
        # The group's id is the child's pid: it is signalled only while the child is not yet
        # reaped (alive, or a zombie holding its pid), never after, when the pid may be reused.
        reaping = threading.Lock()
        reaped = False

        def expire():
            with reaping:
                if not reaped:
                    timed_out.set()
                    _kill_group(proc)

        timer = threading.Timer(seconds, expire)
        timer.start()
        output = b""
        try:
            try:
                proc.stdin.write(json.dumps(spec).encode() + b"\n")
                for _, content in files:
                    proc.stdin.write(content)
                proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass  # the child is gone: its status says why
            output = proc.stdout.read(MAX_OUTPUT_BYTES + 1)
        except BaseException:  # interrupted while waiting: the child must not outlive this
            _kill_group(proc)
            raise
        finally:
            proc.stdout.close()
            if len(output) > MAX_OUTPUT_BYTES:
                _kill_group(proc)
            os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)  # it has ended; its pid is held
            with reaping:
                timer.cancel()
                _kill_group(proc)  # anything it started, still in its group
                _, status, usage = os.wait4(proc.pid, 0)
                reaped = True
            proc.returncode = os.waitstatus_to_exitcode(status)
        run.seconds = time.monotonic() - started
        run.peak_rss_kb = usage.ru_maxrss
        run.returncode = proc.returncode
        errors.seek(0)
        stderr = errors.read(20_000).decode(errors="replace")
    if stderr.strip():  # for whoever runs the service: the child says nothing when all is well
        log.warning("reading child (exit %s) wrote: %s", proc.returncode, stderr[-4000:])
    if timed_out.is_set():
        run.failure = f"reading it took longer than {limits.seconds:g} seconds"
    elif proc.returncode != 0:
        run.failure = _why(proc.returncode, stderr, limits, seconds)
    else:
        try:
            data = json.loads(output)
            run.results = [RESULTS[kind].from_dict(r) for r in data["results"]]
            run.peak_rss_kb = int(data.get("peak_rss_kb") or run.peak_rss_kb)
        except (ValueError, KeyError, TypeError):
            run.failure = "the reader gave no answer"
    return run


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the child's process group (its id is the child's pid: process_group=0)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _why(code: int, stderr: str, limits: ReadLimits, seconds: float) -> str:
    memory = f"{limits.memory_bytes // 1_048_576:,} MB"
    # Python's MemoryError, a Rust allocation failure (abort), the kernel's OOM killer, or a
    # shared library that could not be mapped under the address-space limit
    out_of_memory = ("MemoryError", "memory allocation", "Cannot allocate memory", "failed to map segment")
    if code == -signal.SIGXCPU:  # the kernel's CPU limit (the wall-clock one usually comes first)
        return f"reading it took more than {seconds:g} seconds of processor time"
    if any(s in stderr for s in out_of_memory) or code in (-signal.SIGABRT, -signal.SIGKILL):
        return f"reading it needed more than the {memory} of memory allowed"
    if code < 0:
        return f"the reader stopped on signal {-code}"
    return "the reader stopped unexpectedly"


def failed(file_name: str, why: str, kind: str = "return") -> ParsedReturn | ParsedTrajectory:
    return RESULTS[kind](
        file_name,
        problems=[
            Problem(file_name, None, None, f"the file could not be read within the limits: {why}", WITHIN_LIMITS_FIX)
        ],
    )


def read_files(
    files: list[tuple[str, bytes]],
    programme: Programme,
    limits: ReadLimits,
    today: dt.date | None,
    kind: str = "return",
) -> list[ParsedReturn | ParsedTrajectory]:
    """Each file read and checked on its own, in one child for the batch; if that child
    fails, each file again in a child of its own, so the failure is pinned on its file.
    `kind`: "return" (ParsedReturn) or "trajectory" (ParsedTrajectory)."""
    if not files:
        return []
    run = run_child(
        files, programme, limits, today, seconds=limits.seconds + SECONDS_PER_FILE * (len(files) - 1), kind=kind
    )
    if run.failure is None and len(run.results) == len(files):
        return run.results
    if len(files) == 1:
        return [failed(files[0][0], run.failure or "the reader gave no answer", kind)]
    return [read_files([f], programme, limits, today, kind)[0] for f in files]
