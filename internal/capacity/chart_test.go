package capacity

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/season"
)

func london(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func newChart(t *testing.T, cfg season.Config, year int, history []season.TrafficSample) *Chart {
	t.Helper()
	c, err := NewChart("prod", cfg, year, history, 100)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestChartMinAndMaxAreTheCalendarsAtEveryHourOfTheYear(t *testing.T) {
	cfg := londonConfig()
	cfg.ExtraDates = []season.ExtraDate{{Date: "2027-12-31", Name: "New Year's Eve", Start: "18:00", End: "03:00"}}
	c := newChart(t, cfg, 2027, nil)
	if len(c.Hours) != 8760 {
		t.Fatalf("%d hours in 2027, want 8760", len(c.Hours))
	}
	loc := london(t)
	if !c.Hours[0].Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, loc)) || !c.End.Equal(time.Date(2028, 1, 1, 0, 0, 0, 0, loc)) {
		t.Errorf("chart runs from %s to %s, want the local year", c.Hours[0], c.End)
	}
	for i, h := range c.Hours {
		want := cfg.CapacityAt(h)
		if c.Min.Values[i] != float64(want.Min) || c.Max.Values[i] != float64(want.Max) {
			t.Fatalf("%s: chart min/max %g/%g, calendar %d/%d", h, c.Min.Values[i], c.Max.Values[i], want.Min, want.Max)
		}
	}
	// The extra date is drawn: New Year's Eve evening has wedding-day capacity.
	if v := c.Min.Values[c.index(time.Date(2027, 12, 31, 20, 0, 0, 0, loc))]; v != float64(season.DefaultWeddingDay.Min) {
		t.Errorf("New Year's Eve 20:00 min = %g, want %d", v, season.DefaultWeddingDay.Min)
	}
}

func TestChartShadesMayToOctoberAsPeakSeason(t *testing.T) {
	c := newChart(t, londonConfig(), 2027, nil)
	loc := london(t)
	want := []Span{{time.Date(2027, 5, 1, 0, 0, 0, 0, loc), time.Date(2027, 11, 1, 0, 0, 0, 0, loc)}}
	if len(c.Peak) != 1 || !c.Peak[0].Start.Equal(want[0].Start) || !c.Peak[0].End.Equal(want[0].End) {
		t.Errorf("peak = %v, want %v", c.Peak, want)
	}
	cfg := londonConfig()
	cfg.PeakMonths = "November-February"
	c = newChart(t, cfg, 2027, nil)
	if len(c.Peak) != 2 || c.Peak[0].End.Month() != time.March || c.Peak[1].Start.Month() != time.November {
		t.Errorf("wrapping peak = %v, want Jan-Feb and Nov-Dec", c.Peak)
	}
}

func TestCloudMinimaFollowTheCalendar(t *testing.T) {
	c := newChart(t, londonConfig(), 2027, nil)
	byCloud := map[string]CloudSeries{}
	for _, cs := range c.Clouds {
		byCloud[cs.Cloud] = cs
		if len(cs.Values) != len(c.Hours) {
			t.Fatalf("%s has %d values for %d hours", cs.Cloud, len(cs.Values), len(c.Hours))
		}
	}
	// Every cloud (Azure re-planned at each ValidUntil) follows the
	// calendar's minimum all year, GCP included: no hour short on the
	// wedding night of 31 October (01:00-02:00 GMT, the repeated hour),
	// none long after the clocks go forward on 28 March.
	for _, cloud := range []string{"AWS", "GCP", "Azure"} {
		cs, ok := byCloud[cloud]
		if !ok {
			t.Fatalf("no %s series; notes: %v", cloud, c.Notes)
		}
		for i := range c.Hours {
			if cs.Values[i] != c.Min.Values[i] {
				t.Fatalf("%s min at %s = %g, calendar %g", cloud, c.Hours[i], cs.Values[i], c.Min.Values[i])
			}
		}
		if len(cs.Differs) != 0 {
			t.Errorf("%s differs: %v", cloud, cs.Differs)
		}
	}
}

