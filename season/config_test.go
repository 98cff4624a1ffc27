package season

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-multierror"
)

func TestApplyDefaults(t *testing.T) {
	var c Config
	c.ApplyDefaults()
	t.Run("empty_config_gets_documented_defaults", func(t *testing.T) {
		want := Config{
			Timezone:    "Europe/London",
			PeakMonths:  "May-October",
			WeddingDays: WeeklyWindow{Start: "Fri 16:00", End: "Sun 02:00"},
			Capacity:    Capacities{OffSeason: DefaultOffSeason, Peak: DefaultPeak, WeddingDay: DefaultWeddingDay},
			Freeze:      FreezeConfig{WeddingDays: WeeklyWindow{Start: "Fri 18:00", End: "Sun 06:00"}},
		}
		got, _ := json.Marshal(c)
		exp, _ := json.Marshal(want)
		if !bytes.Equal(got, exp) {
			t.Fatalf("got %s\nwant %s", got, exp)
		}
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("peak_max_covers_ten_times_off_season_min", func(t *testing.T) {
		if c.Capacity.Peak.Max < 10*c.Capacity.OffSeason.Min {
			t.Fatalf("peak max %d < 10 x off-season min %d", c.Capacity.Peak.Max, c.Capacity.OffSeason.Min)
		}
	})
	t.Run("partly_written_capacity_keeps_deliberate_zero", func(t *testing.T) {
		c := Config{Capacity: Capacities{OffSeason: Capacity{Min: 0, Max: 5}}}
		c.ApplyDefaults()
		if c.Capacity.OffSeason != (Capacity{Max: 5}) {
			t.Fatalf("got %+v", c.Capacity.OffSeason)
		}
	})
	t.Run("unnamed_extra_date_is_named_after_its_date", func(t *testing.T) {
		c := Config{ExtraDates: []ExtraDate{{Date: "2026-12-31"}}}
		c.ApplyDefaults()
		if c.ExtraDates[0].Name != "extra date 2026-12-31" {
			t.Fatalf("got %q", c.ExtraDates[0].Name)
		}
	})
}

func TestValidateReportsEveryProblemWithPathValueAndFix(t *testing.T) {
	c := defaultConfig("Europe/London")
	c.Timezone = "Mars/Olympus"
	c.PeakMonths = "Mai-October"
	c.WeddingDays = WeeklyWindow{Start: "Fryday 16:00", End: "Sun 25:00"}
	c.Freeze.WeddingDays = WeeklyWindow{Start: "Sat 10:00", End: "Sat 10:00"}
	c.ExtraDates = []ExtraDate{{Date: "2026-02-30", Name: "x", Start: "7pm"}}
	c.Freeze.Dates = []FreezeDate{{Start: "2026-12-27", End: "2026-12-24", Name: "Christmas"}, {Start: "Xmas", End: "2026-12-24"}}
	c.Capacity.OffSeason = Capacity{Min: 2, Max: 20, Desired: 2}
	c.Capacity.Peak = Capacity{Min: 0, Max: 40, Desired: 6}
	c.Capacity.WeddingDay = Capacity{Min: -1, Max: 3, Desired: 5}

	err := c.Validate()
	var merr *multierror.Error
	if !errors.As(err, &merr) {
		t.Fatalf("Validate returned %T (%v), want *multierror.Error", err, err)
	}
	want := []string{
		`timezone: "Mars/Olympus" is not an IANA time zone`,
		`peakMonths: "Mai-October" has "Mai", which is not an English month name`,
		`weddingDays.start: "Fryday 16:00" has "Fryday", which is not an English weekday`,
		`weddingDays.end: "Sun 25:00" has "25:00", which is not a 24-hour HH:MM time`,
		`freeze.weddingDays: start and end are both "Sat 10:00"`,
		`extraDates[0].date: "2026-02-30" is not a date`,
		`extraDates[0].start: "7pm" is not a time of day`,
		`freeze.dates[0].end: "2026-12-24" is not after start "2026-12-27"`,
		`freeze.dates[1].start: "Xmas" is not a date`,
		`capacity.weddingDay.min: -1 is negative`,
		`capacity.weddingDay.max: 3 is below capacity.weddingDay.desired (5)`,
		`capacity.peak.min: 0 is below capacity.offSeason.min (2); peak season needs at least the off-season minimum`,
		`capacity.weddingDay.min: -1 is below capacity.peak.min (0); a wedding day needs at least the peak-season minimum`,
	}
	if len(merr.Errors) != len(want) {
		t.Errorf("got %d errors, want %d:\n%v", len(merr.Errors), len(want), err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
}

func TestValidateAcceptsWhatUsersWrite(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
	}{
		{"wrap_around_peak_months", func(c *Config) { c.PeakMonths = "November-February" }},
		{"abbreviated_lower_case_months", func(c *Config) { c.PeakMonths = "may - oct" }},
		{"single_peak_month", func(c *Config) { c.PeakMonths = "August" }},
		{"full_weekday_names", func(c *Config) { c.WeddingDays = WeeklyWindow{Start: "Friday 9:30", End: "sunday 02:00"} }},
		{"window_wrapping_the_week", func(c *Config) { c.WeddingDays = WeeklyWindow{Start: "Sun 20:00", End: "Sun 08:00"} }},
		{"freeze_with_times", func(c *Config) {
			c.Freeze.Dates = []FreezeDate{{Start: "2026-12-24 18:00", End: "2026-12-24T23:00"}}
		}},
		{"scale_to_zero_off_season", func(c *Config) { c.Capacity.OffSeason = Capacity{Min: 0, Max: 4, Desired: 0} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := defaultConfig("Europe/London")
			tt.edit(&c)
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestParseConfig(t *testing.T) {
	t.Run("documented_example_parses", func(t *testing.T) {
		c, err := ParseConfig([]byte(exampleJSON))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.CapacityAt(time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC)); got != c.Capacity.WeddingDay {
			t.Fatalf("New Year's Eve capacity %+v", got)
		}
	})
	t.Run("misspelt_field_is_rejected", func(t *testing.T) {
		_, err := ParseConfig([]byte(`{"peakMonth":"May-October"}`))
		if err == nil || !strings.Contains(err.Error(), "peakMonth") {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("trailing_data_is_rejected", func(t *testing.T) {
		if _, err := ParseConfig([]byte(`{} {}`)); err == nil {
			t.Fatal("want an error")
		}
	})
}

const exampleJSON = `{
  "timezone": "Europe/London",
  "peakMonths": "May-October",
  "weddingDays": {"start": "Fri 16:00", "end": "Sun 02:00"},
  "extraDates": [{"date": "2026-12-31", "name": "New Year's Eve", "start": "18:00", "end": "03:00"}],
  "capacity": {
    "offSeason":  {"min": 2,  "max": 10, "desired": 2},
    "peak":       {"min": 8,  "max": 40, "desired": 10},
    "weddingDay": {"min": 20, "max": 60, "desired": 20}
  },
  "freeze": {
    "weddingDays": {"start": "Fri 18:00", "end": "Sun 06:00"},
    "dates": [{"start": "2026-12-24", "end": "2026-12-27", "name": "Christmas"}]
  }
}`

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(exampleJSON))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"peakMonths":"November-February","weddingDays":{"start":"Sun 20:00","end":"Sun 08:00"}}`))
	f.Add([]byte(`{"timezone":"America/New_York","extraDates":[{"date":"2026-03-08","start":"02:30","end":"02:30"}]}`))
	f.Add([]byte(`{"freeze":{"dates":[{"start":"2026-12-24 18:00","end":"2026-12-27"}]}}`))
	f.Add([]byte(`{"timezone":"Local","peakMonths":"-","weddingDays":{"start":"Fri 24:00","end":"x"}}`))
	probe := []time.Time{
		time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC),
		time.Date(2026, 6, 13, 14, 0, 0, 0, time.UTC),
		time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC),
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		// Whatever was decoded, evaluating it must not panic.
		var raw Config
		_ = json.Unmarshal(data, &raw)
		for _, at := range probe {
			raw.CapacityAt(at)
			raw.FreezeAt(at)
		}
		if err != nil {
			return
		}
		// Valid configs round-trip.
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseConfig(out)
		if err != nil {
			t.Fatalf("re-parsing %s: %v", out, err)
		}
		out2, _ := json.Marshal(again)
		if !bytes.Equal(out, out2) {
			t.Fatalf("round trip changed the config:\n%s\n%s", out, out2)
		}
		for _, at := range probe {
			if got := again.CapacityAt(at); got != c.CapacityAt(at) {
				t.Fatalf("capacity at %s changed after round trip", at)
			}
			if st := c.StateAt(at); st.Capacity.Min < c.Capacity.OffSeason.Min {
				t.Fatalf("capacity %+v below the off-season minimum", st.Capacity)
			}
		}
	})
}
