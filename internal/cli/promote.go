package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/audit"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/internal/promote"
)

func newPromoteCmd() *cobra.Command {
	var req promote.Request
	var at *instant
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "promote --from ENV --to ENV [--dry-run] [--skip-stage --reason TEXT] [--now RFC3339]",
		Short: "Promote a deployed release dev -> staging -> prod",
		Long: `promote copies the source environment's release block (environments/FROM.yaml,
values.release: application version, machine images, database engine version)
into the target's, rewriting only that block, after printing the diff. It
appends an audit record to environments/history.jsonl. Commit both files.

It refuses: skipping a stage (dev -> prod) without --skip-stage --reason; a
target with a stack inside a freeze window (prod on wedding days); a source
whose release is not what was last recorded as deployed there (record deploys
with 'promote record-deploy'). A target that already has the release is
"nothing to promote" and exit 0, so re-running a workflow is safe.
--dry-run prints the diff and runs every check, writing nothing: it reports
every refusal, and the freeze as a status (a rehearsal is never frozen).
--json prints the outcome as JSON (docs/plan-format.md), dry run included.
--now (RFC 3339; default $WEDSYNC_NOW, else the clock) is the freeze check's clock.

Exit codes: 0 promoted, nothing to promote, or (--dry-run) nothing refuses
but the freeze; 3 the target is frozen; 2 refused for another reason, or bad
arguments.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if req.From == "" || req.To == "" {
				return fail(errors.New("--from and --to are required, e.g. --from staging --to prod"))
			}
			p, now, err := projectAndNow(cmd, at)
			if err != nil {
				return fail(err)
			}
			req.Now, req.Who = now, audit.Who(p.Dir)
			res, err := promote.New(p).Promote(commandContext(cmd), req)
			if err != nil {
				return promoteError(err)
			}
			if asJSON {
				if err := writePromotionJSON(cmd.OutOrStdout(), res); err != nil {
					return err
				}
			} else if err := writePromotion(cmd.OutOrStdout(), p, res); err != nil {
				return err
			}
			// A dry run is never frozen: only another refusal fails it.
			if err := res.Refused(); err != nil && !errors.Is(err, promote.ErrFrozen) {
				return &exitError{code: ExitInvalid, err: fmt.Errorf("refused: %s", plan.Count(len(res.Refusals), "check"))}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the outcome as JSON")
	cmd.Flags().StringVar(&req.From, "from", "", "source environment (dev or staging)")
	cmd.Flags().StringVar(&req.To, "to", "", "target environment (staging or prod)")
	cmd.Flags().BoolVar(&req.DryRun, "dry-run", false, "print the diff and run every check; write nothing")
	cmd.Flags().BoolVar(&req.SkipStage, "skip-stage", false, "allow skipping a stage (needs --reason)")
	cmd.Flags().StringVar(&req.Reason, "reason", "", "why: required with --skip-stage, recorded in the history")
	at = nowFlag(cmd)
	cmd.AddCommand(newRecordDeployCmd())
	return cmd
}

func newRecordDeployCmd() *cobra.Command {
	var env, stack string
	var at *instant
	cmd := &cobra.Command{
		Use:   "record-deploy --env ENV [--stack NAME] [--now RFC3339]",
		Short: "Record that an environment's current release is deployed, so it can be promoted onwards",
		Long: `record-deploy appends a deploy record of the environment's current release
block to environments/history.jsonl. Run it (or have CI run it) after a
successful 'up'; promotion refuses a source whose release differs from its
last recorded deploy.

Exit codes: 0 recorded; 2 bad arguments or config.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, now, err := projectAndNow(cmd, at)
			if err != nil {
				return fail(err)
			}
			rec, err := promote.New(p).RecordDeploy(commandContext(cmd), env, stack, audit.Who(p.Dir), now)
			if err != nil {
				return promoteError(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "recorded: %s deployed %v (by %s at %s) in %s\n", env, rec.Release["application"], rec.Who, rec.At.Format("2006-01-02T15:04:05Z07:00"), audit.HistoryOf(p).Path)
			return nil
		},
	}
	cmd.Flags().StringVar(&env, "env", "", "environment deployed (dev, staging or prod)")
	_ = cmd.MarkFlagRequired("env")
	cmd.Flags().StringVarP(&stack, "stack", "s", "", "stack deployed, if one stack of the environment")
	at = nowFlag(cmd)
	return cmd
}

// promoteError maps a refusal to its exit code: 3 for a freeze, else 2.
func promoteError(err error) error {
	var r *promote.Refusal
	if !errors.As(err, &r) {
		return fail(err)
	}
	msg := errors.New("refused: " + r.Error())
	if errors.Is(r, promote.ErrFrozen) {
		return &exitError{code: ExitFrozen, err: msg}
	}
	return invalid(msg)
}

func commandContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

func writePromotion(out io.Writer, p *project.Project, res *promote.Result) error {
	req := res.Request
	var b strings.Builder
	if res.NoOp {
		fmt.Fprintf(&b, "Promote %s -> %s: nothing to promote; %s already has %s's release\n", req.From, req.To, req.To, req.From)
		_, err := fmt.Fprint(out, b.String())
		return err
	}
	fmt.Fprintf(&b, "Promote %s -> %s: %s, values.release\n", req.From, req.To, res.File)
	promote.WriteDiff(&b, res.Diff)
	if len(res.Record.Skipped) > 0 {
		fmt.Fprintf(&b, "skipping %s: %s\n", strings.Join(res.Record.Skipped, ", "), req.Reason)
	}
	switch {
	case res.Written:
		fmt.Fprintf(&b, "written; recorded in %s. Commit both files.\n", audit.HistoryOf(p).Path)
	case len(res.Refusals) == 0:
		b.WriteString("dry run: every check passed; nothing written\n")
	default:
		fmt.Fprintf(&b, "dry run: nothing written; a real promotion would be refused (%s):\n", plan.Count(len(res.Refusals), "check"))
		for _, r := range res.Refusals {
			fmt.Fprintf(&b, "  - %s\n", strings.ReplaceAll(r.Detail, "\n", "\n    "))
		}
	}
	_, err := fmt.Fprint(out, b.String())
	return err
}

// promotionJSON is the promote --json document (docs/plan-format.md).
type promotionJSON struct {
	From             string         `json:"from"`
	To               string         `json:"to"`
	File             string         `json:"file"`
	DryRun           bool           `json:"dryRun"`
	NothingToPromote bool           `json:"nothingToPromote"`
	Written          bool           `json:"written"`
	Diff             []audit.Change `json:"diff"`
	Skipped          []string       `json:"skipped,omitempty"`
	Refusals         []refusalJSON  `json:"refusals"`
}

type refusalJSON struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

func writePromotionJSON(out io.Writer, res *promote.Result) error {
	doc := promotionJSON{From: res.Request.From, To: res.Request.To, File: res.File, DryRun: res.Request.DryRun,
		NothingToPromote: res.NoOp, Written: res.Written, Diff: res.Diff, Skipped: res.Record.Skipped, Refusals: []refusalJSON{}}
	if doc.Diff == nil {
		doc.Diff = []audit.Change{}
	}
	for _, r := range res.Refusals {
		doc.Refusals = append(doc.Refusals, refusalJSON{Kind: r.Kind.Error(), Message: r.Detail})
	}
	return writeJSON(out, doc)
}

// writeJSON writes v indented: every --json document of the CLI.
func writeJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
