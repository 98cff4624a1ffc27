package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/capacity"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/internal/stackconfig"
	"github.com/wedsync/wedsync-infra/season"
	"github.com/wedsync/wedsync-infra/stacks"
)

// capacityFlags are the capacity command's flags.
type capacityFlags struct {
	stack          string
	history        string
	plot           string
	perInstanceRPS float64
	headroom       float64
	year           int
}

// maxHeadroom catches a percentage typed where a fraction belongs
// (--headroom 30 for 30%).
const maxHeadroom = 10

func newCapacityCmd() *cobra.Command {
	var f capacityFlags
	cmd := &cobra.Command{
		Use:   "capacity [--stack NAME] --history FILE.csv | --plot FILE.svg|FILE.png",
		Short: "Size the season calendar from traffic history, and draw a year of it",
		Long: `capacity works on a stack's season calendar (wedsync:season).

--history FILE.csv reads traffic history (header "timestamp,rps", RFC 3339
timestamps), puts each sample in the calendar window of its instant, and
recommends capacity per window:

  min     = ceil(p95 rps / per-instance rps x (1 + headroom))
  max     = largest of ceil(max rps / per-instance rps x (1 + headroom)), 2 and min
  desired = min

then raises minimums so wedding day >= peak season >= off season. It prints
a table beside the stack's current capacity and the wedsync:season block to
paste into stacks/Pulumi.<stack>.yaml, carrying the stack's other season
settings (its own or its environments') unchanged.

--plot FILE.svg or FILE.png draws the year's minimum and maximum capacity per
hour from the calendar, with the minimum each cloud's schedules give (AWS
scheduled actions, GCP scaling schedules, Azure profiles, generated for that
year and evaluated by the cloud simulators), and the history in instances
when --history is given. --year defaults to the history's year, else the
current year.

Exit codes: 0 done, 2 bad flags, history or stack config.`,
		Example: `  wedsync-infra capacity --history season/testdata/history-sample.csv
  wedsync-infra capacity --stack prod --plot capacity.svg --year 2027
  wedsync-infra capacity --plot capacity.png --history season/testdata/history-sample.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCapacity(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.stack, "stack", "s", "prod", "stack whose calendar to use (a stacks/Pulumi.NAME.yaml file)")
	fl.StringVar(&f.history, "history", "", "traffic history CSV (timestamp,rps) to recommend capacity from")
	fl.StringVar(&f.plot, "plot", "", "draw the year's capacity to this .svg or .png file")
	fl.Float64Var(&f.perInstanceRPS, "per-instance-rps", 100, "requests per second one instance serves at its target load")
	fl.Float64Var(&f.headroom, "headroom", 0.3, "spare capacity on top of the traffic, as a fraction (0.3 for 30%)")
	fl.IntVar(&f.year, "year", 0, "year to draw (default: the history's year, else the current year)")
	return cmd
}

func runCapacity(cmd *cobra.Command, f capacityFlags) error {
	if err := f.validate(); err != nil {
		return invalid(err)
	}
	p, err := project.Find(projectDir(cmd))
	if err != nil {
		return invalid(err)
	}
	// The stack file alone says where wedsync:season is written; the merge
	// with the environments it imports is what the program sees.
	l, err := stackconfig.Load(cmd.Context(), p, f.stack)
	var invalidConfig *stackconfig.ConfigError
	if errors.As(err, &invalidConfig) {
		return invalid(&stackConfigError{stack: f.stack, err: invalidConfig.Err})
	}
	if err != nil {
		return invalid(err)
	}
	sc, merged, cfg := l.File, l.Merged, l.Config
	var history []season.TrafficSample
	if f.history != "" {
		if history, err = readHistory(f.history); err != nil {
			return invalid(err)
		}
	}

	out := cmd.OutOrStdout()
	if history != nil {
		report, err := capacity.Recommend(f.stack, cfg.Season, history, f.perInstanceRPS, f.headroom)
		if err != nil {
			return invalid(fmt.Errorf("%s: %w", f.history, err))
		}
		if err := report.WriteTable(out); err != nil {
			return err
		}
		fmt.Fprintf(out, "\n%s\n\n", pasteWhere(relative(p.StackFile(f.stack)), sc, merged))
		if err := capacity.WriteSeasonBlock(out, merged.Values[seasonKey], report.Recommendation.Capacity); err != nil {
			return invalid(err)
		}
	}
	if f.plot != "" {
		if history != nil {
			fmt.Fprintln(out)
		}
		return drawCapacity(out, f, cfg, history)
	}
	return nil
}

const seasonKey = stacks.Namespace + ":season"

// pasteWhere says where the printed block goes. Pulumi merges config key by
// key, so a wedsync:season in the stack file replaces the environments'
// whole; the block therefore carries the merged value's other settings.
func pasteWhere(stackFile string, sc, merged *project.StackConfig) string {
	if _, ok := sc.Values[seasonKey]; ok {
		return fmt.Sprintf("Under config: in %s, replacing its wedsync:season:", stackFile)
	}
	if _, ok := merged.Values[seasonKey]; ok {
		envFile := "environments/<name>.yaml"
		if len(sc.Environment) == 1 {
			envFile = "environments/" + sc.Environment[0] + ".yaml"
		}
		return fmt.Sprintf("wedsync:season is set by the environment the stack imports (%s). Pasted under config: in\n"+
			"%s, this block replaces it for this stack alone, so it repeats the environment's other season\n"+
			"settings. To change every stack importing it, set the capacity under values.pulumiConfig in %s instead.",
			strings.Join(sc.Environment, ", "), stackFile, envFile)
	}
	return fmt.Sprintf("Under config: in %s:", stackFile)
}

func (f capacityFlags) validate() error {
	if f.history == "" && f.plot == "" {
		return errors.New("nothing to do: give --history FILE.csv to recommend capacity, --plot FILE.svg (or .png) to draw the year, or both")
	}
	if f.stack == "" {
		return errors.New("--stack is empty; name a stack, e.g. --stack prod")
	}
	if !(f.perInstanceRPS > 0) || math.IsInf(f.perInstanceRPS, 0) {
		return fmt.Errorf("--per-instance-rps %v: must be a positive number of requests per second, e.g. 100", f.perInstanceRPS)
	}
	if !(f.headroom >= 0 && f.headroom <= maxHeadroom) {
		return fmt.Errorf("--headroom %v: must be a fraction from 0 to %d (0.3 for 30%%)", f.headroom, maxHeadroom)
	}
	if f.plot != "" {
		if _, err := capacity.FormatOf(f.plot); err != nil {
			return fmt.Errorf("--plot %w", err)
		}
	}
	if f.year != 0 && (f.year < 2000 || f.year > 2100) {
		return fmt.Errorf("--year %d: use a year from 2000 to 2100, e.g. 2027", f.year)
	}
	if f.year != 0 && f.plot == "" {
		return errors.New("--year only applies to --plot; add --plot FILE.svg")
	}
	return nil
}

func readHistory(path string) ([]season.TrafficSample, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--history: %w", err)
	}
	history, err := season.ReadHistory(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(history) == 0 {
		return nil, fmt.Errorf("%s: has a header but no samples; want one \"timestamp,rps\" row per hour or so", path)
	}
	return history, nil
}

func drawCapacity(out io.Writer, f capacityFlags, cfg stacks.Config, history []season.TrafficSample) error {
	year := f.year
	if year == 0 {
		year = defaultYear(cfg.Season.Timezone, history)
	}
	chart, err := capacity.NewChart(f.stack, cfg.Season, year, history, f.perInstanceRPS)
	if err != nil {
		return invalid(err)
	}
	format, _ := capacity.FormatOf(f.plot)
	data, err := chart.Render(format)
	if err != nil {
		return err
	}
	if err := os.WriteFile(f.plot, data, 0o644); err != nil {
		return invalid(fmt.Errorf("--plot: %w", err))
	}
	fmt.Fprintf(out, "Wrote %s: stack %s's capacity through %d (%s), %d hours.\n", f.plot, f.stack, year, chart.Timezone, len(chart.Hours))
	for _, n := range chart.Notes {
		fmt.Fprintf(out, "  - %s\n", n)
	}
	return nil
}

// defaultYear is the history's year, so the traffic lines up with that
// year's calendar, else the current year in the stack's zone.
func defaultYear(zone string, history []season.TrafficSample) int {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	if len(history) == 0 {
		return time.Now().In(loc).Year()
	}
	return capacity.HistoryYear(history, loc)
}

// relative shortens path against the working directory when it is below it.
func relative(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rest, ok := strings.CutPrefix(path, wd+string(os.PathSeparator)); ok {
		return rest
	}
	return path
}

// stackConfigError is a stack whose config does not validate; printErr
// lists its problems one per line.
type stackConfigError struct {
	stack string
	err   error
}

func (e *stackConfigError) Error() string {
	var problems []string
	for _, p := range core.Flatten(e.err) {
		problems = append(problems, p.Error())
	}
	return fmt.Sprintf("stack %s: invalid config: %s", e.stack, strings.Join(problems, "; "))
}

func (e *stackConfigError) Unwrap() error { return e.err }

func (e *stackConfigError) Headline() string {
	return fmt.Sprintf("stack %s: invalid config; fix it before sizing its capacity", e.stack)
}
