package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/audit"
	"github.com/wedsync/wedsync-infra/internal/backup"
	"github.com/wedsync/wedsync-infra/internal/deploy"
	"github.com/wedsync/wedsync-infra/internal/drill"
	"github.com/wedsync/wedsync-infra/internal/project"
)

const recoveryStackHelp = `

With --recovery-stack the drill goes the DR path instead: it composes the
source's DR stack as 'dr rebuild' would (recovery mode, in the source's DR
region, the freeze checked), names it drill-<stack>-<yyyymmddhhmm>, sizes it
small (the smallest prod accepts) and publishing no DNS record, deploys it
through the Pulumi Automation API with the policy pack (the pulumi CLI and
pulumi-analyzer-policy-go on PATH, the state backend of
$PULUMI_BACKEND_URL), runs the runbook's verify SQL against its restored
database (--pg-host/--pg-port/--pg-database, by default the scratch stack's
database outputs; --pg-user, password from $PGPASSWORD), records the restore
time against --rto in the audit history, and destroys the scratch stack
whatever happened. What it adopted from the source (the replica buckets) is
dropped from its state, never deleted. Exit 3 when the freeze refuses it.`

// newRecoveryStacks is what makes and destroys scratch stacks: the Pulumi
// engine on the project's backend.
var newRecoveryStacks = func(p *project.Project, progress io.Writer) drill.RecoveryStacks {
	return drill.Engine{PolicyPack: filepath.Join(p.Dir, deploy.PolicyPackDir), Stdout: progress, Stderr: progress}
}

// runStack is dr drill --recovery-stack.
func (f *drillFlags) runStack(cmd *cobra.Command) error {
	if f.stack == "" {
		return invalid(errors.New("--stack is required"))
	}
	p, err := project.Find(projectDir(cmd))
	if err != nil {
		return invalid(err)
	}
	now, err := f.now.At()
	if err != nil {
		return invalid(err)
	}
	ctx := commandContext(cmd)
	s, err := drill.PrepareScratch(ctx, p, f.stack, now)
	var sp *drill.ScratchProblems
	switch {
	case errors.As(err, &sp) && sp.Frozen():
		return &exitError{code: ExitFrozen, err: err}
	case err != nil:
		return invalid(err)
	}
	bin, err := drill.FindBinDir(f.pgBin)
	if err != nil {
		return invalid(err)
	}
	// The source's erasure ledger is replayed into the restored database
	// before the verify SQL, as dr rebuild does before traffic.
	ep, err := backup.ParseEndpoints(f.endpoints)
	if err != nil {
		return invalid(err)
	}
	replay, err := erasureAfterRestore(cmd, p, &f.backupFlags, ep)
	if err != nil {
		return invalid(fmt.Errorf("the erasure ledger of %s: %w", f.stack, err))
	}
	fmt.Fprintf(cmd.OutOrStdout(), "restore drill of %s through the scratch recovery stack %s in %s\n", s.Source, s.Name, s.Region)
	rep := drill.RunRecovery(ctx, drill.RecoveryOptions{
		Scratch: s, Stacks: newRecoveryStacks(p, cmd.ErrOrStderr()), Checks: f.checks, RTO: f.rto, AfterRestore: replay,
		Connect: func(_ context.Context, outputs map[string]any) (drill.Restored, error) {
			return f.restored(bin, outputs)
		},
	})
	// A failed drill is published too: that is what pages.
	var published error
	if f.publish {
		published = f.publishResult(cmd, rep)
	}
	if err := f.finishStack(cmd, p, rep); err != nil {
		return err
	}
	return published
}

// publishResult publishes the drill's result where the source stack's
// restore drill alarm reads it (the stack's restoreDrill output).
func (f *drillFlags) publishResult(cmd *cobra.Command, rep *drill.RecoveryReport) error {
	outputs, err := f.stackOutputs(cmd)
	if err != nil {
		return invalid(fmt.Errorf("--publish-metric: the outputs of %s: %w", f.stack, err))
	}
	sink, _ := outputs["restoreDrill"].(map[string]any)
	pub, err := newPublisher(commandContext(cmd), sink)
	if err != nil {
		return invalid(fmt.Errorf("--publish-metric: %w", err))
	}
	if err := pub.Publish(commandContext(cmd), drill.ResultOf(rep)); err != nil {
		return &exitError{code: ExitViolation, err: fmt.Errorf("the drill's result was not published, so its alarm will report a missing drill: %w", err)}
	}
	fmt.Fprintf(cmd.OutOrStdout(), "  result published to %v (%s)\n", sink["cloud"], sink["stack"])
	return nil
}

