-- Derived tables, computed from the base tables (schema.sql) on every build, whether the
-- build started empty or from a copy of the last database: CREATE OR REPLACE, never an
-- update, so both give the same result. Materialised once per build (the file is read-only
-- afterwards), so pages read tables, not views that recompute on every request.

-- The AHSN-quarters each submission holds.
CREATE OR REPLACE TABLE submission_returns AS
SELECT submission_id, programme, ahsn, quarter_index, any_value(quarter) AS quarter, count(*) AS trust_rows
FROM submitted_rows
GROUP BY ALL;

-- What each submission says about each AHSN-quarter it holds: the counts behind the rate,
-- the rate (a whole percent rounded half up, in integer arithmetic) and referrals. Which of
-- these is current, or was published, is decided below.
CREATE OR REPLACE TABLE return_figures AS
WITH counts AS (
    SELECT
        r.submission_id, r.programme, r.ahsn, r.quarter_index, any_value(r.quarter) AS quarter,
        count(*) FILTER (WHERE list_contains(p.counted_trust_types, r.trust_type)) AS counted_trusts,
        count(*) FILTER (WHERE list_contains(p.counted_trust_types, r.trust_type)
                         AND r.adoption_level >= p.adopted_from_level) AS adopted_trusts,
        count(*) AS all_trusts,
        -- a sum of BIGINTs is a HUGEINT (128 bits): no number of rows can overflow it
        sum(r.referrals_made) AS referrals_made,
        sum(r.referrals_completed) AS referrals_completed
    FROM submitted_rows r
    JOIN programmes p ON p.code = r.programme
    GROUP BY r.submission_id, r.programme, r.ahsn, r.quarter_index
)
SELECT *,
       CASE WHEN counted_trusts > 0
            THEN ((200 * adopted_trusts + counted_trusts) // (2 * counted_trusts))::INTEGER END AS rate_percent
FROM counts;

-- Submissions a national administrator has set aside: the latest quarantine event of each
-- says 'quarantine' (a 'release' takes it back).
CREATE OR REPLACE TABLE quarantined AS
SELECT submission_id, reason, by_user, happened_at
FROM quarantine_events
QUALIFY row_number() OVER (PARTITION BY submission_id ORDER BY id DESC) = 1 AND action = 'quarantine';

-- Quarters signed off by a national administrator: the first publish event of each.
CREATE OR REPLACE TABLE publications AS
SELECT programme, quarter_index, any_value(quarter) AS quarter, min(id) AS publish_event_id,
       arg_min(happened_at, id) AS published_at, arg_min(by_user, id) AS published_by,
       arg_min(reason, id) AS note
FROM quarter_events
WHERE kind = 'publish'
GROUP BY programme, quarter_index;

-- Due dates set by hand, the latest for each quarter (etl/programmes.py's rule gives the rest).
CREATE OR REPLACE TABLE due_dates AS
SELECT programme, quarter_index, arg_max(due_date, id) AS due_date, arg_max(reason, id) AS reason,
       arg_max(by_user, id) AS set_by, arg_max(happened_at, id) AS set_at
FROM quarter_events
WHERE kind = 'due_date'
GROUP BY programme, quarter_index;

-- Every touch of an AHSN-quarter: a submission holding it, or a restore of one.
CREATE OR REPLACE TABLE touches AS
SELECT s.id AS event_id, 'submission' AS action, sr.submission_id, sr.programme, sr.ahsn, sr.quarter_index,
       sr.quarter, s.loaded_by AS by_user, s.loaded_at AS happened_at
FROM submission_returns sr JOIN submissions s ON s.id = sr.submission_id
UNION ALL
SELECT r.id, 'restore', sr.submission_id, sr.programme, sr.ahsn, sr.quarter_index, sr.quarter,
       r.restored_by, r.restored_at
FROM restores r JOIN submission_returns sr ON sr.submission_id = r.submission_id;

-- Each touch's standing: in effect at once while its quarter is not published; after that a
-- revision, pending until a national administrator approves or rejects it. A touch by a
-- quarantined submission counts for nothing.
CREATE OR REPLACE TABLE touch_status AS
SELECT t.*, p.publish_event_id,
       d.id AS decision_id, d.decision, d.reason AS decision_reason, d.by_user AS decided_by,
       d.happened_at AS decided_at,
       CASE WHEN p.publish_event_id IS NULL OR t.event_id < p.publish_event_id THEN 'in effect'
            WHEN d.decision = 'approve' THEN 'approved'
            WHEN d.decision = 'reject' THEN 'rejected'
            ELSE 'pending' END AS status,
       q.submission_id IS NOT NULL AS quarantined
FROM touches t
LEFT JOIN publications p USING (programme, quarter_index)
LEFT JOIN (SELECT * FROM revision_decisions
           QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY id) = 1) d ON d.event_id = t.event_id
LEFT JOIN quarantined q ON q.submission_id = t.submission_id;

-- For each AHSN-quarter, the submission made current by the latest touch in effect: a newer
-- file supersedes, a restore brings an earlier file back, an approved revision replaces a
-- published figure. No such touch: no return.
CREATE OR REPLACE TABLE current_returns AS
SELECT programme, ahsn, quarter_index, quarter, submission_id, event_id
FROM touch_status
WHERE status IN ('in effect', 'approved') AND NOT quarantined
QUALIFY row_number() OVER (PARTITION BY programme, ahsn, quarter_index ORDER BY event_id DESC) = 1;

-- What was current when each quarter was published: the figures the board saw.
CREATE OR REPLACE TABLE first_published_returns AS
SELECT t.programme, t.ahsn, t.quarter_index, t.quarter, t.submission_id, t.event_id
FROM touch_status t
JOIN publications p USING (programme, quarter_index)
WHERE t.event_id < p.publish_event_id
  AND NOT coalesce((SELECT qe.action = 'quarantine' FROM quarantine_events qe
                    WHERE qe.submission_id = t.submission_id AND qe.id < p.publish_event_id
                    ORDER BY qe.id DESC LIMIT 1), false)
QUALIFY row_number() OVER (PARTITION BY t.programme, t.ahsn, t.quarter_index ORDER BY t.event_id DESC) = 1;

-- The current trust-level data.
CREATE OR REPLACE TABLE trust_returns AS
SELECT r.*
FROM submitted_rows r
JOIN current_returns c USING (submission_id, programme, ahsn, quarter_index);

-- Per AHSN-quarter: the current figures.
CREATE OR REPLACE TABLE ahsn_quarters AS
SELECT f.programme, f.ahsn, f.quarter_index, f.quarter, f.counted_trusts, f.adopted_trusts, f.all_trusts,
       f.referrals_made, f.referrals_completed, f.submission_id, f.rate_percent
FROM current_returns c
JOIN return_figures f USING (submission_id, programme, ahsn, quarter_index);

-- Per AHSN-quarter of a published quarter: the figures as first published.
CREATE OR REPLACE TABLE first_published_quarters AS
SELECT f.programme, f.ahsn, f.quarter_index, f.quarter, f.counted_trusts, f.adopted_trusts, f.all_trusts,
       f.referrals_made, f.referrals_completed, f.submission_id, f.rate_percent
FROM first_published_returns c
JOIN return_figures f USING (submission_id, programme, ahsn, quarter_index);

-- England: all adopted counted trusts over all counted trusts of the AHSNs that returned (as
-- the published Total row). Whether that is all 15 is `ahsns_returned`.
CREATE OR REPLACE TABLE england_quarters AS
SELECT
    programme,
    quarter_index,
    any_value(quarter) AS quarter,
    sum(counted_trusts)::INTEGER AS counted_trusts,
    sum(adopted_trusts)::INTEGER AS adopted_trusts,
    count(*)::INTEGER AS ahsns_returned,
    -- at most 15 AHSNs x 10,000 trust rows x a programme's max_count_per_row (at most 10^12): inside BIGINT
    sum(referrals_made)::BIGINT AS referrals_made,
    sum(referrals_completed)::BIGINT AS referrals_completed,
    CASE WHEN sum(counted_trusts) > 0
         THEN ((200 * sum(adopted_trusts) + sum(counted_trusts)) // (2 * sum(counted_trusts)))::INTEGER
    END AS rate_percent
FROM ahsn_quarters
GROUP BY programme, quarter_index;

-- The published figures changed since publication, each with what changed it last: an
-- approved revision, or a quarantine or release by the national team.
CREATE OR REPLACE TABLE revisions AS
WITH published_current AS (
    SELECT c.* FROM current_returns c JOIN publications p USING (programme, quarter_index)
),
changed AS (
    SELECT k.programme, k.ahsn, k.quarter_index,
           f.submission_id AS first_submission_id, c.submission_id AS current_submission_id
    FROM (SELECT programme, ahsn, quarter_index FROM first_published_returns
          UNION SELECT programme, ahsn, quarter_index FROM published_current) k
    LEFT JOIN first_published_returns f USING (programme, ahsn, quarter_index)
    LEFT JOIN published_current c USING (programme, ahsn, quarter_index)
    WHERE f.submission_id IS DISTINCT FROM c.submission_id
),
causes AS (
    SELECT programme, ahsn, quarter_index, decided_at AS changed_at, decision_reason AS reason,
           decided_by AS changed_by, 'approved revision' AS how
    FROM touch_status WHERE status = 'approved'
    UNION ALL
    SELECT t.programme, t.ahsn, t.quarter_index, qe.happened_at, qe.reason, qe.by_user, qe.action
    FROM quarantine_events qe
    JOIN touches t ON t.submission_id = qe.submission_id
    JOIN publications p ON p.programme = t.programme AND p.quarter_index = t.quarter_index
    WHERE qe.id > p.publish_event_id
)
SELECT ch.programme, ch.ahsn, ch.quarter_index, p.quarter,
       ch.first_submission_id, ch.current_submission_id,
       ff.rate_percent AS first_rate, ff.adopted_trusts AS first_adopted, ff.counted_trusts AS first_counted,
       fc.rate_percent AS current_rate, fc.adopted_trusts AS current_adopted, fc.counted_trusts AS current_counted,
       cause.changed_at, cause.reason, cause.changed_by, cause.how
FROM changed ch
JOIN publications p USING (programme, quarter_index)
LEFT JOIN return_figures ff
       ON ff.submission_id = ch.first_submission_id AND ff.ahsn = ch.ahsn AND ff.quarter_index = ch.quarter_index
LEFT JOIN return_figures fc
       ON fc.submission_id = ch.current_submission_id AND fc.ahsn = ch.ahsn AND fc.quarter_index = ch.quarter_index
LEFT JOIN (SELECT * FROM causes
           QUALIFY row_number() OVER (PARTITION BY programme, ahsn, quarter_index ORDER BY changed_at DESC) = 1) cause
       ON cause.programme = ch.programme AND cause.ahsn = ch.ahsn AND cause.quarter_index = ch.quarter_index;

-- Changes to published quarters waiting for a national administrator's decision.
CREATE OR REPLACE TABLE pending_revisions AS
SELECT t.event_id, t.action, t.submission_id, t.programme, t.ahsn, t.quarter_index, t.quarter, t.by_user,
       t.happened_at, c.submission_id AS current_submission_id
FROM touch_status t
LEFT JOIN current_returns c USING (programme, ahsn, quarter_index)
WHERE t.status = 'pending' AND NOT t.quarantined;

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

-- Every version of every AHSN's trajectory, numbered per AHSN (1 is the first); the newest is
-- the trajectory now.
CREATE OR REPLACE TABLE trajectory_versions AS
SELECT id AS event_id, programme, ahsn,
       (row_number() OVER (PARTITION BY programme, ahsn ORDER BY id))::INTEGER AS version,
       id = max(id) OVER (PARTITION BY programme, ahsn) AS is_newest,
       reason, file_name, sha256, stored_as, by_user, happened_at, source, is_demo
FROM trajectory_events;

-- The target each quarter of an AHSN is judged against: a published quarter against the
-- version in force when it was published (a later version never rewrites how it was judged),
-- any other quarter against the newest. The target is the version's latest step at or before
-- the quarter; before its first step there is none. One row per AHSN with a trajectory and
-- quarter, from the first quarter with a return or step to the last.
CREATE OR REPLACE TABLE trajectory_targets AS
WITH spans AS (
    SELECT s.programme, s.ahsn,
           least(min(s.quarter_index), coalesce(any_value(e.first_q), min(s.quarter_index))) AS first_q,
           greatest(max(s.quarter_index), coalesce(any_value(e.last_q), max(s.quarter_index))) AS last_q
    FROM trajectory_steps s
    LEFT JOIN (SELECT programme, min(quarter_index) AS first_q, max(quarter_index) AS last_q
               FROM england_quarters GROUP BY programme) e USING (programme)
    GROUP BY s.programme, s.ahsn
),
quarters AS (
    SELECT programme, ahsn, unnest(range(first_q, last_q + 1))::INTEGER AS quarter_index FROM spans
),
judged AS (
    SELECT q.programme, q.ahsn, q.quarter_index, p.publish_event_id,
           (SELECT max(v.event_id) FROM trajectory_versions v
             WHERE v.programme = q.programme AND v.ahsn = q.ahsn
               AND (p.publish_event_id IS NULL OR v.event_id < p.publish_event_id)) AS version_event_id
    FROM quarters q
    LEFT JOIN publications p USING (programme, quarter_index)
)
SELECT j.programme, j.ahsn, j.quarter_index,
       'Q' || (j.quarter_index % 4 + 1) || ' ' || (j.quarter_index // 4) || '/'
           || lpad(((j.quarter_index // 4 + 1) % 100)::VARCHAR, 2, '0') AS quarter,
       j.publish_event_id IS NOT NULL AS is_published,
       j.version_event_id, v.version, v.is_newest,
       s.quarter_index AS step_quarter_index, s.quarter AS step_quarter, s.target_percent, s.note
FROM judged j
LEFT JOIN trajectory_versions v ON v.event_id = j.version_event_id
LEFT JOIN (
    SELECT j2.programme, j2.ahsn, j2.quarter_index, max(st.quarter_index) AS step_index
    FROM judged j2 JOIN trajectory_steps st
      ON st.event_id = j2.version_event_id AND st.quarter_index <= j2.quarter_index
    GROUP BY ALL
) latest ON latest.programme = j.programme AND latest.ahsn = j.ahsn AND latest.quarter_index = j.quarter_index
LEFT JOIN trajectory_steps s ON s.event_id = j.version_event_id AND s.quarter_index = latest.step_index;

-- Every version of every AHSN's spread conditions, numbered from 1; the newest is current.
CREATE OR REPLACE TABLE condition_versions AS
SELECT id AS event_id, programme, ahsn,
       (row_number() OVER (PARTITION BY programme, ahsn ORDER BY id))::INTEGER AS version,
       id = max(id) OVER (PARTITION BY programme, ahsn) AS is_newest,
       reason, file_name, sha256, stored_as, by_user, happened_at, source, is_demo, restored_from
FROM condition_events;
-- Each submission's counts for each AHSN-quarter, summed by measure over the organisations that
-- count toward the headline (a blank, not reported, adds nothing).
CREATE OR REPLACE TABLE return_measures AS
SELECT m.submission_id, m.programme, m.ahsn, m.quarter_index, m.measure, sum(m.value) AS total
FROM submitted_measures m
JOIN programmes p ON p.code = m.programme
WHERE list_contains(p.counted_trust_types, m.trust_type)
GROUP BY ALL;

-- The headline of every AHSN-quarter with a current return, as its programme's definition says
-- it is made: a share (adopted counted organisations over counted organisations), a rate (the
-- sum of one measure over the sum of another) or a count (the sum of one measure). A share or
-- rate is a whole percent rounded half up, in integer arithmetic; a count is itself.
CREATE OR REPLACE TABLE ahsn_headlines AS
WITH figures AS (
    SELECT q.programme, q.ahsn, q.quarter_index, q.quarter, q.submission_id, p.headline_kind AS kind,
           CASE p.headline_kind
                WHEN 'share' THEN q.adopted_trusts::HUGEINT
                WHEN 'rate' THEN coalesce(n.total, 0)
                WHEN 'count' THEN c.total
           END AS numerator,
           CASE p.headline_kind
                WHEN 'share' THEN q.counted_trusts::HUGEINT
                WHEN 'rate' THEN coalesce(d.total, 0)
           END AS denominator
    FROM ahsn_quarters q
    JOIN programmes p ON p.code = q.programme
    LEFT JOIN return_measures n ON n.submission_id = q.submission_id AND n.ahsn = q.ahsn
          AND n.quarter_index = q.quarter_index AND n.measure = p.headline_numerator
    LEFT JOIN return_measures d ON d.submission_id = q.submission_id AND d.ahsn = q.ahsn
          AND d.quarter_index = q.quarter_index AND d.measure = p.headline_denominator
    LEFT JOIN return_measures c ON c.submission_id = q.submission_id AND c.ahsn = q.ahsn
          AND c.quarter_index = q.quarter_index AND c.measure = p.headline_measure
)
SELECT programme, ahsn, quarter_index, quarter, submission_id, kind,
       (CASE WHEN kind = 'count' THEN numerator
             WHEN denominator > 0 THEN (200 * numerator + denominator) // (2 * denominator)
        END)::BIGINT AS value,
       numerator::BIGINT AS numerator,
       denominator::BIGINT AS denominator
FROM figures;
