package store_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
	"github.com/dealpath/dealpath/internal/tabular"
)

// handClock is a clock a test moves by hand while other goroutines read it.
type handClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *handClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *handClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// server is one more service on the database, as a second server process
// would be: its own instance, its own clock, its own ticker.
func server(db *store.DB, clock *handClock, ticks chan time.Time) *crm.Service {
	s := crm.NewService(db)
	s.Now = clock.Now
	s.Tick = func(time.Duration) (<-chan time.Time, func()) { return ticks, func() {} }
	return s
}

// TestImportInterruptedJobs: server A starts an import and crashes (its
// job is never run, so it never beats). Server B, started beside it on the
// same database, leaves the job alone while its heartbeat is fresh, and
// B's periodic sweep fails it once the heartbeat is older than
// crm.ImportStaleAfter, with a reason in both languages; finished jobs
// keep their outcome, and A never fails its own jobs.
func TestImportInterruptedJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newImportEnv(t, db)
		ctx := context.Background()
		clockA, clockB := &handClock{now: t0}, &handClock{now: t0}
		sweepTicks := make(chan time.Time)
		a, b := server(db, clockA, nil), server(db, clockB, sweepTicks)
		if a.Instance == b.Instance || a.Instance == "" {
			t.Fatalf("instances %q and %q", a.Instance, b.Instance)
		}
		left, err := a.StartImportJob(ctx, e.rep, crm.KindAccounts, crm.ImportSkipBadRows, "a.csv", []byte("公司名称\n甲\n"))
		if err != nil {
			t.Fatal(err)
		}
		finished, err := a.StartImportJob(ctx, e.rep, crm.KindAccounts, crm.ImportDryRun, "b.csv", []byte("公司名称\n乙\n"))
		if err != nil {
			t.Fatal(err)
		}
		finished.Status = crm.JobDone
		if err := db.UpdateImportJob(ctx, finished); err != nil {
			t.Fatal(err)
		}

		// B starts 30 s after the job's last beat: A may well be alive.
		clockB.Set(t0.Add(30 * time.Second))
		if n, err := b.FailInterruptedImports(ctx); err != nil || n != 0 {
			t.Fatalf("B's start marked %d jobs (%v), want none", n, err)
		}
		// A never fails its own jobs, however old: they run in its process.
		clockA.Set(t0.Add(time.Hour))
		if n, err := a.FailInterruptedImports(ctx); err != nil || n != 0 {
			t.Fatalf("A marked %d of its own jobs (%v), want none", n, err)
		}

		// B's sweep, a tick after the heartbeat went stale.
		sweepCtx, stopSweep := context.WithCancel(ctx)
		reports := make(chan int)
		swept := make(chan struct{})
		go func() {
			defer close(swept)
			b.SweepInterruptedImports(sweepCtx, func(n int, err error) {
				if err != nil {
					t.Error(err)
				}
				reports <- n
			})
		}()
		clockB.Set(t0.Add(crm.ImportStaleAfter + time.Second))
		sweepTicks <- clockB.Now()
		if n := <-reports; n != 1 {
			t.Fatalf("sweep marked %d jobs, want 1", n)
		}
		stopSweep()
		<-swept

		j, err := b.ImportJob(ctx, e.rep, left.ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != crm.JobFailed || j.ErrorKey != "import.error.interrupted" {
			t.Errorf("left job is %s (%q), want failed as interrupted", j.Status, j.ErrorKey)
		}
		zh, en := i18n.T(i18n.ZH, j.ErrorKey), i18n.T(i18n.EN, j.ErrorKey)
		if zh == j.ErrorKey || en == j.ErrorKey || zh == en || !strings.Contains(zh, "中断") {
			t.Errorf("reason zh %q en %q", zh, en)
		}
		if j, err := b.ImportJob(ctx, e.rep, finished.ID); err != nil || j.Status != crm.JobDone {
			t.Errorf("finished job became %v (%v)", j, err)
		}
		if n, err := b.FailInterruptedImports(ctx); err != nil || n != 0 {
			t.Errorf("a second sweep marked %d jobs (%v), want none", n, err)
		}
	})
}

// TestImportHeartbeat: while server A runs an import, each tick of its
// ticker moves the job's heartbeat to A's clock, so server B, two and a
// half minutes after the job started, does not take it for interrupted;
// the import then finishes as usual.
func TestImportHeartbeat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newImportEnv(t, db)
		ctx := context.Background()
		ticks := make(chan time.Time)
		clockA, clockB := &handClock{now: t0}, &handClock{now: t0}
		a, b := server(db, clockA, ticks), server(db, clockB, nil)
		beating := make(chan struct{})
		a.Tick = func(d time.Duration) (<-chan time.Time, func()) {
			if d != crm.ImportHeartbeat {
				t.Errorf("ticker of %v, want the heartbeat's", d)
			}
			close(beating)
			return ticks, func() {}
		}
		file := accountsCSV("心跳", 20)
		j, err := a.StartImportJob(ctx, e.rep, crm.KindAccounts, crm.ImportDryRun, "h.csv", file)
		if err != nil {
			t.Fatal(err)
		}
		tb, err := tabular.Read(bytes.NewReader(file), tabular.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		inImport, resume := make(chan struct{}), make(chan struct{})
		var once sync.Once
		req := crm.ImportRequest{Table: tb, Progress: func(string, int, int) {
			once.Do(func() {
				close(inImport)
				<-resume
			})
		}}
		done := make(chan error, 1)
		go func() {
			_, err := a.RunImportJob(ctx, e.rep, j, req)
			done <- err
		}()
		<-inImport
		select {
		case <-beating:
		default:
			t.Fatal("no heartbeat ticker while the import runs")
		}
		clockA.Set(t0.Add(2 * time.Minute))
		// The second send is taken only once the first beat is written.
		ticks <- clockA.Now()
		ticks <- clockA.Now()

		clockB.Set(t0.Add(2*time.Minute + 30*time.Second))
		if n, err := b.FailInterruptedImports(ctx); err != nil || n != 0 {
			t.Errorf("B marked %d jobs (%v) of a live import, want none", n, err)
		}
		close(resume)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if got, err := a.ImportJob(ctx, e.rep, j.ID); err != nil || got.Status != crm.JobDone {
			t.Errorf("job %+v (%v), want done", got, err)
		}
	})
}
