package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/audit"
	"github.com/wedsync/wedsync-infra/internal/backup"
	"github.com/wedsync/wedsync-infra/internal/project"
)

func newBackupReportCmd() *cobra.Command {
	var f backupFlags
	var format string
	var window, schedule time.Duration
	cmd := &cobra.Command{
		Use:   "report --stack S [--format text|json|html] [--tier ...] [--from stack|plan | --outputs FILE | --bucket B --cloud C]",
		Short: "The compliance report: per tier and purpose the last good copy, its age against the RPO, checksum, lock and key status",
		Long: `report runs the same checks as verify and prints, per tier and purpose, the
newest copy and its age against --since (the RPO plus slack), the lock mode
and retention, the key, and every finding. --format html is the compliance
page for auditors: the success rate over --window (one copy expected per
--schedule per tier and purpose; a slot counts when it holds a verified
copy) against the 99.9% target, a chart of each tier's copy age against the
RPO (gonum/plot), and a row per tier and purpose. Open it in a browser:
report --format html > backups.html.

On AWS prod it also lists the weekly AWS Backup restore tests of the
window (the stack's restoreTests output, read with ListRestoreJobs): each
restore's time against the 4-hour target and its validation; a failed,
aborted, unvalidated-by-failure or slow one is a finding (exit 1).

From the audit history (environments/history.jsonl) it lists the restores
of the stack in --window (dr drill, dr rebuild, erasure replay --restore)
and whether the erasure ledger was replayed into each: "restores since X:
all replayed", or the restores that were not, each a finding (exit 1). A
rebuild let through with --accept-unreplayed counts as unreplayed until
erasure replay --restore NAME completes.

` + backupTierSources + `

` + backupExitCodes,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" && format != "html" {
				return invalid(fmt.Errorf("--format %q: allowed are text, json, html", format))
			}
			runs, notes, err := f.run(cmd, io.Discard)
			if err != nil {
				return err
			}
			rt, more, err := restoreTests(cmd, &f, window)
			if err != nil {
				return invalid(err)
			}
			notes = append(notes, more...)
			restores, err := restoresOf(cmd, f.stack, time.Now().Add(-window))
			if err != nil {
				return invalid(err)
			}
			if restores == nil {
				notes = append(notes, "restores and their erasure replays not checked: no project (Pulumi.yaml) here; pass --project-dir")
			}
			if format == "html" {
				c := compliance(f, runs, window, schedule)
				c.RestoreTests, c.Restores = rt, restores
				err = c.WriteHTML(cmd.OutOrStdout(), append(allFindings(runs), restoreFindings(rt)...), allNotes(runs, notes))
			} else {
				err = writeBackupReport(cmd.OutOrStdout(), f, runs, backupExtras{rt, restores}, notes, format)
			}
			if err != nil {
				return err
			}
			return reportExit(f.stack, runs, rt, restores)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "text, json, or html (the compliance page: success rate against 99.9%, copy ages chart)")
	cmd.Flags().DurationVar(&window, "window", 30*24*time.Hour, "html: the period the success rate and the chart cover")
	cmd.Flags().DurationVar(&schedule, "schedule", 24*time.Hour, "html: one copy is expected per this, per tier and purpose")
	return cmd
}

// compliance scores the runs: one series per tier and purpose.
func compliance(f backupFlags, runs []tierRun, window, schedule time.Duration) *backup.Compliance {
	c := &backup.Compliance{Stack: f.stack, At: time.Now(), Window: window, Schedule: schedule, RPO: f.since}
	for _, r := range runs {
		byPurpose := map[string][]backup.Copy{}
		loc, findings := "", 0
		if r.Report != nil {
			loc, findings = r.Report.Location, len(r.Report.Findings)
			for _, cp := range r.Report.Copies {
				byPurpose[cp.Purpose] = append(byPurpose[cp.Purpose], cp)
			}
		}
		if len(byPurpose) == 0 {
			byPurpose[r.Tier.Purpose] = nil
		}
		for purpose, copies := range byPurpose {
			c.Series = append(c.Series, backup.Series{Name: r.Tier.Tier + " " + purpose + " (" + r.Tier.Cloud + " " + r.Tier.Region + ")",
				Location: loc, Copies: copies, Findings: findings,
				LockMode: r.Tier.LockMode, RetentionDays: r.Tier.RetentionDays, KeyID: r.Tier.KeyID})
		}
	}
	sort.Slice(c.Series, func(i, j int) bool { return c.Series[i].Name < c.Series[j].Name })
	c.Score()
	return c
}

