// Command loadtest sends GET requests to a fellesrom server on this machine
// and reports requests per second and latency percentiles per URL.
//
//	loadtest -base http://127.0.0.1:8080 -c 8 -d 10s /api/v1/groups?q=sorg /finn?q=sorg
//
// It only talks to loopback addresses, stops after -d or -n requests per URL,
// and fails if any response is not 200.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "server base URL (loopback only)")
	conc := flag.Int("c", 8, "concurrent connections")
	dur := flag.Duration("d", 10*time.Second, "how long to load each URL")
	maxN := flag.Int("n", 1_000_000, "at most this many requests per URL")
	gz := flag.Bool("gzip", true, "ask for gzip, as browsers do")
	flag.Parse()
	if err := run(*base, flag.Args(), *conc, *dur, *maxN, *gz); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(base string, paths []string, conc int, dur time.Duration, maxN int, gz bool) error {
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	ip := net.ParseIP(u.Hostname())
	if u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return errors.New("only loopback addresses (127.0.0.0/8, ::1, localhost) may be loaded")
	}
	if len(paths) == 0 || conc < 1 || conc > 256 || dur <= 0 || dur > 10*time.Minute {
		return errors.New("usage: loadtest [-base URL] [-c 1..256] [-d ≤10m] PATH…")
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: conc, DisableCompression: true}}
	fmt.Printf("%-60s %10s %9s %9s %9s %8s\n", "url", "req/s", "p50 ms", "p90 ms", "p99 ms", "kB/resp")
	for _, p := range paths {
		if err := loadOne(client, base+p, conc, dur, maxN, gz); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	return nil
}

func loadOne(client *http.Client, target string, conc int, dur time.Duration, maxN int, gz bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		bytes     int64
		firstErr  error
		wg        sync.WaitGroup
	)
	start := time.Now()
	for range conc {
		wg.Go(func() {
			for ctx.Err() == nil {
				mu.Lock()
				stop := len(latencies) >= maxN || firstErr != nil
				mu.Unlock()
				if stop {
					return
				}
				req, _ := http.NewRequestWithContext(ctx, "GET", target, nil)
				if gz {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						mu.Lock()
						firstErr = err
						mu.Unlock()
					}
					return
				}
				n, _ := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				d := time.Since(t0)
				mu.Lock()
				if res.StatusCode != http.StatusOK && firstErr == nil {
					firstErr = fmt.Errorf("status %d", res.StatusCode)
				}
				latencies = append(latencies, d)
				bytes += n
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return firstErr
	}
	if len(latencies) == 0 {
		return errors.New("no responses")
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	name := target
	if len(name) > 60 {
		name = name[:57] + "…"
	}
	fmt.Printf("%-60s %10.0f %9.2f %9.2f %9.2f %8.1f\n", name, float64(len(latencies))/elapsed.Seconds(),
		pct(0.5), pct(0.9), pct(0.99), float64(bytes)/float64(len(latencies))/1024)
	return nil
}
