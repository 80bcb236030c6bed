/**
 * Schema migrations, applied in order on `PRAGMA user_version`. Append only: a released migration is
 * never edited, so every database can be brought forward from any earlier version.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: experiments, runs, tags, metrics, artifacts
  `
  CREATE TABLE experiments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
  );
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    gan TEXT NOT NULL,
    dataset TEXT NOT NULL,
    config_json TEXT NOT NULL,
    seed INTEGER NOT NULL,
    backend TEXT,
    backend_reason TEXT,
    notes TEXT NOT NULL DEFAULT '',
    parent_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    parent_epoch INTEGER,
    step INTEGER NOT NULL DEFAULT 0,
    total_steps INTEGER NOT NULL DEFAULT 0,
    epoch INTEGER NOT NULL DEFAULT 0,
    samples_per_sec REAL,
    error TEXT,
    pid INTEGER,
    host TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX runs_status ON runs(status);
  CREATE INDEX runs_experiment ON runs(experiment_id);
  CREATE TABLE run_tags (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (run_id, tag)
  ) WITHOUT ROWID;
  CREATE INDEX run_tags_tag ON run_tags(tag);
  -- One row per (run, key, step): a resumed run rewriting a step replaces, never duplicates.
  CREATE TABLE metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    step INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    value REAL NOT NULL,
    wall_time REAL NOT NULL,
    PRIMARY KEY (run_id, key, step)
  ) WITHOUT ROWID;
  CREATE TABLE artifacts (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    step INTEGER NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX artifacts_run ON artifacts(run_id, kind, epoch);
  `,
  // 2: diagnoses (GAN health events), one per kind per run
  `
  CREATE TABLE run_events (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    step INTEGER NOT NULL,
    detected_at INTEGER NOT NULL,
    detail_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (run_id, kind)
  );
  `,
  // 3: transfer experiments (D's features fine-tuned vs from scratch), a run kind linked to its GAN
  // run; a run's control request (pause / stop), which its trainer polls from any process; and
  // datasets, registered once by content hash and shared by the runs that train on them
  `
  ALTER TABLE runs ADD COLUMN control TEXT;
  CREATE TABLE datasets (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    content_hash INTEGER NOT NULL,
    label TEXT NOT NULL,
    spec_json TEXT NOT NULL,
    sample_count INTEGER,
    created_at TEXT NOT NULL
  );
  ALTER TABLE runs ADD COLUMN dataset_id INTEGER REFERENCES datasets(id);
  CREATE TABLE transfer_runs (
    id INTEGER PRIMARY KEY,
    gan_run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    checkpoint_step INTEGER NOT NULL,
    options_json TEXT NOT NULL,
    results_json TEXT,
    error TEXT,
    pid INTEGER,
    host TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX transfer_runs_gan ON transfer_runs(gan_run_id);
  `,
  // 4: scaling out. Runs placed on the job queue (trained by `worker` processes elsewhere, reported
  // back to this registry's host, the coordinator); sweeps (a grid or random set of runs launched
  // as one group); per queued run, the queue job that carries it and the lease of the attempt
  // that owns it (a claim by another worker bumps it, so a lost worker's late uploads are refused)
  `
  ALTER TABLE runs ADD COLUMN placement TEXT NOT NULL DEFAULT 'local';
  ALTER TABLE runs ADD COLUMN worker TEXT;
  CREATE TABLE sweeps (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    spec_json TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  ALTER TABLE runs ADD COLUMN sweep_id INTEGER REFERENCES sweeps(id) ON DELETE SET NULL;
  CREATE INDEX runs_sweep ON runs(sweep_id);
  CREATE TABLE remote_jobs (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    job_id TEXT,
    generation INTEGER NOT NULL DEFAULT 0,
    lease INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
  );
  `,
  // 5: each run's last value of each metric, kept as metrics are written: the runs table reads it
  // instead of a MAX(step) over every row (5.6 s for 200 runs of 100,000 points, measured)
  `
  CREATE TABLE last_metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    step INTEGER NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (run_id, key)
  ) WITHOUT ROWID;
  INSERT INTO last_metrics (run_id, key, step, value)
    SELECT m.run_id, m.key, m.step, m.value FROM metrics m
    JOIN (SELECT run_id, key, MAX(step) AS step FROM metrics GROUP BY run_id, key) l
      ON l.run_id = m.run_id AND l.key = m.key AND l.step = m.step;
  `,
  // 6: the model builder's named templates (a generator and a discriminator, and the preset they
  // started from, which says what data and objective they were made for)
  `
  CREATE TABLE model_templates (
    name TEXT PRIMARY KEY,
    generator_json TEXT NOT NULL,
    discriminator_json TEXT NOT NULL,
    base_preset TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  // 7: per 64-step block of each series, its row count and its lowest and highest rows: charts of
  // long series read these (see metric-rollups.ts; comparing 10 runs of 100,000 points scanned
  // 3 million rows, measured 0.8 s of SQL). Back-filled from the rows on upgrade.
  `
  CREATE TABLE metric_rollups (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    block INTEGER NOT NULL,
    n INTEGER NOT NULL,
    lo_step INTEGER NOT NULL, lo_value REAL NOT NULL, lo_epoch INTEGER NOT NULL, lo_wall REAL NOT NULL,
    hi_step INTEGER NOT NULL, hi_value REAL NOT NULL, hi_epoch INTEGER NOT NULL, hi_wall REAL NOT NULL,
    PRIMARY KEY (run_id, key, block)
  ) WITHOUT ROWID;
  INSERT INTO metric_rollups
    SELECT l.run_id, l.key, l.block, l.n, l.step, l.value, l.epoch, l.wall_time, h.step, h.value, h.epoch, h.wall_time
    FROM (SELECT run_id, key, step / 64 AS block, COUNT(*) AS n, MIN(value) AS value, step, epoch, wall_time FROM metrics GROUP BY run_id, key, block) l
    JOIN (SELECT run_id, key, step / 64 AS block, MAX(value) AS value, step, epoch, wall_time FROM metrics GROUP BY run_id, key, block) h
      ON h.run_id = l.run_id AND h.key = l.key AND h.block = l.block;
  `,
  // 8: reproductions (`gan-workbench reproduce`, the Reproductions page): a catalog recipe trained
  // over several seeds and scored with its paper's protocol; the entry as run (paper figures,
  // goals), per-seed results and where it ran, so the last table of each stays showable
  `
  CREATE TABLE reproductions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    quick INTEGER NOT NULL,
    seeds INTEGER NOT NULL,
    target TEXT NOT NULL,
    status TEXT NOT NULL,
    command TEXT NOT NULL,
    commit_sha TEXT,
    machine TEXT NOT NULL,
    entry_json TEXT NOT NULL,
    steps INTEGER NOT NULL,
    samples INTEGER NOT NULL,
    results_json TEXT NOT NULL,
    error TEXT,
    pid INTEGER,
    host TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX reproductions_name ON reproductions(name, quick, id);
  `,
  // 9: run ids are never issued twice. Without AUTOINCREMENT SQLite gave a new run the id of the
  // last deleted one, and a trainer still running the deleted run wrote into the new one. SQLite
  // cannot add AUTOINCREMENT to a table, so runs is rebuilt (applied with foreign keys off, so
  // the DROP cascades nowhere; checked with foreign_key_check before the commit: see database.ts).
  // The owner's start time joins its pid, so a reused pid is not taken for a live trainer.
  // Artifacts are unique per (run, kind, step): a stop right after a resume recorded its
  // checkpoint twice; the duplicates (same step, same file) collapse to the last one recorded.
  `
  CREATE TABLE runs_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    gan TEXT NOT NULL,
    dataset TEXT NOT NULL,
    config_json TEXT NOT NULL,
    seed INTEGER NOT NULL,
    backend TEXT,
    backend_reason TEXT,
    notes TEXT NOT NULL DEFAULT '',
    parent_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    parent_epoch INTEGER,
    step INTEGER NOT NULL DEFAULT 0,
    total_steps INTEGER NOT NULL DEFAULT 0,
    epoch INTEGER NOT NULL DEFAULT 0,
    samples_per_sec REAL,
    error TEXT,
    pid INTEGER,
    host TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    updated_at TEXT NOT NULL,
    control TEXT,
    dataset_id INTEGER REFERENCES datasets(id),
    placement TEXT NOT NULL DEFAULT 'local',
    worker TEXT,
    sweep_id INTEGER REFERENCES sweeps(id) ON DELETE SET NULL,
    pid_started TEXT
  );
  INSERT INTO runs_rebuilt (id, experiment_id, name, status, gan, dataset, config_json, seed, backend, backend_reason, notes,
      parent_run_id, parent_epoch, step, total_steps, epoch, samples_per_sec, error, pid, host, created_at, started_at,
      finished_at, updated_at, control, dataset_id, placement, worker, sweep_id)
    SELECT id, experiment_id, name, status, gan, dataset, config_json, seed, backend, backend_reason, notes,
      parent_run_id, parent_epoch, step, total_steps, epoch, samples_per_sec, error, pid, host, created_at, started_at,
      finished_at, updated_at, control, dataset_id, placement, worker, sweep_id
    FROM runs;
  DROP TABLE runs;
  ALTER TABLE runs_rebuilt RENAME TO runs;
  CREATE INDEX runs_status ON runs(status);
  CREATE INDEX runs_experiment ON runs(experiment_id);
  CREATE INDEX runs_sweep ON runs(sweep_id);
  DELETE FROM artifacts WHERE id NOT IN (SELECT MAX(id) FROM artifacts GROUP BY run_id, kind, step);
  CREATE UNIQUE INDEX IF NOT EXISTS artifacts_once ON artifacts(run_id, kind, step);
  `,
  // 10: reproductions and transfer experiments record their process's start time beside its pid,
  // as runs do since 9: a dead one whose pid the system gave to another process is still found dead.
  `
  ALTER TABLE reproductions ADD COLUMN pid_started TEXT;
  ALTER TABLE transfer_runs ADD COLUMN pid_started TEXT;
  `,
]

export const SCHEMA_VERSION = MIGRATIONS.length
