package backup

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// progress prints objects and bytes verified and the rate, at most every
// interval, and once at the end.
type progress struct {
	w          io.Writer
	totalObj   int64
	totalBytes int64
	count      atomic.Int64
	bytes      atomic.Int64
	start      time.Time
	interval   time.Duration
	mu         sync.Mutex
	last       time.Time
}

func newProgress(w io.Writer, jobs []job) *progress {
	p := &progress{w: w, totalObj: int64(len(jobs)), start: time.Now(), interval: 2 * time.Second}
	for _, j := range jobs {
		p.totalBytes += j.f.Bytes
	}
	p.last = p.start
	return p
}

func (p *progress) done() {
	p.count.Add(1)
	p.maybePrint()
}

func (p *progress) resumed(n int64) {
	p.count.Add(1)
	p.bytes.Add(n)
	p.maybePrint()
}

func (p *progress) reader(r io.Reader) io.Reader { return &countReader{r: r, p: p} }

func (p *progress) maybePrint() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < p.interval {
		return
	}
	p.last = time.Now()
	p.print()
}

func (p *progress) finish() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.print()
}

func (p *progress) print() {
	el := time.Since(p.start).Seconds()
	b := p.bytes.Load()
	rate := 0.0
	if el > 0 {
		rate = float64(b) / el / (1 << 20)
	}
	fmt.Fprintf(p.w, "verified %d/%d objects, %.1f/%.1f MiB, %.1f MiB/s\n",
		p.count.Load(), p.totalObj, float64(b)/(1<<20), float64(p.totalBytes)/(1<<20), rate)
}

type countReader struct {
	r io.Reader
	p *progress
}

func (c *countReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.bytes.Add(int64(n))
	return n, err
}
