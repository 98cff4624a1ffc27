package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/spf13/cobra"
)

func newBackupReportCmd() *cobra.Command {
	var f backupFlags
	var format string
	cmd := &cobra.Command{
		Use:   "report --stack S [--format text|json] [--tier ...] [--from stack|plan | --outputs FILE | --bucket B --cloud C]",
		Short: "The compliance report: per tier and purpose the last good copy, its age against the RPO, checksum, lock and key status",
		Long: `report runs the same checks as verify and prints, per tier and purpose, the
newest copy and its age against --since (the RPO plus slack), the lock mode
and retention, the key, and every finding.

` + backupTierSources + `

` + backupExitCodes,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return invalid(fmt.Errorf("--format %q: allowed are text, json", format))
			}
			runs, notes, err := f.run(cmd, io.Discard)
			if err != nil {
				return err
			}
			if err := writeBackupReport(cmd.OutOrStdout(), f, runs, notes, format); err != nil {
				return err
			}
			return runsExit(runs)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

func writeBackupReport(w io.Writer, f backupFlags, runs []tierRun, notes []string, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Stack string    `json:"stack"`
			Tiers []tierRun `json:"tiers"`
			Notes []string  `json:"notes,omitempty"`
		}{f.stack, runs, notes})
	}
	fmt.Fprintf(w, "Backups of %s\n", f.stack)
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