func allFindings(runs []tierRun) []string {
	var out []string
	for _, r := range runs {
		if r.Error != "" {
			out = append(out, r.Tier.Name()+": CANNOT READ: "+r.Error)
			continue
		}
		for _, fd := range r.Report.Findings {
			out = append(out, r.Tier.Name()+": "+fd.String())
		}
	}
	return out
}

func allNotes(runs []tierRun, notes []string) []string {
	out := slices.Clone(notes)
	for _, r := range runs {
		if r.Report != nil {
			out = append(out, r.Report.Notes...)
		}
	}
	return out
}

// reportExit is the report's exit: a tier finding, a failed restore test
// or a restore not replayed from the erasure ledger is exit 1.
func reportExit(stack string, runs []tierRun, rt *backup.RestoreTests, restores *audit.Restores) error {
	if err := runsExit(runs); err != nil {
		return err
	}
	if failed := restoreFindings(rt); len(failed) > 0 {
		return &exitError{code: ExitViolation, err: fmt.Errorf("%d restore tests failed", len(failed))}
	}
	if restores == nil {
		return nil
	}
	if bad := restores.Unreplayed(); len(bad) > 0 {
		return &exitError{code: ExitViolation, err: fmt.Errorf("%d restores of %s were not replayed from the erasure ledger: run `wedsync-infra erasure replay --stack %s --database-url URL --restore NAME` against each database still serving", len(bad), stack, stack)}
	}
	return nil
}

// backupExtras is what the report adds to verify's runs: the AWS Backup
// restore tests and the restores of the audit history.
type backupExtras struct {
	tests    *backup.RestoreTests
	restores *audit.Restores
}

// restoresOf reads the stack's restores since `since` from the audit
// history; nil when there is no project to hold one.
func restoresOf(cmd *cobra.Command, stack string, since time.Time) (*audit.Restores, error) {
	p, err := project.Find(projectDir(cmd))
	if err != nil {
		return nil, nil //nolint:nilerr // no project: the report notes it
	}
	records, err := audit.HistoryOf(p).Records()
	if err != nil {
		return nil, err
	}
	r := audit.RestoresOf(records, stack, since)
	return &r, nil
}

func writeBackupReport(w io.Writer, f backupFlags, runs []tierRun, x backupExtras, notes []string, format string) error {
	rt := x.tests
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Stack        string               `json:"stack"`
			Tiers        []tierRun            `json:"tiers"`
			RestoreTests *backup.RestoreTests `json:"restoreTests,omitempty"`
			Restores     *audit.Restores      `json:"restores,omitempty"`
			Notes        []string             `json:"notes,omitempty"`
		}{f.stack, runs, rt, x.restores, notes})
	}
	defer writeRestoreTests(w, rt)
	fmt.Fprintf(w, "Backups of %s\n", f.stack)
	if x.restores != nil {
		fmt.Fprintln(w, x.restores.Summary())
	}
	for _, r := range runs {
		t := r.Tier
		fmt.Fprintf(w, "%s: %s, retention %d days, lock %s, key %s\n", t.Name(), t.Bucket, t.RetentionDays, orNone(t.LockMode), orNone(t.KeyID))
		if r.Error != "" {
			fmt.Fprintf(w, "  CANNOT READ: %s\n", r.Error)
			continue
		}
		rep := r.Report
		purposes := make([]string, 0, len(rep.Newest))
		for p := range rep.Newest {
			purposes = append(purposes, p)
		}
		sort.Strings(purposes)
		for _, p := range purposes {
			age := time.Since(rep.Newest[p]).Round(time.Minute)
			status := "within"
			if age > f.since {
				status = "OVER"
			}
			fmt.Fprintf(w, "  %-12s newest %s, age %s, %s the %s limit\n", p, rep.Newest[p].UTC().Format(time.RFC3339), age, status, f.since)
		}
		fmt.Fprintf(w, "  checksums: %d objects read, %d resumed, %d findings\n", rep.Objects, rep.Resumed, len(rep.Findings))
		for _, fd := range rep.Findings {
			fmt.Fprintf(w, "  FINDING %s\n", fd)
		}
		for _, n := range rep.Notes {
			fmt.Fprintf(w, "  NOTE %s\n", n)
		}
	}
	for _, n := range notes {
		fmt.Fprintf(w, "NOTE %s\n", n)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
