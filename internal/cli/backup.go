package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/backup"
	"github.com/wedsync/wedsync-infra/internal/offline"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/stacks"
)

const backupExitCodes = `Exit codes: 0 every copy verified; 1 a finding (named per object: missing,
sha256-mismatch, size-mismatch, cloud-checksum-mismatch, stale, lock-expired,
lock-shorter-than-retention, unlocked, wrong-key, not-encrypted,
bad-manifest, ...); 2 bad arguments or a store cannot be read (unreachable
endpoint, wrong bucket, no permission, no stack outputs: the message says
what to check).`

const backupTierSources = `The tiers come from the stack's output backupTiers (bucket, replica and
offsite of each purpose: cloud, region, bucket, key id, retention):
--from stack (default) runs 'pulumi stack output --json'; --outputs FILE
reads a saved copy of it; --from plan takes them from the offline plan,
credential-free, where AWS key ARNs are stand-ins (assigned at deploy), so
the key check is skipped on AWS tiers and the report says so. --bucket and
--cloud name one bucket by hand instead.`

func newBackupCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Prove the backups: verify every copy against its manifest, the compliance report, an emergency backup",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newBackupVerifyCmd(), newBackupReportCmd(), newBackupNowCmd(), newBackupSealCmd())
	return cmd
}

// backupFlags are the flags verify and report share.
type backupFlags struct {
	stack, tier, bucket, cloud, prefix, state, key string
	from, outputs                                  string
	endpoints                                      []string
	since, retention                               time.Duration
	parallel                                       int
	// retentionSet: --retention was given (0 then turns the lock check off).
	retentionSet bool
	// read are the stack's outputs once read (report reads them twice).
	read map[string]any
}

func (f *backupFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.stack, "stack", "", "stack whose backups these are (required)")
	fl.StringVar(&f.tier, "tier", "all", "bucket, replica, offsite or all")
	fl.StringVar(&f.from, "from", "stack", "where the tiers come from: stack ('pulumi stack output') or plan (the offline plan)")
	fl.StringVar(&f.outputs, "outputs", "", "a file of the stack's 'pulumi stack output --json' (instead of --from)")
	fl.DurationVar(&f.since, "since", 48*time.Hour, "the schedule plus slack: the newest copy must be younger")
	fl.DurationVar(&f.retention, "retention", 0, "stated retention: every object's lock must hold until its backup's createdAt plus this (default: the tier's retention; by hand 0; 0 turns the lock check off)")
	fl.StringVar(&f.bucket, "bucket", "", "by hand: the bucket (container on Azure) holding the backups")
	fl.StringVar(&f.cloud, "cloud", "", "by hand: aws, gcp or azure (required with --bucket)")
	fl.StringVar(&f.key, "key", "", "by hand: the key every object must be encrypted with (default: the tier's key; by hand none, not checked)")
	fl.StringArrayVar(&f.endpoints, "endpoint", nil, "storage endpoint replacing the cloud's: cloud=URL (repeatable), or a bare URL for every cloud; on Azure by hand the account's blob URL")
	fl.StringVar(&f.prefix, "prefix", "", "only objects under this prefix")
	fl.StringVar(&f.state, "state", "", "resume file: a rerun does not re-read objects it lists as verified")
	fl.IntVar(&f.parallel, "parallel", 4, "objects read at once")
}

func (f *backupFlags) validate() error {
	var problems []error
	if f.stack == "" {
		problems = append(problems, errors.New("--stack is required"))
	}
	if !slices.Contains(backup.TierNames, f.tier) {
		problems = append(problems, fmt.Errorf("--tier %q: allowed are %s", f.tier, strings.Join(backup.TierNames, ", ")))
	}
	if f.bucket != "" {
		switch f.cloud {
		case "aws", "gcp":
		case "azure":
			if len(f.endpoints) == 0 {
				problems = append(problems, errors.New("--endpoint is required on azure with --bucket: the account's blob URL, https://ACCOUNT.blob.core.windows.net"))
			}
		default:
			problems = append(problems, fmt.Errorf("--cloud %q: allowed are aws, gcp, azure", f.cloud))
		}
	} else if f.from != "stack" && f.from != "plan" {
		problems = append(problems, fmt.Errorf("--from %q: allowed are stack, plan", f.from))
	}
	if f.parallel < 1 || f.parallel > 64 {
		problems = append(problems, fmt.Errorf("--parallel %d: allowed is 1 to 64", f.parallel))
	}
	if _, err := backup.ParseEndpoints(f.endpoints); err != nil {
		problems = append(problems, err)
	}
	return errors.Join(problems...)
}

