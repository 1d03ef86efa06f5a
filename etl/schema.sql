-- The base tables of a database built from the store's events (etl/build.py). A published
-- database file is never written again: readers hold read-only connections to it while a
-- writer builds the next one beside it (from scratch, or from a copy of it).

CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);

CREATE TABLE programmes (
    code VARCHAR PRIMARY KEY,
    short_name VARCHAR,
    name VARCHAR,
    adopted_from_level INTEGER,
    target_percent INTEGER,
    counted_trust_types VARCHAR[],
    -- the headline (etl/programmes.py): 'share', 'rate' (numerator over denominator) or 'count' (of measure)
    headline_kind VARCHAR,
    headline_numerator VARCHAR,
    headline_denominator VARCHAR,
    headline_measure VARCHAR
);

CREATE TABLE levels (programme VARCHAR, level INTEGER, name VARCHAR, description VARCHAR);

CREATE TABLE ahsns (
    short_name VARCHAR PRIMARY KEY,
    slug VARCHAR,
    name_2018_2020 VARCHAR,
    name_from_2023 VARCHAR,
    table_order INTEGER
);

-- One row per accepted file, current or not: nothing is ever deleted.
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    programme VARCHAR,
    file_name VARCHAR,
    sha256 VARCHAR,
    stored_as VARCHAR,
    loaded_by VARCHAR,
    loaded_at TIMESTAMP,
    source VARCHAR,
    row_count INTEGER,
    warnings VARCHAR[],
    is_demo BOOLEAN
);

-- "Make submission N current again"; shares the event numbering with submissions.
CREATE TABLE restores (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER,
    restored_by VARCHAR,
    restored_at TIMESTAMP,
    source VARCHAR
);

-- A submission set aside ('quarantine') or taken back ('release') by a national administrator.
CREATE TABLE quarantine_events (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER,
    action VARCHAR,
    reason VARCHAR,
    by_user VARCHAR,
    happened_at TIMESTAMP,
    source VARCHAR
);

-- Every row of every accepted file, as validated.
CREATE TABLE submitted_rows (
    submission_id INTEGER,
    programme VARCHAR,
    ahsn VARCHAR,
    quarter_index INTEGER,
    quarter VARCHAR,
    "row" INTEGER,
    trust_code VARCHAR,
    trust_name VARCHAR,
    trust_type VARCHAR,
    adoption_level INTEGER,
    -- BIGINT, though the reader accepts at most the programme's max_count_per_row (100,000 for
    -- TCAM): whatever a file or an older reader let through is held, never a failed build
    referrals_made BIGINT,
    referrals_completed BIGINT,
    comment VARCHAR  -- the row's Notes/Comments cell, as written
);

-- Every count of every row of every accepted file, one row a measure (a blank count, not
-- reported, has no row): what a programme's headline and totals are summed from, whatever its
-- measures are.
CREATE TABLE submitted_measures (
    submission_id INTEGER,
    programme VARCHAR,
    ahsn VARCHAR,
    quarter_index INTEGER,
    trust_code VARCHAR,
    trust_type VARCHAR,
    measure VARCHAR,
    value BIGINT
);

-- A quarter signed off ('publish') or given another due date ('due_date') by a national administrator.
CREATE TABLE quarter_events (
    id INTEGER PRIMARY KEY,
    programme VARCHAR,
    quarter_index INTEGER,
    quarter VARCHAR,
    kind VARCHAR,
    due_date DATE,
    reason VARCHAR,
    by_user VARCHAR,
    happened_at TIMESTAMP,
    source VARCHAR
);

-- A national administrator's decision on a change to a published quarter: the submission or
-- restore `event_id` is approved (it takes effect) or rejected (it never does).
CREATE TABLE revision_decisions (
    id INTEGER PRIMARY KEY,
    programme VARCHAR,
    event_id INTEGER,
    decision VARCHAR,
    reason VARCHAR,
    by_user VARCHAR,
    happened_at TIMESTAMP,
    source VARCHAR
);

-- A version of one AHSN's trajectory (its stepped local targets), as set from a file: who,
-- when, why. Every version is kept; the newest is the AHSN's trajectory now.
CREATE TABLE trajectory_events (
    id INTEGER PRIMARY KEY,
    programme VARCHAR,
    ahsn VARCHAR,
    reason VARCHAR,
    file_name VARCHAR,
    sha256 VARCHAR,
    stored_as VARCHAR,
    by_user VARCHAR,
    happened_at TIMESTAMP,
    source VARCHAR,
    is_demo BOOLEAN
);

-- The steps of each version: by `quarter`, `target_percent` of the AHSN's counted trusts
-- adopting; the target holds until the version's next step.
CREATE TABLE trajectory_steps (
    event_id INTEGER,
    programme VARCHAR,
    ahsn VARCHAR,
    quarter_index INTEGER,
    quarter VARCHAR,
    target_percent INTEGER,
    note VARCHAR,
    "row" INTEGER
);

-- An event the build could not hold (a value the database refuses, or a fault in the build
-- itself), left out of every table above so that every other event is still published. The
-- event stays in the store, untouched; a full `rebuild` tries it again.
CREATE TABLE left_out_events (
    id INTEGER PRIMARY KEY,
    programme VARCHAR,
    kind VARCHAR,
    description VARCHAR,
    reason VARCHAR,
    left_out_at TIMESTAMP
);

-- A version of one AHSN's spread conditions for a programme (the pathways analysis's case), as
-- the national team recorded it from a file, or an earlier version restored (`restored_from`,
-- that version's event): who, when, why. Every version is kept; the newest is current.
CREATE TABLE condition_events (
    id INTEGER PRIMARY KEY,
    programme VARCHAR,
    ahsn VARCHAR,
    reason VARCHAR,
    file_name VARCHAR,
    sha256 VARCHAR,
    stored_as VARCHAR,
    by_user VARCHAR,
    happened_at TIMESTAMP,
    source VARCHAR,
    is_demo BOOLEAN,
    restored_from INTEGER
);

-- Each condition a version records: present or absent, and the evidence in a few words.
CREATE TABLE condition_values (
    event_id INTEGER,
    programme VARCHAR,
    ahsn VARCHAR,
    condition VARCHAR,
    present BOOLEAN,
    evidence VARCHAR,
    "row" INTEGER
);
