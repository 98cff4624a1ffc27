package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/deploy"
)

// newDrifter is the drifter `drift` uses; tests replace it.
var newDrifter = func() deploy.Drifter { return deploy.Automation{} }

// driftReport is `drift --json`: what the scheduled workflow files as an
// issue, and whether it pages (a protected resource drifted).
type driftReport struct {
	Stack     string           `json:"stack"`
	Drifted   []deploy.Drifted `json:"drifted"`
	Protected bool             `json:"protected"`
	// SchedulesValidUntil is when the deployed season schedules end;
	// HorizonEndsSoon says it is within 45 days (re-apply the stack).
	SchedulesValidUntil string `json:"schedulesValidUntil,omitempty"`
	HorizonEndsSoon     bool   `json:"horizonEndsSoon"`
}

func newDriftCmd() *cobra.Command {
	var stack string
	var asJSON bool
	var at *instant
	cmd := &cobra.Command{
		Use:   "drift --stack NAME [--json] [--now RFC3339]",
		Short: "Find what was changed behind the program's back: a refresh, previewed (nothing written)",
		Long: `drift evaluates the stack's environments as up does and previews a refresh
of the stack (pulumi refresh --preview-only) through the Automation API: the
cloud is read and compared with the stack's state; nothing is written, so a
read-only identity is enough and a freeze does not apply. Every drifted
resource is listed with the properties that differ ("gone" when it no
longer exists), protected ones marked: those page. It also warns when the
deployed season schedules (the app.schedulesValidUntil output) end within 45
days: the stack needs a re-apply (reapply.yml).

It needs what up needs: the pulumi CLI on PATH, the state backend and the
stack's secrets provider, and the cloud's (read-only) credentials.

Exit codes: 0 no drift; 1 drift (listed); 2 the check could not run (bad
config, no CLI, no credentials, a provider error).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, now, err := projectAndNow(cmd, at)
			if err != nil {
				return fail(err)
			}
			progress := cmd.ErrOrStderr()
			if asJSON {
				progress = io.Discard
			}
			r, err := deploy.Drift(commandContext(cmd), p, stack, progressDrifter{newDrifter(), progress})
			if err != nil {
				// Drift unknown is not "no drift", nor drift: exit 2.
				return invalid(err)
			}
			return writeDrift(cmd.OutOrStdout(), stack, r, now, asJSON)
		},
	}
	stackFlag(cmd, &stack, "stack to check")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON (the drift workflow reads it)")
	at = nowFlag(cmd)
	return cmd
}

// progressDrifter streams the engine's progress to w.
type progressDrifter struct {
	deploy.Drifter
	w io.Writer
}

func (d progressDrifter) Drift(ctx context.Context, s *deploy.Stack) (deploy.DriftReport, error) {
	s.Stdout, s.Stderr = d.w, d.w
	return d.Drifter.Drift(ctx, s)
}

func writeDrift(out io.Writer, stack string, rep deploy.DriftReport, now time.Time, asJSON bool) error {
	drifted := rep.Drifted
	r := driftReport{Stack: stack, Drifted: drifted, HorizonEndsSoon: rep.HorizonEndsSoon(now)}
	if r.Drifted == nil {
		r.Drifted = []deploy.Drifted{}
	}
	if !rep.SchedulesValidUntil.IsZero() {
		r.SchedulesValidUntil = rep.SchedulesValidUntil.Format(time.RFC3339)
	}
	for _, d := range drifted {
		r.Protected = r.Protected || d.Protected
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		if len(drifted) == 0 {
			fmt.Fprintf(out, "%s: no drift\n", stack)
		} else {
			fmt.Fprintf(out, "%s: %d resources drifted\n", stack, len(drifted))
		}
		for _, d := range drifted {
			what := "gone"
			if d.Op != "delete" {
				what = "changed: " + strings.Join(d.Properties, ", ")
			}
			mark := ""
			if d.Protected {
				mark = " [protected]"
			}
			fmt.Fprintf(out, "  %s%s\n    %s\n", d.URN, mark, what)
		}
		if r.HorizonEndsSoon {
			fmt.Fprintf(out, "warning: %s's season schedules end on %s, within 45 days: re-apply it (reapply.yml, or wedsync-infra up)\n",
				stack, rep.SchedulesValidUntil.Format("2 January 2006"))
		}
	}
	if len(drifted) > 0 {
		return &exitError{code: ExitViolation}
	}
	return nil
}
