package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/deploy"
	"github.com/wedsync/wedsync-infra/internal/dr"
	"github.com/wedsync/wedsync-infra/internal/freeze"
	"github.com/wedsync/wedsync-infra/internal/offline"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/internal/stackconfig"
)

func newDRCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dr",
		Short: "Disaster recovery: rebuild prod in its DR region, and what is replicated where",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newDRRebuildCmd(), newDRStatusCmd(), newDRDrillCmd(), newDRReplicationCmd())
	return cmd
}

// drRebuildLong is dr rebuild's help.
const drRebuildLong = `rebuild checks the prerequisites of rebuilding --from in --region and says
exactly what is missing: the region must be the stack's DR region (where its
database, backups and keys are replicated) and not its primary; the release
must name a machine image in that region (the group boots its region's image);
the restore point must be within the backup retention; a wedding-day freeze needs an
emergency override on the DR stack. It then writes or updates the DR stack
(stacks/Pulumi.<from>-dr.yaml, the same program in recovery mode), prints its
offline plan and deploys it through the same path as 'wedsync-infra up'
(freeze check, policy pack, deploy record).

--restore-point is "latest" (default) or an RFC 3339 time; on Azure, latest
is the rebuild's start. --backup-run-id (GCP) restores a Cloud SQL backup run
instead of cloning the promoted replica. --source-outputs FILE writes the
source's 'pulumi stack output --json' into the DR stack as the fallback for
when the source's state backend is unreachable.

--dry-run writes nothing and deploys nothing: it checks, shows the DR stack
file it would write and its plan. Rehearse with it (runbook:
docs/runbooks/dr-region-rebuild.md).

After the deploy and before traffic is switched, the erasure ledger's copy
in this region is replayed into the restored database (--database-url, as
'erasure replay'; the DR stack's erasureLedger output says where the ledger
is): nobody erased comes back with the restore. A replay that fails or
cannot reach the ledger or the database stops the rebuild before the switch
and says what to do, unless --accept-unreplayed --reason "..." is given:
that is recorded in the audit history and printed as an alarm.

Exit codes: 0 ready (dry run) or deployed and replayed; 1 a mandatory policy
rule fails, the update failed or an erasure entry failed; 2 a prerequisite
is missing, bad arguments or setup (no pulumi CLI, no backend), or the
replay could not reach the ledger or the database; 3 frozen (override
needed).`

func newDRRebuildCmd() *cobra.Command {
	var req dr.Request
	var outputsFile string
	var at *instant
	var dryRun bool
	var rf rebuildReplay
	cmd := &cobra.Command{
		Use:   "rebuild --from STACK --region REGION [--restore-point T] [--database-url URL] [--dry-run]",
		Short: "Rebuild a stack in its DR region from what it replicated there",
		Long:  drRebuildLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			now, err := at.At()
			if err != nil {
				return fail(err)
			}
			req.Now = now
			if outputsFile != "" {
				if req.SourceOutputs, err = os.ReadFile(outputsFile); err != nil {
					return fail(fmt.Errorf("--source-outputs: %w", err))
				}
			}
			p, err := project.Find(projectDir(cmd))
			if err != nil {
				return fail(err)
			}
			if err := rf.validate(); err != nil {
				return invalid(err)
			}
			r, err := dr.Prepare(commandContext(cmd), p, req)
			if err != nil {
				return err
			}
			rf.cmd = cmd
			return runRebuild(cmd, p, r, dryRun, rf.afterDeploy)
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.From, "from", "", "the stack to rebuild, e.g. prod")
	f.StringVar(&req.Region, "region", "", "the region to rebuild in: the stack's DR region, e.g. eu-west-1")
	f.StringVar(&req.RestorePoint, "restore-point", "", `"latest" (default) or an RFC 3339 time within the backup retention`)
	f.StringVar(&req.BackupRunID, "backup-run-id", "", "GCP: the Cloud SQL backup run to restore (gcloud sql backups list)")
	f.StringVar(&outputsFile, "source-outputs", "", "a file of the source's `pulumi stack output --json`, kept in the DR stack as fallback")
	at = nowFlag(cmd)
	_ = cmd.MarkFlagRequired("from")
	f.BoolVar(&dryRun, "dry-run", false, "check, show the DR stack and its plan; write and deploy nothing")
	rf.register(cmd)
	return cmd
}

