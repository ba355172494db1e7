// Command dealpath-load drives a running dealpath server's JSON API with a
// mix of operations at a fixed concurrency for a fixed duration, then
// prints each operation's throughput, latency percentiles and errors.
//
//	dealpath-load --addr http://127.0.0.1:8080 --user admin --password … \
//	    --concurrency 32 --duration 60s
//
// It only ever sends requests to --addr (it follows no redirect) and stops
// by itself when --duration has passed (or on Ctrl-C). It writes: creates,
// updates and moves go to deals it created itself, titled "load test …".
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// ops are the operations, in the order they are reported.
var ops = []string{"list", "get", "search", "pipeline", "create", "update", "move"}

// defaultMix weighs the operations like a sales team's day: mostly reading
// lists and deals, some searching, a few writes.
const defaultMix = "list=30,get=25,search=15,pipeline=5,create=10,update=10,move=5"

// maxDuration bounds --duration, so that a typo cannot leave a load running
// for days.
const maxDuration = 2 * time.Hour

type config struct {
	base        *url.URL
	user        string
	password    string
	token       string
	concurrency int
	duration    time.Duration
	timeout     time.Duration
	weights     map[string]int
	seed        uint64
	serverPID   int
}

// parseAddr accepts only http(s)://host:port with nothing after it.
func parseAddr(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("--addr: %v", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Port() == "" ||
		(u.Path != "" && u.Path != "/") || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, fmt.Errorf("--addr must be http://host:port or https://host:port, got %q", s)
	}
	if p, err := strconv.Atoi(u.Port()); err != nil || p < 1 || p > 65535 {
		return nil, fmt.Errorf("--addr: bad port in %q", s)
	}
	u.Path = ""
	return u, nil
}

// parseMix reads "op=weight,…"; operations left out get weight 0.
func parseMix(s string) (map[string]int, error) {
	w := map[string]int{}
	total := 0
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 0 || !slices.Contains(ops, k) {
			return nil, fmt.Errorf("--mix: want op=weight,… with ops %s, got %q", strings.Join(ops, ", "), part)
		}
		w[k] = n
		total += n
	}
	if total == 0 {
		return nil, errors.New("--mix: all weights are zero")
	}
	return w, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dealpath-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "", "server to load, http(s)://host:port (required)")
	var cfg config
	fs.StringVar(&cfg.user, "user", "admin", "user to sign in as")
	fs.StringVar(&cfg.password, "password", os.Getenv("DEALPATH_LOAD_PASSWORD"), "password (default $DEALPATH_LOAD_PASSWORD)")
	fs.StringVar(&cfg.token, "token", "", "API token to use instead of signing in")
	fs.IntVar(&cfg.concurrency, "concurrency", 8, "requests in flight at once (workers)")
	fs.DurationVar(&cfg.duration, "duration", 30*time.Second, "how long to run (at most 2h)")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "timeout of one request")
	mix := fs.String("mix", defaultMix, "weights of the operations: "+strings.Join(ops, ", "))
	fs.Uint64Var(&cfg.seed, "seed", 1, "random seed of the operation sequence")
	fs.IntVar(&cfg.serverPID, "server-pid", 0, "pid of the dealpath server on this machine: report its memory (VmRSS, VmHWM)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var err error
	if cfg.base, err = parseAddr(*addr); err != nil {
		fmt.Fprintln(stderr, "dealpath-load:", err)
		return 2
	}
	if cfg.weights, err = parseMix(*mix); err != nil {
		fmt.Fprintln(stderr, "dealpath-load:", err)
		return 2
	}
	if cfg.concurrency < 1 || cfg.concurrency > 10000 {
		fmt.Fprintln(stderr, "dealpath-load: --concurrency must be 1 to 10000")
		return 2
	}
	if cfg.duration <= 0 || cfg.duration > maxDuration {
		fmt.Fprintln(stderr, "dealpath-load: --duration must be positive and at most", maxDuration)
		return 2
	}
	if cfg.token == "" && cfg.password == "" {
		fmt.Fprintln(stderr, "dealpath-load: give --password (or $DEALPATH_LOAD_PASSWORD) or --token")
		return 2
	}
	rep, err := load(ctx, cfg, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "dealpath-load:", err)
		return 1
	}
	rep.print(stdout, cfg)
	if rep.errors() > 0 {
		return 1
	}
	return 0
}

