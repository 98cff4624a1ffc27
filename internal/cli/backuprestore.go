package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/backup"
)

// restoreTests reads the stack's AWS Backup restore tests over window (the
// restoreTests output: AWS prod's restore testing plan). nil without one:
// by hand, on GCP and Azure (which have no restore testing; `dr drill`
// covers them), outside prod, and from the offline plan, whose ARN is a
// stand-in (said in a note).
func restoreTests(cmd *cobra.Command, f *backupFlags, window time.Duration) (*backup.RestoreTests, []string, error) {
	if f.bucket != "" {
		return nil, nil, nil
	}
	outputs, err := f.stackOutputs(cmd)
	if err != nil {
		return nil, nil, err
	}
	db, _ := outputs["databaseBackup"].(map[string]any)
	plan, _ := db["restoreTests"].(string)
	if plan == "" {
		return nil, nil, nil
	}
	if f.from == "plan" && f.outputs == "" {
		return nil, []string{"restore tests not read: the offline plan's restore testing plan ARN is a stand-in; use --from stack"}, nil
	}
	region, _ := outputs["region"].(string)
	ep, _ := backup.ParseEndpoints(f.endpoints)
	rt, err := backup.ListRestoreTests(commandContext(cmd), region, plan, time.Now().Add(-window), backup.NowOptions{Endpoints: ep})
	if err != nil {
		return nil, nil, fmt.Errorf("restore tests of %s: %w; check AWS_REGION and that your identity has backup:ListRestoreJobs", plan, err)
	}
	return rt, nil, nil
}

// restoreFindings are the failed restore tests, one line each.
func restoreFindings(rt *backup.RestoreTests) []string {
	if rt == nil {
		return nil
	}
	var out []string
	for _, t := range rt.Tests {
		if why := t.Failed(); why != "" {
			out = append(out, fmt.Sprintf("restore test %s (%s): %s", t.JobID, t.Created.Format(time.RFC3339), why))
		}
	}
	return out
}

func writeRestoreTests(w io.Writer, rt *backup.RestoreTests) {
	if rt == nil {
		return
	}
	fmt.Fprintf(w, "Restore tests (AWS Backup %s): %d in the window, %d passed, %d failed\n", rt.Plan, len(rt.Tests), rt.Passed, rt.Failed)
	if p := rt.LastPassed; p != nil {
		fmt.Fprintf(w, "  last passed %s: %s restored in %s (target %s), validation %s\n",
			p.Created.Format(time.RFC3339), p.RecoveryPoint, p.Duration().Round(time.Minute), backup.RestoreTarget, orNone(p.Validation))
	} else {
		fmt.Fprintf(w, "  no restore test passed in the window\n")
	}
	for _, fd := range restoreFindings(rt) {
		fmt.Fprintf(w, "  FINDING %s\n", fd)
	}
}