// runRebuild reports a prepared rebuild and carries it out: the DR stack
// is deployed through the same path as `up` (environment, freeze check,
// the policy pack, the deploy record).
// afterDeploy runs between the deploy and the traffic switch (the erasure
// replay); an error stops the rebuild before the switch.
func runRebuild(cmd *cobra.Command, p *project.Project, r *dr.Rebuild, dryRun bool, afterDeploy func(*project.Project, *dr.Rebuild, map[string]any) error) error {
	out := cmd.OutOrStdout()
	mode := ""
	if dryRun {
		mode = " (dry run: nothing is written or deployed)"
	}
	fmt.Fprintf(out, "Rebuild of %s in %s as stack %s%s\n", r.From, orDash(r.Region), r.Stack, mode)
	// A rehearsal is never frozen: the dry run shows the freeze as a status
	// and goes on to the file and the plan.
	frozenRehearsal := dryRun && r.OnlyFrozen()
	if !r.Ready() && !frozenRehearsal {
		return notReady(out, r, dryRun)
	}
	fmt.Fprintf(out, "Prerequisites met: %s replicates to %s; restore point %s; %s\n", r.From, r.Region, r.Point, firstLineOf(r.Freeze.Message()))
	if frozenRehearsal {
		fmt.Fprintf(out, "Freeze: the rebuild itself is refused until the DR stack has an emergency override: %s\n", freeze.OverrideCommand(r.Stack))
	}

	verb := "would write"
	if !dryRun {
		if err := r.Write(); err != nil {
			return err
		}
		verb = "wrote"
	}
	fmt.Fprintf(out, "\n%s %s:\n%s\n", verb, r.Path, r.File)

	res, err := offline.PlanConfig(p.Name, r.Stack, r.Config, r.Now)
	var cfgErr *offline.ConfigError
	if errors.As(err, &cfgErr) {
		return invalid(cfgErr)
	}
	if err != nil {
		return err
	}
	if err := res.Plan.WriteText(out, "Offline plan of "+res.Config.Describe()); err != nil {
		return err
	}
	if n := res.Plan.MandatoryViolations(); n > 0 {
		return &exitError{code: ExitViolation, err: fmt.Errorf("%s: the DR stack must not be deployed as it is", plan.Count(n, "mandatory policy violation"))}
	}
	fmt.Fprintf(out, "\nBefore the deploy, in %s:\n", r.Region)
	for _, step := range beforeDeploy(r) {
		fmt.Fprintf(out, "  - %s\n", step)
	}
	if frozenRehearsal {
		fmt.Fprintf(out, "\nDry run complete: the rebuild is ready apart from the freeze (%s). Set the override, then run it without --dry-run to write %s and deploy.\n", freeze.OverrideCommand(r.Stack), r.Path)
		return nil
	}
	if dryRun {
		fmt.Fprintf(out, "\nDry run complete: the rebuild is ready. Run it without --dry-run to write %s and deploy.\n", r.Path)
		return nil
	}
	fmt.Fprintf(out, "\nDeploying %s (as `wedsync-infra up --stack %s`):\n", r.Stack, r.Stack)
	done, err := deploy.Up(commandContext(cmd), p, r.Stack, deploy.Options{
		Runner: newRunner(),
		Now:    r.Now,
		Stdout: out,
		Stderr: cmd.ErrOrStderr(),
	})
	if err != nil {
		return deployExit(err)
	}
	if err := afterDeploy(p, r, done.Result.Outputs); err != nil {
		return err
	}
	fmt.Fprintf(out, "rebuild of %s as %s done: %s\nNext: verify, then switch traffic (docs/runbooks/dr-region-rebuild.md). Commit %s.\n", r.From, r.Stack, describeChanges(done.Result), r.Path)
	return nil
}

