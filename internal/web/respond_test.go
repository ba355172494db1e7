package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
)

// recordSink is a slog handler that hands every record to the test.
type recordSink struct{ records chan slog.Record }

func (h recordSink) Enabled(context.Context, slog.Level) bool { return true }

func (h recordSink) Handle(_ context.Context, r slog.Record) error {
	h.records <- r
	return nil
}

func (h recordSink) WithAttrs([]slog.Attr) slog.Handler { return h }

func (h recordSink) WithGroup(string) slog.Handler { return h }

// attr returns the value of a record's attribute.
func attr(r slog.Record, key string) slog.Value {
	var v slog.Value
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == key {
			v = a.Value
			return false
		}
		return true
	})
	return v
}

// TestClientClosedRequest: a client that hangs up while its request waits
// (here for the database, which gives up with the request's context) gets
// nothing written, and the server logs a client-closed request, status 499
// below error level, counted apart from server errors.
func TestClientClosedRequest(t *testing.T) {
	sink := recordSink{records: make(chan slog.Record, 16)}
	s := New(crm.NewService(nil), slog.New(sink))
	started := make(chan struct{})
	// The handler stands in for one whose store call gives up with the
	// request's context, and answers through the one error path.
	hs := httptest.NewServer(s.withRequestID(s.withLogging(s.withRecover(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
		s.writeError(w, r, fmt.Errorf("list accounts: %w", r.Context().Err()))
	})))))
	defer hs.Close()

	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", hs.URL+"/api/v1/accounts", nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		res, err := hs.Client().Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	<-started
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the request was answered after the client went away")
	}
	var closed, access slog.Record
	for access.Message == "" {
		r := <-sink.records
		if r.Level >= slog.LevelError {
			t.Errorf("logged at %v: %s", r.Level, r.Message)
		}
		switch r.Message {
		case "client closed request":
			closed = r
		case "request":
			access = r
		}
	}
	if closed.Message == "" || closed.Level != slog.LevelInfo || attr(closed, "status").Int64() != statusClientClosed {
		t.Errorf("client-closed line %v %q status %v", closed.Level, closed.Message, attr(closed, "status"))
	}
	if st := attr(access, "status").Int64(); st != statusClientClosed {
		t.Errorf("access log status %d, want %d", st, statusClientClosed)
	}
	if n := s.Counts(); n.ClientClosed != 1 || n.ServerErrors != 0 || n.Unavailable != 0 {
		t.Errorf("counts %+v, want one client-closed request and nothing else", n)
	}
}
