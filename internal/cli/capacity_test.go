package cli

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/season"
)

const sampleHistory = "../../season/testdata/history-sample.csv"

// prodStack is a valid prod stack with a season block that sets more than
// capacity, so the pasted block must keep it.
const prodStack = `config:
  wedsync:environment: prod
  wedsync:cloud: aws
  wedsync:region: eu-west-2
  wedsync:drRegion: eu-west-1
  wedsync:costCentre: wedsync-prod
  wedsync:alerting: {receivers: [{name: oncall, email: oncall@wedsync.co.uk}], escalation: [{name: wedding-day, email: weddings@wedsync.co.uk}]}
  wedsync:budget: {amount: 12000}
  wedsync:compute: {image: {aws: {eu-west-2: ami-0d1f3c5e7a9b2c4d6}}}
  wedsync:season:
    extraDates:
      - {date: "2025-12-31", name: New Year's Eve, start: "18:00", end: "03:00"}
    capacity:
      offSeason: {min: 2, max: 10, desired: 2}
`

// capacityProject writes a project with the given stack files and returns
// its directory.
func capacityProject(t *testing.T, stackFiles map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), []byte("name: wedsync\nruntime: go\nstackConfigDir: stacks\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "stacks"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range stackFiles {
		if err := os.WriteFile(filepath.Join(dir, "stacks", "Pulumi."+name+".yaml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Main(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "history.csv")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCapacityFromTheSampleHistoryPrintsTheTableAndABlockThatPastes(t *testing.T) {
	dir := capacityProject(t, map[string]string{"prod": prodStack})
	code, out, errOut := runCLI(t, "capacity", "--project-dir", dir, "--history", sampleHistory)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	// The numbers are season.Recommend's for the stack's calendar.
	cfg := season.Config{ExtraDates: []season.ExtraDate{{Date: "2025-12-31", Name: "New Year's Eve", Start: "18:00", End: "03:00"}}}
	cfg.ApplyDefaults()
	data, err := os.ReadFile(sampleHistory)
	if err != nil {
		t.Fatal(err)
	}
	history, err := season.ReadHistory(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want, err := season.Recommend(history, cfg, 100, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []struct {
		name string
		c    season.Capacity
		s    season.WindowStats
	}{
		{"off season", want.Capacity.OffSeason, want.OffSeason},
		{"peak season", want.Capacity.Peak, want.Peak},
		{"wedding day", want.Capacity.WeddingDay, want.WeddingDay},
	} {
		line := ""
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, row.name+" ") {
				line = l
			}
		}
		cells := fmt.Sprintf("%d  %.1f  %.1f  %d / %d / %d", row.s.Samples, row.s.P95RPS, row.s.MaxRPS, row.c.Min, row.c.Max, row.c.Desired)
		if strings.Join(strings.Fields(line), " ") == "" || !strings.Contains(strings.Join(strings.Fields(line), " "), strings.Join(strings.Fields(cells), " ")) {
			t.Errorf("row %q, want it to show %q", line, cells)
		}
	}

	_, block, ok := strings.Cut(out, "replacing its wedsync:season:\n\n")
	if !ok {
		t.Fatalf("no block to paste in:\n%s", out)
	}
	sc, err := project.ParseStack([]byte("config:\n"+block), "wedsync")
	if err != nil {
		t.Fatalf("block does not parse as a stack file: %v\n%s", err, block)
	}
	pasted, err := season.ParseConfig([]byte(sc.Values["wedsync:season"]))
	if err != nil {
		t.Fatalf("pasted season config: %v\n%s", err, block)
	}
	if pasted.Capacity != want.Capacity {
		t.Errorf("pasted capacity %+v, want %+v", pasted.Capacity, want.Capacity)
	}
	if len(pasted.ExtraDates) != 1 || pasted.ExtraDates[0].Name != "New Year's Eve" {
		t.Errorf("the stack's extra date was dropped: %+v", pasted.ExtraDates)
	}
}

func TestCapacityRecommendsWithTheGivenThroughputAndHeadroom(t *testing.T) {
	dir := capacityProject(t, map[string]string{"prod": prodStack})
	// Two off-season weekday samples: p95 = max = 90 rps; at 50 rps per
	// instance and 100% headroom, ceil(90/50*2) = 4.
	history := writeFile(t, "timestamp,rps\n2025-01-07T12:00:00Z,80\n2025-01-07T13:00:00Z,90\n")
	code, out, errOut := runCLI(t, "capacity", "--project-dir", dir, "--history", history, "--per-instance-rps", "50", "--headroom", "1")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "offSeason: {min: 4, max: 4, desired: 4}") {
		t.Errorf("want off season 4/4/4 in:\n%s", out)
	}
}

func TestCapacityRejectsBadInputWithExit2(t *testing.T) {
	dir := capacityProject(t, map[string]string{
		"prod":   prodStack,
		"broken": strings.Replace(prodStack, "    extraDates:", "    peakMonths: Maytober\n    extraDates:", 1),
	})
	good := sampleHistory
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"no action", nil, []string{"nothing to do", "--history", "--plot"}},
		{"missing file", []string{"--history", filepath.Join(dir, "nope.csv")}, []string{"--history", "nope.csv", "no such file"}},
		{"bad rps", []string{"--history", writeFile(t, "timestamp,rps\n2025-01-01T00:00:00Z,12\n2025-01-01T01:00:00Z,lots\n")},
			[]string{"history.csv: history line 3: rps \"lots\" is not a finite number of 0 or more"}},
		{"negative rps", []string{"--history", writeFile(t, "timestamp,rps\n2025-01-01T00:00:00Z,-3\n")}, []string{"line 2", `"-3"`}},
		{"bad timestamp", []string{"--history", writeFile(t, "timestamp,rps\n2025-13-01 00:00,12\n")},
			[]string{"history line 2: timestamp \"2025-13-01 00:00\" is not RFC 3339"}},
		{"bad header", []string{"--history", writeFile(t, "time,requests\n2025-01-01T00:00:00Z,12\n")}, []string{"line 1", "timestamp,rps"}},
		{"header only", []string{"--history", writeFile(t, "timestamp,rps\n")}, []string{"no samples"}},
		{"empty file", []string{"--history", writeFile(t, "")}, []string{"empty input"}},
		{"zero throughput", []string{"--history", good, "--per-instance-rps", "0"}, []string{"--per-instance-rps 0", "positive"}},
		{"percent headroom", []string{"--history", good, "--headroom", "30"}, []string{"--headroom 30", "0.3 for 30%"}},
		{"negative headroom", []string{"--history", good, "--headroom", "-0.1"}, []string{"--headroom -0.1"}},
		{"not a number", []string{"--history", good, "--headroom", "lots"}, []string{"headroom", "lots"}},
		{"plot format", []string{"--plot", filepath.Join(dir, "cap.pdf")}, []string{"--plot", ".svg or .png"}},
		{"year range", []string{"--plot", filepath.Join(dir, "cap.svg"), "--year", "1899"}, []string{"--year 1899"}},
		{"year without plot", []string{"--history", good, "--year", "2027"}, []string{"--year only applies to --plot"}},
		{"plot directory", []string{"--plot", filepath.Join(dir, "no", "such", "dir.png")}, []string{"--plot", "no such file"}},
		{"unknown stack", []string{"--history", good, "--stack", "qa"}, []string{`no such stack "qa"`, "stacks: [broken prod]"}},
		{"invalid stack config", []string{"--history", good, "--stack", "broken"}, []string{"stack broken: invalid config", "season.peakMonths", "Maytober"}},
		{"argument", []string{"--history", good, "extra"}, []string{"unknown command"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"capacity", "--project-dir", dir}, tc.args...)
			code, out, errOut := runCLI(t, args...)
			if code != ExitInvalid {
				t.Fatalf("exit %d, want %d; stdout %s stderr %s", code, ExitInvalid, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q lacks %q", errOut, w)
				}
			}
		})
	}
}

