"""Every programme's headline per AHSN and quarter, however its definition makes it."""

from __future__ import annotations

import pandas as pd

from etl.programmes import Programme
from etl.quarters import Quarter
from etl.queries.database import Database

COLUMNS = ["ahsn", "slug", "quarter_index", "quarter", "value", "numerator", "denominator", "at_target", "published"]


def headlines(db: Database, programme: Programme, quarter_indexes: list[int] | None = None) -> pd.DataFrame:
    """One row per AHSN (in the national table's order) and quarter (those asked for, or every
    quarter with a return): the current headline `value` (a whole percent for a share or rate,
    the count for a count; NA where the AHSN has no return), its `numerator` and `denominator`
    (NA for a count), whether it meets its target (`at_target`: the national target of a share
    or rate, the AHSN's trajectory for a count; NA without a figure or a target) and whether the
    quarter is `published` (signed off)."""
    if quarter_indexes is None:
        quarter_indexes = list(
            db.query(
                "SELECT DISTINCT quarter_index FROM ahsn_headlines WHERE programme = ? ORDER BY 1", [programme.code]
            )["quarter_index"]
        )
    frame = db.query(
        """SELECT a.short_name AS ahsn, a.slug, a.table_order, q.quarter_index,
                  h.value, h.numerator, h.denominator,
                  CASE WHEN h.value IS NULL THEN NULL
                       WHEN p.headline_kind = 'count' THEN h.value >= t.target_percent
                       ELSE h.value >= p.target_percent END AS at_target,
                  pub.quarter_index IS NOT NULL AS published
           FROM ahsns a
           CROSS JOIN (SELECT unnest(?::INTEGER[]) AS quarter_index) q
           JOIN programmes p ON p.code = ?
           LEFT JOIN ahsn_headlines h ON h.programme = p.code AND h.ahsn = a.short_name AND h.quarter_index = q.quarter_index
           LEFT JOIN trajectory_targets t ON t.programme = p.code AND t.ahsn = a.short_name
                 AND t.quarter_index = q.quarter_index
           LEFT JOIN publications pub ON pub.programme = p.code AND pub.quarter_index = q.quarter_index
           ORDER BY q.quarter_index, a.table_order""",
        [[int(i) for i in quarter_indexes], programme.code],
    ).copy()  # the query's cached frame is never changed
    frame["quarter"] = [Quarter.from_index(int(i)).label for i in frame["quarter_index"]]
    for column in ("value", "numerator", "denominator"):
        frame[column] = frame[column].astype("Int64")
    frame["at_target"] = frame["at_target"].astype("boolean")
    frame["published"] = frame["published"].astype(bool)
    return frame[COLUMNS].reset_index(drop=True)


def published_headlines(db: Database, programme: Programme, last: int = 5) -> pd.DataFrame:
    """`headlines` for the programme's `last` published quarters (oldest first), what the
    overview of every programme and each AHSN's portfolio show; empty before the first
    sign-off. Unpublished quarters are never here: these pages are public."""
    published = db.query(
        "SELECT quarter_index FROM publications WHERE programme = ? ORDER BY quarter_index DESC LIMIT ?",
        [programme.code, last],
    )["quarter_index"]
    if published.empty:
        return pd.DataFrame(columns=COLUMNS)
    return headlines(db, programme, sorted(int(i) for i in published))


def first_published_headlines(db: Database, programme: Programme, quarter_indexes: list[int]) -> pd.DataFrame:
    """Per AHSN and published quarter with a return, the headline as first published (what the
    board saw): `ahsn`, `quarter_index`, `value`, `numerator`, `denominator`, made as
    `ahsn_headlines` makes the current one, from the first published submission's counts."""
    frame = db.query(
        """WITH figures AS (
               SELECT f.ahsn, f.quarter_index, p.headline_kind AS kind,
                      CASE p.headline_kind
                           WHEN 'share' THEN f.adopted_trusts::HUGEINT
                           WHEN 'rate' THEN coalesce(n.total, 0)
                           WHEN 'count' THEN c.total
                      END AS numerator,
                      CASE p.headline_kind
                           WHEN 'share' THEN f.counted_trusts::HUGEINT
                           WHEN 'rate' THEN coalesce(d.total, 0)
                      END AS denominator
               FROM first_published_quarters f
               JOIN programmes p ON p.code = f.programme
               LEFT JOIN return_measures n ON n.submission_id = f.submission_id AND n.ahsn = f.ahsn
                     AND n.quarter_index = f.quarter_index AND n.measure = p.headline_numerator
               LEFT JOIN return_measures d ON d.submission_id = f.submission_id AND d.ahsn = f.ahsn
                     AND d.quarter_index = f.quarter_index AND d.measure = p.headline_denominator
               LEFT JOIN return_measures c ON c.submission_id = f.submission_id AND c.ahsn = f.ahsn
                     AND c.quarter_index = f.quarter_index AND c.measure = p.headline_measure
               WHERE f.programme = ? AND list_contains(?, f.quarter_index))
           SELECT ahsn, quarter_index,
                  (CASE WHEN kind = 'count' THEN numerator
                        WHEN denominator > 0 THEN (200 * numerator + denominator) // (2 * denominator)
                   END)::BIGINT AS value,
                  numerator::BIGINT AS numerator, denominator::BIGINT AS denominator
           FROM figures ORDER BY quarter_index, ahsn""",
        [programme.code, [int(i) for i in quarter_indexes]],
    ).copy()
    for column in ("value", "numerator", "denominator"):
        frame[column] = frame[column].astype("Int64")
    return frame
