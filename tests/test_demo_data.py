"""The embedded demo data (data/demo/returns/tcam): reproducible, true to Table 8.1, plausible.

The checks on the committed files read them with the csv module and compute everything
afresh; they do not use the generator's code, so a bug there cannot hide itself here.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

from data.demo import make_returns as demo

ROOT = Path(__file__).resolve().parent.parent
RETURNS = ROOT / "data" / "demo" / "returns" / "tcam"
REFERENCE = ROOT / "data" / "reference"
HEADER = "quarter,ahsn,trust_code,trust_name,trust_type,adoption_level,referrals_made,referrals_completed"
QUARTER_LABELS = [
    f"Q{n} {y}/{(y + 1) % 100:02d}"
    for y, n in [
        (2018, 1),
        (2018, 2),
        (2018, 3),
        (2018, 4),
        (2019, 1),
        (2019, 2),
        (2019, 3),
        (2019, 4),
        (2020, 1),
        (2020, 2),
    ]
]


def key_of(label: str) -> str:
    """'Q3 2019/20' -> 'q3_2019_20'."""
    number, years = label.split()
    return f"q{number[1]}_{years.replace('/', '_')}"


def slug(short_name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", short_name.lower().replace("&", "")).strip("-")


def rate(adopted: int, trusts: int) -> int:
    return (200 * adopted + trusts) // (2 * trusts)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


AHSNS = [row["short_name"] for row in read_csv(REFERENCE / "ahsns.csv")]
TABLE = {row["ahsn"]: row for row in read_csv(REFERENCE / "tcam_table_8_1.csv")}


@pytest.fixture(scope="module")
def files() -> dict[str, list[dict[str, str]]]:
    return {path.name: read_csv(path) for path in sorted(RETURNS.glob("*.csv"))}


@pytest.fixture(scope="module")
def rows(files) -> list[dict[str, str]]:
    return [row for file_rows in files.values() for row in file_rows]


@pytest.fixture(scope="module")
def history(rows) -> dict[str, dict[int, dict[str, str]]]:
    """trust code -> quarter position (0 = Q1 2018/19) -> its row."""
    found: dict[str, dict[int, dict[str, str]]] = defaultdict(dict)
    for row in rows:
        found[row["trust_code"]][QUARTER_LABELS.index(row["quarter"])] = row
    return found


# ----------------------------------------------------------------------------- reproducible


def test_regenerating_gives_the_committed_files_byte_for_byte(tmp_path):
    (tmp_path / "stale.csv").write_text("left over\n")
    demo.generate(tmp_path, tmp_path / "tcam" / "organisations.csv")
    made = {p.name: p.read_bytes() for p in tmp_path.glob("*.csv")}
    committed = {p.name: p.read_bytes() for p in RETURNS.glob("*.csv")}
    assert sorted(made) == sorted(committed)
    changed = [name for name in committed if made[name] != committed[name]]
    assert not changed, f"regenerate with python -m data.demo.make_returns; differs: {changed[:5]}"
    assert (tmp_path / "tcam" / "organisations.csv").read_bytes() == demo.ORGANISATIONS.read_bytes()


# ----------------------------------------------------------------------------- true to Table 8.1


def test_rates_and_england_total_reproduce_table_8_1(rows):
    adopted: dict[tuple[str, str], int] = defaultdict(int)
    acute: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        if row["trust_type"] == "acute":
            for ahsn in (row["ahsn"], "Total"):
                acute[(ahsn, key_of(row["quarter"]))] += 1
                adopted[(ahsn, key_of(row["quarter"]))] += int(row["adoption_level"]) >= 4
    columns = [c for c in next(iter(TABLE.values())) if re.fullmatch(r"q\d_\d{4}_\d{2}", c)]
    assert columns == ["q3_2018_19", "q3_2019_20", "q2_2020_21"]
    assert list(TABLE) == AHSNS + ["Total"]
    for ahsn, published in TABLE.items():
        ours = {c: rate(adopted[(ahsn, c)], acute[(ahsn, c)]) for c in columns}
        assert ours == {c: int(published[c]) for c in columns}, ahsn
        for earlier, later in zip(columns, columns[1:]):
            change = f"change_{earlier}_to_{later}"
            assert ours[later] - ours[earlier] == int(published[change]), (ahsn, change)


# ----------------------------------------------------------------------------- file format


def test_one_file_per_ahsn_per_quarter(files):
    expected = {f"{key_of(q)}_{slug(a)}.csv" for q in QUARTER_LABELS for a in AHSNS}
    assert set(files) == expected
    assert len(files) == 150


def test_every_file_has_the_exact_format_and_one_ahsn_and_quarter(files):
    for name, file_rows in files.items():
        raw = (RETURNS / name).read_bytes()
        text = raw.decode("utf-8")
        assert "\r" not in text and text.endswith("\n"), name
        assert text.split("\n", 1)[0] == HEADER, name
        assert file_rows, name
        assert len({r["quarter"] for r in file_rows}) == 1, name
        assert len({r["ahsn"] for r in file_rows}) == 1, name
        assert name == f"{key_of(file_rows[0]['quarter'])}_{slug(file_rows[0]['ahsn'])}.csv"
        assert file_rows[0]["ahsn"] in AHSNS
        assert len({r["trust_code"] for r in file_rows}) == len(file_rows), name


# ----------------------------------------------------------------------------- plausible


def test_levels_and_types_are_valid(rows):
    for row in rows:
        assert row["adoption_level"] in {"1", "2", "3", "4", "5"}, row
        assert row["trust_type"] in {"acute", "mental_health", "community"}, row
    other = {row["ahsn"] for row in rows if row["trust_type"] != "acute"}
    assert 3 <= len(other) <= 5, other


def test_referrals_only_for_live_and_embedded_trusts_and_completed_at_most_made(rows):
    for row in rows:
        made, completed = row["referrals_made"], row["referrals_completed"]
        if int(row["adoption_level"]) < 4:
            assert made == "" and completed == "", row
            continue
        assert made.isdigit() and completed.isdigit(), row
        made, completed = int(made), int(completed)
        assert completed <= made, row
        assert 30 <= made <= 400, row
        assert 0.40 * made <= completed <= 0.75 * made, row


def test_acute_trusts_per_ahsn_quarter_between_3_and_16(files):
    for name, file_rows in files.items():
        acute = sum(1 for r in file_rows if r["trust_type"] == "acute")
        assert 3 <= acute <= 16, (name, acute)


def test_trust_codes_are_demo_codes_unique_and_stable(rows):
    identity: dict[str, set] = defaultdict(set)
    codes_of_name: dict[str, set] = defaultdict(set)
    for row in rows:
        assert re.fullmatch(r"DM\d{3}", row["trust_code"]), row["trust_code"]
        identity[row["trust_code"]].add((row["trust_name"], row["trust_type"], row["ahsn"]))
        codes_of_name[row["trust_name"]].add(row["trust_code"])
    assert all(len(found) == 1 for found in identity.values())
    assert all(len(codes) == 1 for codes in codes_of_name.values())


def test_trusts_move_like_real_adoption(history):
    big_drops = 0
    for code, by_quarter in history.items():
        quarters = sorted(by_quarter)
        assert quarters == list(range(quarters[0], quarters[-1] + 1)), f"{code} has a gap"
        for a, b in zip(quarters, quarters[1:]):
            before, after = by_quarter[a], by_quarter[b]
            big_drops += int(before["adoption_level"]) - int(after["adoption_level"]) >= 2
            if before["referrals_made"] and after["referrals_made"]:
                assert int(after["referrals_made"]) <= 10 * int(before["referrals_made"]), code
    assert big_drops <= 2


def test_most_trusts_start_before_live(history):
    first = [h[0] for h in history.values() if 0 in h]
    assert sum(int(r["adoption_level"]) <= 3 for r in first) > 0.75 * len(first)


def test_trust_count_changes_are_few(history):
    """Mergers and trusts coming into scope: only a handful nationally."""
    starts = sum(1 for h in history.values() if min(h) > 0)
    ends = sum(1 for h in history.values() if max(h) < len(QUARTER_LABELS) - 1)
    assert starts <= 5 and ends <= 10