// tierRun is one tier verified, or the reason it could not be read.
type tierRun struct {
	Tier   backup.Tier    `json:"tier"`
	Report *backup.Report `json:"report,omitempty"`
	Error  string         `json:"error,omitempty"`
}

// tiers are the tiers to verify: the one named by hand, or the stack's.
func (f *backupFlags) tiers(cmd *cobra.Command) ([]backup.Tier, []string, error) {
	if f.bucket != "" {
		label := f.tier
		if label == "all" {
			label = "bucket"
		}
		return []backup.Tier{{Tier: label, Cloud: f.cloud, Bucket: f.bucket, KeyID: f.key}}, nil, nil
	}
	outputs, err := f.stackOutputs(cmd)
	if err != nil {
		return nil, nil, err
	}
	tiers, err := backup.TiersFromOutputs(outputs, f.tier)
	if err != nil {
		return nil, nil, err
	}
	var notes []string
	for i, t := range tiers {
		if f.key != "" {
			tiers[i].KeyID = f.key
		} else if f.from == "plan" && f.outputs == "" && t.Cloud == "aws" {
			tiers[i].KeyID = ""
			notes = append(notes, t.Name()+": key not checked: AWS assigns key ARNs at deploy and the offline plan's is a stand-in; use --from stack")
		}
	}
	return tiers, notes, nil
}

// stackOutputs are the stack's outputs from --outputs, the offline plan or
// the pulumi CLI.
func (f *backupFlags) stackOutputs(cmd *cobra.Command) (map[string]any, error) {
	if f.read != nil {
		return f.read, nil
	}
	out, err := f.readOutputs(cmd)
	f.read = out
	return out, err
}

func (f *backupFlags) readOutputs(cmd *cobra.Command) (map[string]any, error) {
	var data []byte
	var err error
	switch {
	case f.outputs != "":
		if data, err = os.ReadFile(f.outputs); err != nil {
			return nil, fmt.Errorf("--outputs: %w", err)
		}
	case f.from == "plan":
		return planOutputs(cmd, f.stack)
	default:
		c := exec.CommandContext(commandContext(cmd), "pulumi", "stack", "output", "--json", "--stack", f.stack)
		c.Dir = projectDir(cmd)
		c.Stderr = cmd.ErrOrStderr()
		if data, err = c.Output(); err != nil {
			return nil, fmt.Errorf("pulumi stack output --json --stack %s: %w; check that the pulumi CLI is installed and logged in to the stack's backend, or use --from plan or --outputs FILE", f.stack, err)
		}
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("the stack's outputs are not the JSON of 'pulumi stack output --json': %w", err)
	}
	return out, nil
}

func planOutputs(cmd *cobra.Command, stack string) (map[string]any, error) {
	p, err := project.Find(projectDir(cmd))
	if err != nil {
		return nil, err
	}
	now, err := stacks.Now()
	if err != nil {
		return nil, err
	}
	res, err := offline.Plan(p, stack, now)
	if err != nil {
		return nil, err
	}
	return res.Plan.Outputs, nil
}

// run verifies every tier; an error is bad input or no outputs (exit 2). A
// tier that cannot be read is recorded in its run and makes the exit 2.
func (f *backupFlags) run(cmd *cobra.Command, progress io.Writer) ([]tierRun, []string, error) {
	if err := f.validate(); err != nil {
		return nil, nil, invalid(err)
	}
	f.retentionSet = cmd.Flags().Changed("retention")
	tiers, notes, err := f.tiers(cmd)
	if err != nil {
		return nil, nil, invalid(err)
	}
	ep, _ := backup.ParseEndpoints(f.endpoints)
	var runs []tierRun
	for _, t := range tiers {
		rep, err := f.verifyTier(commandContext(cmd), t, ep, progress)
		r := tierRun{Tier: t, Report: rep}
		if err != nil {
			r.Error = err.Error()
		}
		runs = append(runs, r)
	}
	return runs, notes, nil
}