func TestLeapYearHasEveryHour(t *testing.T) {
	c := newChart(t, londonConfig(), 2028, nil)
	if len(c.Hours) != 8784 || len(c.Min.Values) != 8784 {
		t.Fatalf("2028 has %d hours, want 8784", len(c.Hours))
	}
	for _, cs := range c.Clouds {
		if len(cs.Values) != 8784 {
			t.Errorf("%s has %d values", cs.Cloud, len(cs.Values))
		}
	}
}

func TestACloudThatCannotBeGeneratedIsLeftOutWithANote(t *testing.T) {
	cfg := londonConfig()
	cfg.Timezone = "Asia/Tokyo" // no Windows zone mapping for Azure
	c := newChart(t, cfg, 2027, nil)
	for _, cs := range c.Clouds {
		if cs.Cloud == "Azure" {
			t.Fatal("Azure drawn for a zone it cannot name")
		}
	}
	if len(c.Clouds) != 2 || !strings.Contains(strings.Join(c.Notes, "\n"), "Azure is not drawn: timezone: \"Asia/Tokyo\"") {
		t.Errorf("clouds %d, notes %v", len(c.Clouds), c.Notes)
	}
}

func TestTrafficIsTheBusiestSampleOfEachHourInInstances(t *testing.T) {
	loc := london(t)
	at := time.Date(2027, 6, 12, 20, 0, 0, 0, loc) // a Saturday evening
	history := []season.TrafficSample{
		{Time: at, RPS: 1200},
		{Time: at.Add(30 * time.Minute), RPS: 1850},
		{Time: at.Add(2 * time.Hour), RPS: 300},
	}
	c := newChart(t, londonConfig(), 2027, history)
	if c.Traffic == nil || c.TrafficShift != 0 {
		t.Fatalf("traffic %v, shift %s", c.Traffic, c.TrafficShift)
	}
	i := c.index(at)
	if got := c.Traffic.Values[i]; got != 18.5 {
		t.Errorf("Saturday 20:00 traffic = %g instances, want 1850/100 = 18.5", got)
	}
	if got := c.Traffic.Values[i+2]; got != 3 {
		t.Errorf("22:00 traffic = %g, want 3", got)
	}
	drawn := 0
	for _, v := range c.Traffic.Values {
		if !math.IsNaN(v) {
			drawn++
		}
	}
	if drawn != 2 {
		t.Errorf("%d hours have traffic, want 2 (the others are gaps)", drawn)
	}
}

func TestHistoryFromAnotherYearMovesByWholeWeeks(t *testing.T) {
	loc := london(t)
	sat := time.Date(2025, 6, 14, 20, 0, 0, 0, loc) // Saturday, BST
	winter := time.Date(2025, 1, 11, 20, 0, 0, 0, loc)
	c := newChart(t, londonConfig(), 2027, []season.TrafficSample{{Time: sat, RPS: 500}, {Time: winter, RPS: 100}})
	if c.TrafficShift != 104*7*24*time.Hour {
		t.Fatalf("shift = %s, want 104 weeks", c.TrafficShift)
	}
	for _, want := range []time.Time{time.Date(2027, 6, 12, 20, 0, 0, 0, loc), time.Date(2027, 1, 9, 20, 0, 0, 0, loc)} {
		if want.Weekday() != time.Saturday {
			t.Fatalf("test bug: %s is not a Saturday", want)
		}
		if v := c.Traffic.Values[c.index(want)]; math.IsNaN(v) {
			t.Errorf("no traffic on %s, the same Saturday wall-clock hour two years on", want)
		}
	}
	if !strings.Contains(c.Traffic.Name, "2025") || !strings.Contains(strings.Join(c.Notes, "\n"), "drawn 104 weeks later") {
		t.Errorf("the move is not said: %q, %v", c.Traffic.Name, c.Notes)
	}
}