// newPublisher is the publisher of a stack's restoreDrill output; tests
// replace it.
var newPublisher = func(ctx context.Context, sink map[string]any) (drill.Publisher, error) {
	str := func(k string) string { s, _ := sink[k].(string); return s }
	switch str("cloud") {
	case "aws":
		cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(str("region")))
		if err != nil {
			return nil, fmt.Errorf("AWS credentials: %w", err)
		}
		return drill.CloudWatch{Region: str("region"), Credentials: cfg.Credentials}, nil
	case "gcp":
		return drill.CloudMonitoring{Project: str("project")}, nil
	case "azure":
		return drill.AppInsights{ConnectionString: str("connectionString")}, nil
	}
	return nil, fmt.Errorf("the stack has no restoreDrill output naming a cloud (%v): only prod stacks have a restore drill alarm", sink)
}

// restored is the scratch stack's database: the flags, else its outputs.
// It holds the latest the source replicated, so the newest row is judged
// against the clock (--now moves only what the program plans for).
func (f *drillFlags) restored(bin string, outputs map[string]any) (drill.Restored, error) {
	db, _ := outputs["database"].(map[string]any)
	r := drill.Restored{Postgres: drill.Postgres{BinDir: bin, Host: f.pgHost, Port: f.pgPort, User: f.pgUser}, Database: f.pgDatabase, RestorePoint: time.Now()}
	if r.Host == "" {
		r.Host, _ = db["endpoint"].(string)
		if port, ok := db["port"].(float64); ok {
			r.Port = int(port)
		}
	}
	if r.Database == "" {
		r.Database, _ = db["name"].(string)
	}
	if r.Host == "" || r.Database == "" {
		return r, fmt.Errorf("the scratch stack exports no database endpoint and name (outputs: %v); give --pg-host and --pg-database", outputs)
	}
	return r, nil
}

func (f *drillFlags) finishStack(cmd *cobra.Command, p *project.Project, rep *drill.RecoveryReport) error {
	writeStackDrill(cmd.OutOrStdout(), rep)
	rec := audit.Record{Kind: audit.KindDrill, At: rep.Started, Who: audit.Who(p.Dir), Stack: f.stack,
		Detail: map[string]any{"mode": "recovery-stack", "scratchStack": rep.Scratch, "region": rep.Region, "ok": rep.OK,
			"restoreSeconds": rep.RestoreSeconds, "rto": rep.RTO, "withinRto": rep.WithinRTO,
			"scratchRemoved": rep.Teardown.Removed, "error": rep.Error, "destroyError": rep.DestroyError}}
	if err := f.record(p, rep, rec); err != nil {
		return err
	}
	if !rep.OK {
		return &exitError{code: ExitViolation, err: fmt.Errorf("the restore drill of %s failed", f.stack)}
	}
	return nil
}

func writeStackDrill(w io.Writer, rep *drill.RecoveryReport) {
	fmt.Fprintf(w, "  scratch stack %s deployed in %.1fs\n", rep.Scratch, rep.CreateSeconds)
	writeChecks(w, rep.Checks, rep.Error)
	removed := "removed"
	if !rep.Teardown.Removed {
		removed = "NOT removed: " + rep.DestroyError
	}
	fmt.Fprintf(w, "  scratch stack %s %s (%d adopted resources left to the source)\n", rep.Scratch, removed, len(rep.Teardown.Forgotten))
	fmt.Fprintf(w, "  %s: restored and verified in %.1fs (RTO %s, within: %v)\n", verdict(rep.OK), rep.RestoreSeconds, rep.RTO, rep.WithinRTO)
}