func (f *backupFlags) verifyTier(ctx context.Context, t backup.Tier, ep backup.Endpoints, progress io.Writer) (*backup.Report, error) {
	st, err := backup.Open(ctx, t, ep)
	if err != nil {
		return nil, fmt.Errorf("%s credentials: %w", t.Cloud, err)
	}
	retention := t.Retention()
	if f.retentionSet || f.bucket != "" {
		retention = f.retention
	}
	state := f.state
	if state != "" && f.bucket == "" {
		// One resume file per tier: each lists what it verified in its store.
		state = fmt.Sprintf("%s.%s-%s", state, t.Tier, t.Purpose)
	}
	return backup.Verify(ctx, st, backup.Options{Prefix: f.prefix, MaxAge: f.since, MinRetention: retention,
		KeyID: t.KeyID, Parallel: f.parallel, StatePath: state, Progress: progress})
}

// runsExit is 2 when a tier could not be read, 1 on a finding, else 0.
func runsExit(runs []tierRun) error {
	findings, unread := 0, 0
	for _, r := range runs {
		if r.Error != "" {
			unread++
		} else {
			findings += len(r.Report.Findings)
		}
	}
	switch {
	case unread > 0:
		return invalid(fmt.Errorf("%d of %d tiers could not be read (see above)", unread, len(runs)))
	case findings > 0:
		return &exitError{code: ExitViolation, err: fmt.Errorf("%d findings in %d tiers", findings, len(runs))}
	}
	return nil
}

func newBackupVerifyCmd() *cobra.Command {
	var f backupFlags
	cmd := &cobra.Command{
		Use:   "verify --stack S [--tier bucket|replica|offsite|all] [--since 48h] [--from stack|plan | --outputs FILE | --bucket B --cloud C] [--endpoint URL]",
		Short: "Verify every backup copy: present, fresh, SHA-256 and the cloud's checksum, lock in force, the stack's key",
		Long: `verify lists each tier's bucket, reads every manifest (docs/backup-manifest.md)
and checks each file it names: present; the size; SHA-256 recomputed from
the bytes (streamed, --parallel at once) against the manifest; the checksum
the cloud recorded at write time against the manifest's cloudChecksum; the
object lock in force and not ending before createdAt plus the tier's
retention; encrypted with the stack's key. The newest copy of each purpose
must be younger than --since. It only reads: nothing is written to or
deleted from a store. Progress (objects, bytes, rate) goes to stderr;
--state makes a stopped run resumable.

` + backupTierSources + `

` + backupExitCodes,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			runs, notes, err := f.run(cmd, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			writeRuns(cmd.OutOrStdout(), runs, notes)
			return runsExit(runs)
		},
	}
	f.register(cmd)
	return cmd
}

func writeRuns(w io.Writer, runs []tierRun, notes []string) {
	for _, r := range runs {
		if r.Error != "" {
			fmt.Fprintf(w, "%s: CANNOT READ: %s\n", r.Tier.Name(), r.Error)
			continue
		}
		rep := r.Report
		fmt.Fprintf(w, "%s %s: %d manifests, %d objects read (%d MiB), %d resumed, in %s\n", r.Tier.Name(), rep.Location,
			rep.Manifests, rep.Objects, rep.Bytes>>20, rep.Resumed, rep.Elapsed.Round(time.Millisecond))
		for _, fd := range rep.Findings {
			fmt.Fprintf(w, "FINDING %s\n", fd)
		}
		for _, n := range rep.Notes {
			fmt.Fprintf(w, "NOTE %s\n", n)
		}
	}
	for _, n := range notes {
		fmt.Fprintf(w, "NOTE %s\n", n)
	}
}