func TestCapacityPlotWritesTheRequestedFormat(t *testing.T) {
	dir := capacityProject(t, map[string]string{"prod": prodStack})
	out := t.TempDir()
	pngPath := filepath.Join(out, "capacity.png")
	code, stdout, errOut := runCLI(t, "capacity", "--project-dir", dir, "--plot", pngPath, "--history", sampleHistory)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	pngData, err := os.ReadFile(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", pngPath, err)
	}
	if img.Bounds().Dx() < 1000 {
		t.Errorf("PNG is %v", img.Bounds())
	}
	// With --history and no --year the picture is of the history's year,
	// and the table is printed too.
	for _, w := range []string{"Wrote " + pngPath + ": stack prod's capacity through 2025 (Europe/London), 8760 hours.",
		"AWS minimum equals the calendar's in all 8760 hours", "peak season ", "wedsync:season:"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, stdout)
		}
	}

	svgPath := filepath.Join(out, "capacity.SVG")
	code, stdout, errOut = runCLI(t, "capacity", "--project-dir", dir, "--stack", "prod", "--plot", svgPath, "--year", "2027")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(svgPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("<?xml")) || !bytes.Contains(data, []byte("<svg")) || !bytes.Contains(data, []byte("Capacity through 2027, stack prod")) {
		t.Errorf("%s is not the 2027 SVG: %.80q", svgPath, data)
	}
	if strings.Contains(stdout, "wedsync:season:") {
		t.Errorf("plot without history printed a recommendation:\n%s", stdout)
	}
}

func TestCapacityBlockCarriesTheSeasonSettingsOfTheStacksEnvironment(t *testing.T) {
	stack := `environment:
  - prod
config:
  wedsync:environment: prod
  wedsync:cloud: aws
  wedsync:region: eu-west-2
  wedsync:drRegion: eu-west-1
  wedsync:alerting: {receivers: [{name: oncall, email: oncall@wedsync.co.uk}], escalation: [{name: wedding-day, email: weddings@wedsync.co.uk}]}
  wedsync:budget: {amount: 12000}
  wedsync:compute: {image: {aws: {eu-west-2: ami-0d1f3c5e7a9b2c4d6}}}
`
	dir := capacityProject(t, map[string]string{"prod": stack})
	env := `values:
  pulumiConfig:
    wedsync:costCentre: wedsync-prod
    wedsync:season:
      freeze:
        dates:
          - {start: "2026-12-24", end: "2026-12-27", name: Christmas}
`
	if err := os.Mkdir(filepath.Join(dir, "environments"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "environments", "prod.yaml"), []byte(env), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "capacity", "--project-dir", dir, "--history", sampleHistory)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "wedsync:season is set by the environment the stack imports (prod)") ||
		!strings.Contains(out, "values.pulumiConfig in environments/prod.yaml") {
		t.Errorf("output does not say the season comes from environment prod:\n%s", out)
	}
	_, block, ok := strings.Cut(out, "instead.\n\n")
	if !ok {
		t.Fatalf("no block in:\n%s", out)
	}
	sc, err := project.ParseStack([]byte("config:\n"+block), "wedsync")
	if err != nil {
		t.Fatal(err)
	}
	pasted, err := season.ParseConfig([]byte(sc.Values["wedsync:season"]))
	if err != nil {
		t.Fatal(err)
	}
	if len(pasted.Freeze.Dates) != 1 || pasted.Freeze.Dates[0].Name != "Christmas" {
		t.Errorf("pasting the block would drop the environment's Christmas freeze: %+v", pasted.Freeze)
	}
}
