package season

import (
	"bytes"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/history-sample.csv")

const samplePath = "testdata/history-sample.csv"

// sampleHistory models a year of hourly WedSync traffic in Europe/London:
// an off-season baseline of about 120 rps, ten times that in peak season,
// low nights, busy evenings, Friday evenings and Saturday afternoons (the
// weddings) highest, with a few percent of deterministic noise.
func sampleHistory() []byte {
	loc, _ := time.LoadLocation("Europe/London")
	cfg := defaultConfig("Europe/London")
	var b bytes.Buffer
	b.WriteString("timestamp,rps\n")
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for t := start; t.Before(start.AddDate(1, 0, 0)); t = t.Add(time.Hour) {
		lt := t.In(loc)
		rps := 120.0
		if cfg.calendar().inPeak(t) {
			rps *= 10
		}
		h := lt.Hour()
		switch {
		case h < 6:
			rps *= 0.25
		case h < 9:
			rps *= 0.6
		case h >= 18:
			rps *= 1.2
		}
		switch {
		case lt.Weekday() == time.Saturday && h >= 11 && h < 19:
			rps *= 2.5
		case lt.Weekday() == time.Saturday, lt.Weekday() == time.Friday && h >= 16:
			rps *= 1.5
		case lt.Weekday() == time.Sunday && h < 2:
			rps *= 1.3
		}
		f := fnv.New32a()
		fmt.Fprint(f, t.Unix())
		rps *= 0.95 + float64(f.Sum32()%1000)/10000 // 0.95..1.05
		fmt.Fprintf(&b, "%s,%.1f\n", t.Format(time.RFC3339), rps)
	}
	return b.Bytes()
}

func TestHistorySampleIsCommittedAndCurrent(t *testing.T) {
	want := sampleHistory()
	if *update {
		if err := os.WriteFile(samplePath, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatalf("%v (run go test ./season/ -run HistorySample -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale; run go test ./season/ -run HistorySample -update", samplePath)
	}
}

func TestReadHistory(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		samples int
		err     string
	}{
		{"reads_rows_after_header", "timestamp,rps\n2026-06-13T15:00:00Z,1200.5\n2026-06-13T16:00:00+01:00,10\n", 2, ""},
		{"empty_input_asks_for_header", "", 0, "empty input"},
		{"wrong_header_is_named", "time,rps\n", 0, `line 1: header is "time,rps"`},
		{"bad_timestamp_names_line_and_value", "timestamp,rps\n2026-06-13T15:00:00Z,1\n2026-13-01T00:00:00Z,5\n", 0, `line 3: timestamp "2026-13-01T00:00:00Z" is not RFC 3339`},
		{"negative_rps_is_rejected", "timestamp,rps\n2026-06-13T15:00:00Z,-1\n", 0, `line 2: rps "-1"`},
		{"nan_rps_is_rejected", "timestamp,rps\n2026-06-13T15:00:00Z,NaN\n", 0, `line 2: rps "NaN"`},
		{"missing_column_is_rejected", "timestamp,rps\n2026-06-13T15:00:00Z\n", 0, "wrong number of fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadHistory(strings.NewReader(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.samples {
				t.Fatalf("got %d samples, want %d", len(got), tt.samples)
			}
		})
	}
}

func TestRecommendOnSampleHistory(t *testing.T) {
	f, err := os.Open(filepath.Clean(samplePath))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	samples, err := ReadHistory(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) != 8760 {
		t.Fatalf("sample has %d rows, want a year of hours (8760)", len(samples))
	}
	cfg := defaultConfig("Europe/London")
	rec, err := Recommend(samples, cfg, 100, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("recommendation: %+v", rec)
	k := rec.Capacity
	t.Run("every_window_has_samples", func(t *testing.T) {
		if rec.OffSeason.Samples == 0 || rec.Peak.Samples == 0 || rec.WeddingDay.Samples == 0 {
			t.Fatalf("stats %+v", rec)
		}
		if n := rec.OffSeason.Samples + rec.Peak.Samples + rec.WeddingDay.Samples; n != len(samples) {
			t.Fatalf("%d samples classified, want %d", n, len(samples))
		}
	})
	t.Run("formula_holds_for_each_window", func(t *testing.T) {
		for _, w := range []struct {
			st WindowStats
			c  Capacity
		}{{rec.OffSeason, k.OffSeason}, {rec.Peak, k.Peak}} {
			if want := ceilDiv(w.st.P95RPS*1.3, 100); w.c.Min != want {
				t.Errorf("min %d, want ceil(%.1f*1.3/100) = %d", w.c.Min, w.st.P95RPS, want)
			}
			if want := max(ceilDiv(w.st.MaxRPS*1.3, 100), 2, w.c.Min); w.c.Max != want {
				t.Errorf("max %d, want %d", w.c.Max, want)
			}
		}
	})
	t.Run("peak_needs_about_ten_times_off_season", func(t *testing.T) {
		if k.Peak.Min < 7*k.OffSeason.Min || k.Peak.Max < 7*k.OffSeason.Max {
			t.Fatalf("off season %+v, peak %+v", k.OffSeason, k.Peak)
		}
	})
	t.Run("wedding_day_max_is_the_largest", func(t *testing.T) {
		if k.WeddingDay.Max < k.Peak.Max || k.WeddingDay.Min < k.Peak.Min {
			t.Fatalf("peak %+v, wedding day %+v", k.Peak, k.WeddingDay)
		}
	})
	t.Run("result_validates_as_config", func(t *testing.T) {
		c := cfg
		c.Capacity = k
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
	})
}

func ceilDiv(a, b float64) int {
	n := int(a / b)
	if float64(n)*b < a {
		n++
	}
	return n
}

func TestRecommendRejectsBadInputs(t *testing.T) {
	s := []TrafficSample{{Time: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC), RPS: 100}}
	cfg := defaultConfig("Europe/London")
	bad := cfg
	bad.Timezone = "Mars/Olympus"
	tests := []struct {
		name        string
		cfg         Config
		per, head   float64
		errContains string
	}{
		{"zero_per_instance_rps", cfg, 0, 0.3, "perInstanceRPS"},
		{"negative_headroom", cfg, 100, -0.1, "headroom"},
		{"invalid_config", bad, 100, 0.3, "timezone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Recommend(s, tt.cfg, tt.per, tt.head)
			if err == nil || !strings.Contains(err.Error(), tt.errContains) {
				t.Fatalf("error = %v, want %q", err, tt.errContains)
			}
		})
	}
	t.Run("window_without_samples_keeps_config_capacity", func(t *testing.T) {
		rec, err := Recommend(s, cfg, 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Capacity.OffSeason != cfg.Capacity.OffSeason {
			t.Fatalf("off season %+v, want config's %+v", rec.Capacity.OffSeason, cfg.Capacity.OffSeason)
		}
	})
}

func FuzzReadHistory(f *testing.F) {
	f.Add([]byte("timestamp,rps\n2026-06-13T15:00:00Z,1200.5\n"))
	f.Add([]byte("timestamp,rps\n\"2026-06-13T15:00:00Z\",1e309\n"))
	f.Add([]byte("timestamp,rps\n2026-06-13T15:00:00Z,1,2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		samples, err := ReadHistory(bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "history") {
				t.Fatalf("error %q does not say it is about the history", err)
			}
			return
		}
		if _, err := Recommend(samples, defaultConfig("Europe/London"), 50, 0.2); err != nil {
			t.Fatal(err)
		}
	})
}
