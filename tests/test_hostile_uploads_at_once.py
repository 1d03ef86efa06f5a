"""Six hostile workbooks, each inside every cap, uploaded at once to gunicorn while public pages
are asked for (issue 22, item 2: six at once got two workers killed and public pages timing
out). Every upload gets an answer (read and refused, or 'busy: send it again'), never a 500 or
a dropped connection; no worker is killed; the public pages keep answering, quickly; and no
reading child outlives the uploads.

The workbook: 49 sheets (the cap is 50), each with a trust row and a cell at CV200, so the
reader goes through 980,000 cells (the cap is 1,000,000): the costliest file the caps let in.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from upload_helpers import PASSWORD, build_seed_store, sign_in

from etl.programmes import TCAM
from etl.quarters import Quarter
from etl.reading.limits import ReadLimits
from etl.users import Users
from tests.live import LiveServer

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "hostile"))
import make_binary  # noqa: E402 - the hostile corpus's own maker

pytestmark = pytest.mark.slow  # gunicorn

UPLOADERS = 6
NEAR = '<row r="200"><c r="CV200" t="inlineStr"><is><t>x</t></is></c></row>'


def in_cap_workbook() -> bytes:
    sheets = [
        (
            f"Q{i}",
            make_binary.sheet_xml([make_binary.HEADER, make_binary.TRUST] if i == 1 else [make_binary.TRUST], NEAR),
        )
        for i in range(1, 50)
    ]
    return make_binary.workbook(sheets)


def test_the_workbook_is_inside_every_cap():
    from etl.reading.xlsx import inspect_xlsx

    limits = ReadLimits()
    package = inspect_xlsx(in_cap_workbook(), limits)  # refuses a file over any cap
    assert len(package.sheets) == 49 <= limits.max_sheets
    assert 900_000 < sum(s.area for s in package.sheets) <= limits.max_scanned_cells


def _reading_children() -> int:
    """Processes still running the sandbox's reading child."""
    count = 0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if b"etl.reading" in cmdline.read_bytes():
                count += 1
        except OSError:
            pass
    return count


def test_six_hostile_uploads_at_once_leave_the_public_pages_answering(tmp_path):
    root = tmp_path / "store"
    build_seed_store(root).sign_off(TCAM, Quarter.parse("Q1 2020/21"))  # published figures to serve
    users = Users(root)
    names = [f"attacker{i}" for i in range(UPLOADERS)]
    for name in names:
        users.add(name, PASSWORD, "ahsn", "Wessex")
    content = in_cap_workbook()
    with LiveServer({"METRICS_DATA": str(root)}, workers=3) as live:
        sessions = []
        for name in names:
            session = requests.Session()
            sessions.append((session, sign_in(session, live.url, name)))
        uploads: list = [None] * UPLOADERS
        public: list[tuple[int, float]] = []
        stop = threading.Event()
        barrier = threading.Barrier(UPLOADERS)

        def upload(i: int) -> None:
            session, csrf = sessions[i]
            barrier.wait()
            try:
                uploads[i] = session.post(
                    live.url + "/upload/commit",
                    data={"csrf_token": csrf},
                    files={"file": ("return.xlsx", content)},
                    timeout=120,
                )
            except requests.RequestException as err:
                uploads[i] = err

        def read_pages() -> None:
            while not stop.is_set():
                for address in ("/", "/ahsn/wessex", "/download/national.csv", "/healthz"):
                    started = time.monotonic()
                    try:
                        status = requests.get(live.url + address, timeout=30).status_code
                    except requests.RequestException:
                        status = 0
                    public.append((status, time.monotonic() - started))

        reader = threading.Thread(target=read_pages)
        reader.start()
        threads = [threading.Thread(target=upload, args=(i,)) for i in range(UPLOADERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        time.sleep(1)
        stop.set()
        reader.join()
        log = live._log_text()

    answered = [u.status_code for u in uploads if isinstance(u, requests.Response)]
    assert len(answered) == UPLOADERS, uploads  # no connection dropped by a killed worker
    assert all(code in (422, 429, 503) for code in answered), answered  # read and refused, or busy
    assert "WORKER TIMEOUT" not in log and "was sent SIGKILL" not in log
    assert public and all(status == 200 for status, _ in public), sorted({s for s, _ in public})
    slowest = max(seconds for _, seconds in public)
    assert slowest < 10, f"a public page took {slowest:.1f} s"
    deadline = time.monotonic() + 10
    while _reading_children() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _reading_children() == 0
