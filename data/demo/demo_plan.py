"""The demo data's plan and materials, for make_returns.py: the quarters, a trust as the
generator builds it, how many acute trusts each AHSN has and what happens to them (checked by
hand against Table 8.1; make_returns.check_plan proves it on every run), the trusts that are
not acute, and the invented names."""

from __future__ import annotations

from dataclasses import dataclass, field

from etl.quarters import Quarter, span

# Acute trusts in each AHSN's return at Q1 2018/19 (before any event below).
ACUTE_TRUSTS = {
    "Oxford": 5,
    "Health Innovation Manchester": 11,
    "West Midlands": 16,
    "East Midlands": 8,
    "HIN": 7,
    "Yorkshire & Humber": 14,
    "KSS": 10,
    "South West": 7,
    "Innovation Agency": 15,
    "NENC": 16,
    "Eastern": 11,
    "UCLP": 15,
    "Wessex": 8,
    "West of England": 6,
    "ICHP": 12,
}


@dataclass(frozen=True)
class Merger:
    """Trusts (by readiness rank) merge into one new trust with a new code from `quarter`."""

    ahsn: str
    quarter: str
    ranks: tuple[int, ...]


@dataclass(frozen=True)
class NewTrust:
    """An acute trust comes into scope: its first return is for `quarter`, at `level`."""

    ahsn: str
    quarter: str
    rank: float
    level: int


EVENTS = (
    Merger("West Midlands", "Q1 2019/20", (2, 9)),
    Merger("Health Innovation Manchester", "Q1 2019/20", (0, 4, 8)),
    NewTrust("Innovation Agency", "Q2 2019/20", rank=11.5, level=2),
    Merger("Eastern", "Q1 2020/21", (3, 7)),
    Merger("UCLP", "Q1 2020/21", (1, 4)),
)

# Trusts that are not acute adopt TCAM too but do not count toward the rate:
# (AHSN, trust type, level at Q1 2018/19, Q3 2018/19, Q3 2019/20, Q2 2020/21).
OTHER_TRUSTS = (
    ("HIN", "mental_health", (2, 3, 4, 5)),
    ("NENC", "mental_health", (1, 2, 3, 4)),
    ("KSS", "community", (1, 1, 2, 4)),
    ("KSS", "mental_health", (1, 2, 2, 3)),
    ("Wessex", "community", (2, 2, 3, 3)),
)

# Invented place names: an unusual word (plant, bird, craft or made-up) plus an English
# place-name ending. Chosen to avoid real towns; check any addition against a gazetteer.
STEMS = (
    "Tansy",
    "Juniper",
    "Bryony",
    "Sorrel",
    "Bramble",
    "Thistle",
    "Harebell",
    "Teasel",
    "Damson",
    "Lavender",
    "Quince",
    "Medlar",
    "Sloe",
    "Bilberry",
    "Cowslip",
    "Bluebell",
    "Foxglove",
    "Campion",
    "Vetch",
    "Burdock",
    "Chicory",
    "Larch",
    "Betony",
    "Comfrey",
    "Sainfoin",
    "Lovage",
    "Madder",
    "Tarragon",
    "Valerian",
    "Woad",
    "Feverfew",
    "Figwort",
    "Nuthatch",
    "Dunnock",
    "Linnet",
    "Siskin",
    "Woodlark",
    "Wagtail",
    "Redwing",
    "Plover",
    "Harrier",
    "Kestrel",
    "Dotterel",
    "Stonechat",
    "Redpoll",
    "Goldcrest",
    "Fulmar",
    "Bittern",
    "Pewter",
    "Lantern",
    "Quill",
    "Tallow",
    "Spindle",
    "Bobbin",
    "Thimble",
    "Sextant",
    "Tinder",
    "Flagon",
    "Tankard",
    "Anvil",
    "Gimlet",
    "Tamber",
    "Corrow",
    "Vell",
    "Pellin",
    "Fennick",
    "Lorrin",
    "Stennet",
    "Kelber",
    "Varrow",
    "Norrow",
    "Ilvar",
    "Quen",
    "Mullein",
    "Rampion",
    "Bugloss",
    "Celandine",
    "Snowdrop",
    "Whimbrel",
    "Kittiwake",
    "Gannet",
    "Shrike",
    "Waxwing",
    "Firecrest",
    "Brambling",
    "Trivet",
    "Pestle",
    "Bellows",
    "Ansel",
    "Dorrin",
    "Marrin",
    "Pennel",
)
ENDINGS = ("mere", "hithe", "stow", "combe", "dene", "fold", "moor", "ford", "wick", "bridge", "haven")
ACUTE_NAMES = (
    "{} Hospitals NHS Foundation Trust",
    "{} Teaching Hospitals NHS Trust",
    "{} General Hospital NHS Trust",
    "University Hospitals of {} NHS Foundation Trust",
    "{} Healthcare NHS Trust",
    "Royal {} Hospital NHS Foundation Trust",
)
OTHER_NAMES = {
    "mental_health": ("{} Mental Health NHS Foundation Trust", "{} Partnership NHS Foundation Trust"),
    "community": ("{} Community Health NHS Trust", "{} Community Healthcare NHS Trust"),
}

# Share of the not-yet-adopted acute trusts at level 3 and at level 2 at each published
# quarter (the rest are at 1): adoption work spreads over time.
NOT_ADOPTED_SHARES = ((0.25, 0.40), (0.40, 0.40), (0.55, 0.35))


QUARTERS = span(Quarter.parse("Q1 2018/19"), Quarter.parse("Q2 2020/21"))


@dataclass(eq=False)
class Trust:
    ahsn: str
    trust_type: str
    rank: float  # readiness within its AHSN, 0 adopts first (acute trusts only)
    first: int  # index in QUARTERS of its first return
    last: int = len(QUARTERS) - 1
    predecessors: list[Trust] = field(default_factory=list)
    waypoints: dict[int, int] = field(default_factory=dict)  # quarter index -> pinned level
    levels: dict[int, int] = field(default_factory=dict)  # quarter index -> level
    code: str = ""
    place: str = ""
    name: str = ""
    referrals: dict[int, tuple[int, int]] = field(default_factory=dict)  # index -> (made, completed)

    def active(self, index: int) -> bool:
        return self.first <= index <= self.last
