-- Derived tables, computed from the base tables (schema.sql) on every build, whether the
-- build started empty or from a copy of the last database: CREATE OR REPLACE, never an
-- update, so both give the same result. Materialised once per build (the file is read-only
-- afterwards), so pages read tables, not views that recompute on every request.

-- The AHSN-quarters each submission holds.
CREATE OR REPLACE TABLE submission_returns AS
SELECT submission_id, programme, ahsn, quarter_index, any_value(quarter) AS quarter, count(*) AS trust_rows
FROM submitted_rows
GROUP BY ALL;

-- Submissions a national administrator has set aside: the latest quarantine event of each
-- says 'quarantine' (a 'release' takes it back).
CREATE OR REPLACE TABLE quarantined AS
SELECT submission_id, reason, by_user, happened_at
FROM quarantine_events
QUALIFY row_number() OVER (PARTITION BY submission_id ORDER BY id DESC) = 1 AND action = 'quarantine';

-- For each AHSN-quarter, the submission made current by the latest event touching it:
-- a newer file supersedes, and a restore brings an earlier file back. A quarantined
-- submission touches nothing: the one before it is current again, or no return.
CREATE OR REPLACE TABLE current_returns AS
WITH touches AS (
    SELECT s.id AS event_id, sr.*
    FROM submission_returns sr JOIN submissions s ON s.id = sr.submission_id
    UNION ALL
    SELECT r.id AS event_id, sr.*
    FROM restores r JOIN submission_returns sr ON sr.submission_id = r.submission_id
)
SELECT programme, ahsn, quarter_index, quarter, submission_id, event_id
FROM touches
WHERE submission_id NOT IN (SELECT submission_id FROM quarantined)
QUALIFY row_number() OVER (PARTITION BY programme, ahsn, quarter_index ORDER BY event_id DESC) = 1;

-- The current trust-level data.
CREATE OR REPLACE TABLE trust_returns AS
SELECT r.*
FROM submitted_rows r
JOIN current_returns c USING (submission_id, programme, ahsn, quarter_index);

-- Per AHSN-quarter: what the rate is made of, the rate, and referrals.
-- The rate is a whole percent rounded half up, in integer arithmetic.
CREATE OR REPLACE TABLE ahsn_quarters AS
WITH counts AS (
    SELECT
        t.programme,
        t.ahsn,
        t.quarter_index,
        any_value(t.quarter) AS quarter,
        count(*) FILTER (WHERE list_contains(p.counted_trust_types, t.trust_type)) AS counted_trusts,
        count(*) FILTER (WHERE list_contains(p.counted_trust_types, t.trust_type)
                         AND t.adoption_level >= p.adopted_from_level) AS adopted_trusts,
        count(*) AS all_trusts,
        sum(t.referrals_made) AS referrals_made,
        sum(t.referrals_completed) AS referrals_completed,
        any_value(c.submission_id) AS submission_id
    FROM trust_returns t
    JOIN programmes p ON p.code = t.programme
    JOIN current_returns c USING (programme, ahsn, quarter_index)
    GROUP BY t.programme, t.ahsn, t.quarter_index
)
SELECT *,
       CASE WHEN counted_trusts > 0
            THEN ((200 * adopted_trusts + counted_trusts) // (2 * counted_trusts))::INTEGER END AS rate_percent
FROM counts;

-- England: all adopted counted trusts over all counted trusts (as the published Total row).
CREATE OR REPLACE TABLE england_quarters AS
SELECT
    programme,
    quarter_index,
    any_value(quarter) AS quarter,
    sum(counted_trusts)::INTEGER AS counted_trusts,
    sum(adopted_trusts)::INTEGER AS adopted_trusts,
    count(*)::INTEGER AS ahsns_returned,
    sum(referrals_made)::BIGINT AS referrals_made,
    sum(referrals_completed)::BIGINT AS referrals_completed,
    CASE WHEN sum(counted_trusts) > 0
         THEN ((200 * sum(adopted_trusts) + sum(counted_trusts)) // (2 * sum(counted_trusts)))::INTEGER
    END AS rate_percent
FROM ahsn_quarters
GROUP BY programme, quarter_index;

-- Trust counts at each adoption level per AHSN-quarter (every level present, zeros kept).
CREATE OR REPLACE TABLE level_counts AS
SELECT aq.programme, aq.ahsn, aq.quarter_index, aq.quarter, l.level, l.name AS level_name,
       count(t.trust_code) FILTER (WHERE list_contains(p.counted_trust_types, t.trust_type)) AS trusts
FROM ahsn_quarters aq
JOIN programmes p ON p.code = aq.programme
JOIN levels l ON l.programme = aq.programme
LEFT JOIN trust_returns t
       ON t.programme = aq.programme AND t.ahsn = aq.ahsn
      AND t.quarter_index = aq.quarter_index AND t.adoption_level = l.level
GROUP BY ALL;