// client talks to the one server it was given.
type client struct {
	base  *url.URL
	token string
	http  *http.Client
}

// apiError is an answer that is not the expected status.
type apiError struct {
	status int
	body   string
}

func (e *apiError) Error() string { return fmt.Sprintf("status %d: %.200s", e.status, e.body) }

func (c *client) do(ctx context.Context, method, path string, body, out any, want int) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	u := *c.base
	u.Path, u.RawQuery, _ = strings.Cut(path, "?")
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != want {
		return &apiError{res.StatusCode, string(data)}
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

type dealRef struct {
	ID      int64  `json:"id"`
	Version int64  `json:"version"`
	Stage   string `json:"stage"`
}

type accountRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// world is what the load picks from: deals to read, accounts to create
// deals on, search texts taken from real account names.
type world struct {
	deals    []int64
	accounts []int64
	searches []string
	stages   []string
}

func discover(ctx context.Context, c *client) (*world, error) {
	w := &world{stages: []string{"prospecting", "compelling_event", "qualification", "demo", "negotiation", "commit", "implementation", "closed", "lost"}}
	// Deals to read, spread over the table: a page of each stage.
	for _, stage := range w.stages {
		var page struct {
			Items []dealRef `json:"items"`
		}
		if err := c.do(ctx, "GET", "/api/v1/deals?limit=200&sort=expected_close_date&stage="+stage, nil, &page, 200); err != nil {
			return nil, fmt.Errorf("list deals: %w", err)
		}
		for _, d := range page.Items {
			w.deals = append(w.deals, d.ID)
		}
	}
	var accounts struct {
		Items []accountRef `json:"items"`
	}
	if err := c.do(ctx, "GET", "/api/v1/accounts?limit=200&sort=-updated_at", nil, &accounts, 200); err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	for _, a := range accounts.Items {
		w.accounts = append(w.accounts, a.ID)
		// The trade name and business word: "苏州华美电子有限公司" → "华美电子".
		if r := []rune(a.Name); len(r) >= 6 {
			w.searches = append(w.searches, string(r[2:6]))
		} else if len(r) > 0 {
			w.searches = append(w.searches, string(r))
		}
	}
	if len(w.accounts) == 0 {
		return nil, errors.New("the server has no accounts the user may see; load demo data first (dealpath demo)")
	}
	if len(w.deals) == 0 {
		return nil, errors.New("the server has no deals the user may see; load demo data first (dealpath demo)")
	}
	return w, nil
}

// result is one operation's record.
type result struct {
	lat      []time.Duration
	errs     int
	statuses map[string]int
}

type report struct {
	results          map[string]*result
	elapsed          time.Duration
	rssKB, hwmKB     int64
	rssSampled       bool
	sampleErr        error
	firstErrors      []string
	startRSS, maxRSS int64
}

func (r *report) errors() int {
	n := 0
	for _, x := range r.results {
		n += x.errs
	}
	return n
}

// worker is one client loop; it keeps the deals it created, with their
// versions, so its writes never collide with another worker's.
type worker struct {
	c     *client
	w     *world
	r     *rand.Rand
	mine  []dealRef
	total int
	cum   []int
	names []string
	seq   int
	id    int
}

func (wk *worker) pick() string {
	x := wk.r.IntN(wk.total)
	for i, c := range wk.cum {
		if x < c {
			return wk.names[i]
		}
	}
	return wk.names[len(wk.names)-1]
}

func (wk *worker) op(ctx context.Context, name string) error {
	c, w, r := wk.c, wk.w, wk.r
	switch name {
	case "list":
		return c.do(ctx, "GET", "/api/v1/deals?limit=50&sort=expected_close_date&stage="+w.stages[r.IntN(len(w.stages))], nil, nil, 200)
	case "get":
		return c.do(ctx, "GET", fmt.Sprintf("/api/v1/deals/%d", w.deals[r.IntN(len(w.deals))]), nil, nil, 200)
	case "search":
		return c.do(ctx, "GET", "/api/v1/accounts?limit=20&q="+url.QueryEscape(w.searches[r.IntN(len(w.searches))]), nil, nil, 200)
	case "pipeline":
		return c.do(ctx, "GET", "/api/v1/reports/pipeline", nil, nil, 200)
	case "create":
		return wk.create(ctx)
	case "update":
		if len(wk.mine) == 0 {
			return wk.create(ctx)
		}
		d := &wk.mine[r.IntN(len(wk.mine))]
		var out dealRef
		err := c.do(ctx, "PATCH", fmt.Sprintf("/api/v1/deals/%d", d.ID), map[string]any{"version": d.Version,
			"amount": int64(1+r.IntN(500)) * 1_000_000, "next_step": fmt.Sprintf("负载测试下一步 %d", r.IntN(1000))}, &out, 200)
		if err == nil {
			d.Version = out.Version
		}
		return err
	case "move":
		if len(wk.mine) == 0 {
			return wk.create(ctx)
		}
		d := &wk.mine[r.IntN(len(wk.mine))]
		to := "lost"
		if d.Stage == "lost" {
			to = "prospecting"
		}
		var out dealRef
		err := c.do(ctx, "POST", fmt.Sprintf("/api/v1/deals/%d/stage", d.ID), map[string]any{"stage": to, "reason": "负载测试：阶段切换"}, &out, 200)
		if err == nil {
			d.Version, d.Stage = out.Version, out.Stage
		}
		return err
	}
	return fmt.Errorf("unknown operation %q", name)
}

func (wk *worker) create(ctx context.Context) error {
	wk.seq++
	var out dealRef
	close := time.Now().UTC().AddDate(0, 0, 10+wk.r.IntN(170)).Format("2006-01-02")
	err := wk.c.do(ctx, "POST", "/api/v1/deals", map[string]any{"account_id": wk.w.accounts[wk.r.IntN(len(wk.w.accounts))],
		"title": fmt.Sprintf("load test 负载测试 %d-%d", wk.id, wk.seq), "amount": int64(1+wk.r.IntN(500)) * 1_000_000,
		"expected_close_date": close}, &out, 201)
	if err == nil {
		wk.mine = append(wk.mine, out)
		if len(wk.mine) > 200 {
			wk.mine = wk.mine[1:]
		}
	}
	return err
}

func load(ctx context.Context, cfg config, progress io.Writer) (*report, error) {
	transport := &http.Transport{MaxIdleConnsPerHost: cfg.concurrency, MaxConnsPerHost: cfg.concurrency, IdleConnTimeout: 30 * time.Second}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport, Timeout: cfg.timeout,
		// Never leave the address given.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	c := &client{base: cfg.base, token: cfg.token, http: hc}
	setup, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if c.token == "" {
		var out struct {
			Token string `json:"token"`
		}
		if err := c.do(setup, "POST", "/api/v1/auth/login", map[string]string{"username": cfg.user, "password": cfg.password}, &out, 200); err != nil {
			return nil, fmt.Errorf("sign in as %s: %w", cfg.user, err)
		}
		c.token = out.Token
	}
	w, err := discover(setup, c)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "dealpath-load: %d deals, %d accounts and %d search texts to pick from; running %s at concurrency %d\n",
		len(w.deals), len(w.accounts), len(w.searches), cfg.duration, cfg.concurrency)

	rep := &report{results: map[string]*result{}}
	for _, o := range ops {
		rep.results[o] = &result{statuses: map[string]int{}}
	}
	var mu sync.Mutex
	runCtx, stop := context.WithTimeout(ctx, cfg.duration)
	defer stop()

	// Memory of the server, sampled once a second.
	var sampler sync.WaitGroup
	if cfg.serverPID > 0 {
		if rss, _, err := readMemory(cfg.serverPID); err != nil {
			return nil, err
		} else {
			rep.startRSS = rss
		}
		sampler.Add(1)
		go func() {
			defer sampler.Done()
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-runCtx.Done():
					return
				case <-t.C:
					rss, _, err := readMemory(cfg.serverPID)
					mu.Lock()
					if err != nil && rep.sampleErr == nil {
						rep.sampleErr = err
					}
					rep.maxRSS = max(rep.maxRSS, rss)
					mu.Unlock()
				}
			}
		}()
	}

	start := time.Now()
	var wg sync.WaitGroup
	for i := range cfg.concurrency {
		wk := &worker{c: c, w: w, r: rand.New(rand.NewPCG(cfg.seed, uint64(i))), id: i}
		for _, o := range ops {
			if cfg.weights[o] > 0 {
				wk.total += cfg.weights[o]
				wk.cum = append(wk.cum, wk.total)
				wk.names = append(wk.names, o)
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := map[string]*result{}
			for _, o := range ops {
				local[o] = &result{statuses: map[string]int{}}
			}
			var firstErrs []string
			// The duration ends the loop, not the request in flight: a
			// request cut off midway would count as an error here and as
			// an abandoned request at the server. Ctrl-C (ctx) still cuts.
			for runCtx.Err() == nil {
				name := wk.pick()
				t0 := time.Now()
				err := wk.op(ctx, name)
				d := time.Since(t0)
				if err != nil && ctx.Err() != nil {
					break // interrupted: not the server's error
				}
				res := local[name]
				res.lat = append(res.lat, d)
				if err != nil {
					res.errs++
					var ae *apiError
					if errors.As(err, &ae) {
						res.statuses[strconv.Itoa(ae.status)]++
					} else {
						res.statuses["transport"]++
					}
					if len(firstErrs) < 3 {
						firstErrs = append(firstErrs, name+": "+err.Error())
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for o, x := range local {
				r := rep.results[o]
				r.lat = append(r.lat, x.lat...)
				r.errs += x.errs
				for k, v := range x.statuses {
					r.statuses[k] += v
				}
			}
			if len(rep.firstErrors) < 10 {
				rep.firstErrors = append(rep.firstErrors, firstErrs...)
			}
		}()
	}
	wg.Wait()
	rep.elapsed = time.Since(start)
	stop()
	sampler.Wait()
	if cfg.serverPID > 0 {
		rss, hwm, err := readMemory(cfg.serverPID)
		if err != nil {
			return nil, err
		}
		rep.rssKB, rep.hwmKB, rep.rssSampled = rss, hwm, true
		rep.maxRSS = max(rep.maxRSS, rss)
	}
	return rep, nil
}

// readMemory reads a process's resident set and its peak (kB) from
// /proc/<pid>/status.
func readMemory(pid int) (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("server memory: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm, sc.Err()
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64)
}

func (r *report) print(w io.Writer, cfg config) {
	fmt.Fprintf(w, "target %s, concurrency %d, %s (ran %.1f s)\n", cfg.base, cfg.concurrency, cfg.duration, r.elapsed.Seconds())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "op\tcount\treq/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\terrors\t")
	var all []time.Duration
	errs := 0
	for _, o := range ops {
		x := r.results[o]
		if len(x.lat) == 0 && x.errs == 0 {
			continue
		}
		sort.Slice(x.lat, func(i, j int) bool { return x.lat[i] < x.lat[j] })
		all = append(all, x.lat...)
		errs += x.errs
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%s\t%s\t%s\t%s\t%d\t\n", o, len(x.lat), float64(len(x.lat))/r.elapsed.Seconds(),
			ms(percentile(x.lat, .5)), ms(percentile(x.lat, .95)), ms(percentile(x.lat, .99)), ms(percentile(x.lat, 1)), x.errs)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	fmt.Fprintf(tw, "all\t%d\t%.1f\t%s\t%s\t%s\t%s\t%d\t\n", len(all), float64(len(all))/r.elapsed.Seconds(),
		ms(percentile(all, .5)), ms(percentile(all, .95)), ms(percentile(all, .99)), ms(percentile(all, 1)), errs)
	tw.Flush()
	for _, o := range ops {
		if x := r.results[o]; x.errs > 0 {
			var parts []string
			for k, v := range x.statuses {
				parts = append(parts, fmt.Sprintf("%s×%d", k, v))
			}
			sort.Strings(parts)
			fmt.Fprintf(w, "errors %s: %s\n", o, strings.Join(parts, ", "))
		}
	}
	for _, e := range r.firstErrors {
		fmt.Fprintln(w, "  e.g.", e)
	}
	if r.rssSampled {
		fmt.Fprintf(w, "server memory: VmRSS %.1f MB at start, %.1f MB at most while sampled, %.1f MB at the end; VmHWM (peak) %.1f MB\n",
			float64(r.startRSS)/1024, float64(r.maxRSS)/1024, float64(r.rssKB)/1024, float64(r.hwmKB)/1024)
	}
	if r.sampleErr != nil {
		fmt.Fprintln(w, "server memory sampling:", r.sampleErr)
	}
}