// notReady reports every unmet prerequisite and refuses: exit 3 when the
// freeze is the only one, else 2.
func notReady(out io.Writer, r *dr.Rebuild, dryRun bool) error {
	fmt.Fprintf(out, "\nNot ready: %s missing:\n", plan.Count(len(r.Problems), "prerequisite"))
	for _, pr := range r.Problems {
		fmt.Fprintf(out, "  - %s\n", pr)
	}
	if !r.OnlyFrozen() {
		return &exitError{code: ExitInvalid, err: fmt.Errorf("rebuild of %s: %s missing", r.From, plan.Count(len(r.Problems), "prerequisite"))}
	}
	if !dryRun {
		// The override is recorded in the DR stack's file, which a
		// first rebuild has to create.
		if err := r.Write(); err != nil {
			return err
		}
		fmt.Fprintf(out, "\nwrote %s, so the override can be recorded in it\n", r.Path)
	}
	return &exitError{code: ExitFrozen, err: fmt.Errorf("%s is frozen: an emergency override is needed before the rebuild", r.Stack)}
}

// beforeDeploy are the steps outside Pulumi that hand the replicas to the
// rebuild, per cloud.
func beforeDeploy(r *dr.Rebuild) []string {
	from := r.From
	switch r.Source.Cloud {
	case core.AWS:
		// The KMS replica keys keep working while their primary region is
		// down; they are made primary (update-primary-region, called in the
		// old region) at fail-back.
		return []string{
			fmt.Sprintf("promote each replicated secret to a standalone secret: aws secretsmanager stop-replication-to-replica --region %s --secret-id %s/%s/NAME", r.Region, r.Source.Project, from),
		}
	case core.GCP:
		if r.BackupRunID != "" {
			return []string{fmt.Sprintf("nothing: backup run %s of %s is restored from %s", r.BackupRunID, from, r.Region)}
		}
		replica := core.Deployment{Project: r.Source.Project, Stack: from}.Name("main", core.ShortRegion(r.Region))
		return []string{fmt.Sprintf("promote the cross-region replica: gcloud sql instances promote-replica %s (the rebuild clones it)", replica)}
	case core.Azure:
		return []string{"fail each backup storage account over to " + r.Region + ": az storage account failover --name ACCOUNT (the DR stack names them; it creates none)"}
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func firstLineOf(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}

func newDRStatusCmd() *cobra.Command {
	var stack string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status --stack NAME",
		Short: "What a stack replicates where, and the RPO each tier guarantees",
		Long: `status reads the stack's configuration (no cloud is asked) and lists every
copy of its data: the database's point-in-time recovery and cross-region copy,
the backup replicas and offsite copy, the keys and secrets in the DR region,
each with the RPO its mechanism guarantees (S3 Replication Time Control,
Storage Transfer cadence, Azure geo-backup, Cloud SQL replica, ...). It fits
120 columns; --json prints it as JSON (docs/plan-format.md).

Exit codes: 0 shown; 2 unknown stack or invalid config.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := project.Find(projectDir(cmd))
			if err != nil {
				return fail(err)
			}
			l, err := stackconfig.Load(commandContext(cmd), p, stack)
			var invalidConfig *stackconfig.ConfigError
			if errors.As(err, &invalidConfig) {
				return invalid(err)
			}
			if err != nil {
				return fail(err)
			}
			cfg := l.Config
			out := cmd.OutOrStdout()
			if asJSON {
				doc := drStatusJSON{Stack: stack, Cloud: string(cfg.Cloud), Region: cfg.Region, DRRegion: cfg.DRRegion, Tiers: dr.Status(cfg)}
				if r := cfg.Recovery; r != nil {
					doc.RecoveryOf, doc.RestorePoint = r.SourceStack, r.RestorePoint
				}
				return writeJSON(out, doc)
			}
			if r := cfg.Recovery; r != nil {
				fmt.Fprintf(out, "%s is the recovery of %s (restore point %s).\n", stack, r.SourceStack, r.RestorePoint)
			}
			return dr.WriteStatus(out, stack, cfg)
		},
	}
	stackFlag(cmd, &stack, "the stack")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the status as JSON")
	return cmd
}

// drStatusJSON is the dr status --json document (docs/plan-format.md).
type drStatusJSON struct {
	Stack        string    `json:"stack"`
	Cloud        string    `json:"cloud"`
	Region       string    `json:"region"`
	DRRegion     string    `json:"drRegion"`
	RecoveryOf   string    `json:"recoveryOf,omitempty"`
	RestorePoint string    `json:"restorePoint,omitempty"`
	Tiers        []dr.Tier `json:"tiers"`
}
