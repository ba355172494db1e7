package store

import (
	"context"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
)

// TouchImportJob records that server instance owner still runs a job, as
// of now. A job that is no longer running keeps its outcome.
func (db *DB) TouchImportJob(ctx context.Context, id int64, owner string, now time.Time) error {
	_, err := db.write.ExecContext(ctx, db.q(`UPDATE import_jobs SET owner = ?, heartbeat_at = ? WHERE id = ? AND status = ?`),
		owner, db.t(now), id, crm.JobRunning)
	return err
}

// FailStaleImportJobs marks failed, with the reason errorKey, every job
// still running whose owner is not owner and whose heartbeat is older than
// staleBefore, and returns how many there were. Such a job was left by a
// server that stopped or crashed during the import, whose transaction was
// then never committed; the caller's own jobs are running in its process.
func (db *DB) FailStaleImportJobs(ctx context.Context, errorKey, owner string, staleBefore, now time.Time) (int, error) {
	// The status is written out so that both engines can use the partial
	// index import_jobs_running.
	res, err := db.write.ExecContext(ctx, db.q(`UPDATE import_jobs SET status = ?, error_key = ?, updated_at = ?
		WHERE status = '`+crm.JobRunning+`' AND owner <> ? AND heartbeat_at < ?`),
		crm.JobFailed, errorKey, db.t(now), owner, db.t(staleBefore))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
