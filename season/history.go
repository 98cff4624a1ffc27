package season

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// TrafficSample is one observation of request rate.
type TrafficSample struct {
	Time time.Time
	RPS  float64
}

// ReadHistory reads traffic history as CSV with a header row
// "timestamp,rps", one RFC 3339 timestamp and a non-negative request rate
// per line. Errors name the line and the bad value.
func ReadHistory(r io.Reader) ([]TrafficSample, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 2
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("history: empty input; want a header row \"timestamp,rps\"")
	}
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	if strings.TrimSpace(header[0]) != "timestamp" || strings.TrimSpace(header[1]) != "rps" {
		return nil, fmt.Errorf("history line 1: header is %q; want \"timestamp,rps\"", strings.Join(header, ","))
	}
	var out []TrafficSample
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		line, _ := cr.FieldPos(0)
		ts, err := time.Parse(time.RFC3339, strings.TrimSpace(rec[0]))
		if err != nil {
			return nil, fmt.Errorf("history line %d: timestamp %q is not RFC 3339 (like 2026-06-13T15:00:00Z)", line, rec[0])
		}
		rps, err := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		if err != nil || rps < 0 || math.IsNaN(rps) || math.IsInf(rps, 0) {
			return nil, fmt.Errorf("history line %d: rps %q is not a finite number of 0 or more", line, rec[1])
		}
		out = append(out, TrafficSample{Time: ts, RPS: rps})
	}
}

// Recommendation is a capacity suggestion per window, ready to paste into
// the config, with the statistics it came from.
type Recommendation struct {
	Capacity   Capacities
	OffSeason  WindowStats
	Peak       WindowStats
	WeddingDay WindowStats
}

// WindowStats summarises the samples the calendar put in one window.
type WindowStats struct {
	Samples int
	P95RPS  float64
	MaxRPS  float64
}

// Recommend sizes each window from history. Every sample is put in the
// window the calendar gives its instant (StateAt: wedding day over peak
// over off season), then, per window, with h the headroom (0.3 for 30%):
//
//	min = ceil(p95(rps) / perInstanceRPS * (1 + h))
//	max = max(ceil(max(rps) / perInstanceRPS * (1 + h)), 2, min)
//	desired = min
//
// p95 is the nearest-rank percentile (the smallest value with at least 95%
// of samples at or below it): the floor should carry a normal busy hour,
// while the maximum must carry the worst one seen; 2 keeps a spare instance
// to fail over to. Minimums are then raised so peak >= off season and
// wedding day >= peak, as Validate requires. A window without samples
// keeps cfg's capacity, so the result always validates.
//
// It returns an error for a non-positive or non-finite perInstanceRPS, a
// negative or non-finite headroom, or an invalid cfg.
func Recommend(samples []TrafficSample, cfg Config, perInstanceRPS, headroom float64) (Recommendation, error) {
	if !(perInstanceRPS > 0) || math.IsInf(perInstanceRPS, 0) {
		return Recommendation{}, fmt.Errorf("recommend: perInstanceRPS %v must be a positive number", perInstanceRPS)
	}
	if !(headroom >= 0) || math.IsInf(headroom, 0) {
		return Recommendation{}, fmt.Errorf("recommend: headroom %v must be 0 or more (0.3 for 30%%)", headroom)
	}
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return Recommendation{}, err
	}
	cal := cfg.calendar()
	byWindow := map[Window][]float64{}
	for _, s := range samples {
		w := cal.state(s.Time).Window
		byWindow[w] = append(byWindow[w], s.RPS)
	}
	size := func(w Window, fallback Capacity) (Capacity, WindowStats) {
		rps := byWindow[w]
		if len(rps) == 0 {
			return fallback, WindowStats{}
		}
		sort.Float64s(rps)
		p95 := rps[int(math.Ceil(0.95*float64(len(rps))))-1]
		peak := rps[len(rps)-1]
		instances := func(r float64) int {
			// Clamped so absurd inputs cannot overflow the int conversion.
			return int(math.Min(math.Ceil(r/perInstanceRPS*(1+headroom)), math.MaxInt32))
		}
		lo := instances(p95)
		hi := max(instances(peak), 2, lo)
		return Capacity{Min: lo, Max: hi, Desired: lo}, WindowStats{Samples: len(rps), P95RPS: p95, MaxRPS: peak}
	}
	var rec Recommendation
	rec.Capacity.OffSeason, rec.OffSeason = size(WindowOffSeason, cfg.Capacity.OffSeason)
	rec.Capacity.Peak, rec.Peak = size(WindowPeak, cfg.Capacity.Peak)
	rec.Capacity.WeddingDay, rec.WeddingDay = size(WindowWeddingDay, cfg.Capacity.WeddingDay)
	raise := func(c *Capacity, floor int) {
		c.Min = max(c.Min, floor)
		c.Desired = max(c.Desired, c.Min)
		c.Max = max(c.Max, c.Desired)
	}
	raise(&rec.Capacity.Peak, rec.Capacity.OffSeason.Min)
	raise(&rec.Capacity.WeddingDay, rec.Capacity.Peak.Min)
	return rec, nil
}