func TestHistoryYearIsTheMedianSamplesYear(t *testing.T) {
	loc := london(t)
	h := []season.TrafficSample{
		{Time: time.Date(2024, 12, 31, 23, 0, 0, 0, loc)},
		{Time: time.Date(2025, 3, 1, 0, 0, 0, 0, loc)},
		{Time: time.Date(2025, 7, 1, 0, 0, 0, 0, loc)},
	}
	if got := HistoryYear(h, loc); got != 2025 {
		t.Errorf("HistoryYear = %d, want 2025", got)
	}
}

func TestStepPointsDrawTheSameValuesAsEveryHour(t *testing.T) {
	c := newChart(t, londonConfig(), 2027, nil)
	xys := stepPoints(c, c.Min.Values)
	if len(xys) > len(c.Hours)/10 {
		t.Errorf("%d points kept of %d hours; the step line should keep only changes", len(xys), len(c.Hours))
	}
	// Holding each point's value until the next point gives back every hour.
	k := 0
	for i, h := range c.Hours {
		x := c.x(h)
		for k+1 < len(xys) && xys[k+1].X <= x {
			k++
		}
		if xys[k].Y != c.Min.Values[i] {
			t.Fatalf("hour %s: step line at %g, value %g", h, xys[k].Y, c.Min.Values[i])
		}
	}
	if last := xys[len(xys)-1]; last.X != c.x(c.End) {
		t.Errorf("step line ends at %g, want the year's end %g", last.X, c.x(c.End))
	}
}

func TestRenderWritesTheRequestedFormat(t *testing.T) {
	history := readSample(t)
	c := newChart(t, londonConfig(), 2025, history)
	pngData, err := c.Render(FormatPNG)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pngData, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("PNG output starts %q", pngData[:min(8, len(pngData))])
	}
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 1000 || b.Dx() <= b.Dy() {
		t.Errorf("PNG is %v; want a wide picture", b)
	}
	if blank(img) {
		t.Error("PNG is one colour")
	}

	svg, err := c.Render(FormatSVG)
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if !strings.HasPrefix(s, "<?xml") || !strings.Contains(s, "<svg") {
		t.Fatalf("SVG output starts %q", s[:min(60, len(s))])
	}
	for _, text := range []string{"Capacity through 2025, stack prod", "peak season (May-October)", "calendar minimum", "AWS minimum", "traffic 2025", ">Jun<", "instances"} {
		if !strings.Contains(s, text) {
			t.Errorf("SVG lacks %q", text)
		}
	}
	if _, err := c.Render("pdf"); err == nil {
		t.Error("pdf rendered; only svg and png are offered")
	}
}

func blank(img image.Image) bool {
	b := img.Bounds()
	first := img.At(b.Min.X, b.Min.Y)
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			if img.At(x, y) != first {
				return false
			}
		}
	}
	return true
}

func TestFormatOf(t *testing.T) {
	for path, want := range map[string]string{"a.svg": FormatSVG, "out/A.PNG": FormatPNG} {
		if got, err := FormatOf(path); err != nil || got != want {
			t.Errorf("FormatOf(%q) = %q, %v; want %q", path, got, err, want)
		}
	}
	for _, path := range []string{"a.pdf", "capacity", "a.svg.txt"} {
		if _, err := FormatOf(path); err == nil || !strings.Contains(err.Error(), ".svg or .png") {
			t.Errorf("FormatOf(%q) err = %v", path, err)
		}
	}
}

func TestNewChartRefusesBadInput(t *testing.T) {
	bad := londonConfig()
	bad.PeakMonths = "Maytember"
	for name, f := range map[string]func() error{
		"invalid calendar": func() error { _, err := NewChart("prod", bad, 2027, nil, 100); return err },
		"year":             func() error { _, err := NewChart("prod", londonConfig(), 10000, nil, 100); return err },
		"per-instance rps": func() error {
			_, err := NewChart("prod", londonConfig(), 2027, []season.TrafficSample{{Time: time.Now(), RPS: 1}}, 0)
			return err
		},
	} {
		if err := f(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
