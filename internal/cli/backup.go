package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"cloud.google.com/go/storage"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/cobra"
	"google.golang.org/api/option"

	"github.com/wedsync/wedsync-infra/internal/backup"
)

const backupExitCodes = `Exit codes: 0 every copy verified; 1 a finding (named per object: missing,
sha256-mismatch, size-mismatch, cloud-checksum-mismatch, stale, lock-expired,
lock-shorter-than-retention, unlocked, bad-manifest, ...); 2 bad arguments or
the store cannot be read (unreachable endpoint, wrong bucket, no permission:
the message says what to check).`

func newBackupCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Prove the backups: verify every copy against its manifest, and the compliance report",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newBackupVerifyCmd(), newBackupReportCmd())
	return cmd
}

// backupFlags are the flags verify and report share.
type backupFlags struct {
	stack, tier, bucket, cloud, endpoint, prefix, state string
	since, retention                                    time.Duration
	parallel                                            int
}

func (f *backupFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.stack, "stack", "", "stack whose backups these are (required)")
	fl.StringVar(&f.tier, "tier", "all", "bucket, offsite or all (a label for the copy given by --bucket)")
	fl.DurationVar(&f.since, "since", 48*time.Hour, "the schedule plus slack: the newest copy must be younger")
	fl.DurationVar(&f.retention, "retention", 0, "stated retention: every object's lock must hold until its backup's createdAt plus this (0: lock not checked)")
	fl.StringVar(&f.bucket, "bucket", "", "bucket (container on Azure) holding the backups (required this release)")
	fl.StringVar(&f.cloud, "cloud", "", "aws, gcp or azure (required with --bucket)")
	fl.StringVar(&f.endpoint, "endpoint", "", "storage endpoint: an S3-compatible URL, a GCS JSON API URL, or the Azure account's blob URL (required on azure)")
	fl.StringVar(&f.prefix, "prefix", "", "only objects under this prefix")
	fl.StringVar(&f.state, "state", "", "resume file: a rerun does not re-read objects it lists as verified")
	fl.IntVar(&f.parallel, "parallel", 4, "objects read at once")
}

func (f *backupFlags) validate() error {
	var problems []error
	if f.stack == "" {
		problems = append(problems, errors.New("--stack is required"))
	}
	if f.tier != "bucket" && f.tier != "offsite" && f.tier != "all" {
		problems = append(problems, fmt.Errorf("--tier %q: allowed are bucket, offsite, all", f.tier))
	}
	if f.bucket == "" {
		problems = append(problems, errors.New("--bucket is required: reading the tiers from the stack's outputs is not built yet"))
	}
	switch f.cloud {
	case "aws", "gcp":
	case "azure":
		if f.endpoint == "" {
			problems = append(problems, errors.New("--endpoint is required on azure: the account's blob URL, https://ACCOUNT.blob.core.windows.net"))
		}
	default:
		problems = append(problems, fmt.Errorf("--cloud %q: allowed are aws, gcp, azure", f.cloud))
	}
	if f.parallel < 1 || f.parallel > 64 {
		problems = append(problems, fmt.Errorf("--parallel %d: allowed is 1 to 64", f.parallel))
	}
	return errors.Join(problems...)
}

// store opens the bucket on the cloud's own SDK with the ambient identity
// (AWS default chain, Google application default credentials, Azure
// DefaultAzureCredential).
func (f *backupFlags) store(ctx context.Context) (backup.Store, error) {
	switch f.cloud {
	case "aws":
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, err
		}
		return &backup.S3Store{Bucket: f.bucket, Client: s3.NewFromConfig(cfg, func(o *s3.Options) {
			if f.endpoint != "" {
				o.BaseEndpoint, o.UsePathStyle = &f.endpoint, true
			}
		})}, nil
	case "gcp":
		var opts []option.ClientOption
		if f.endpoint != "" {
			opts = append(opts, option.WithEndpoint(f.endpoint))
		}
		c, err := storage.NewClient(ctx, opts...)
		if err != nil {
			return nil, err
		}
		return &backup.GCSStore{Client: c, Bucket: f.bucket}, nil
	default:
		cred, err := azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return nil, err
		}
		c, err := container.NewClient(f.endpoint+"/"+f.bucket, cred, nil)
		if err != nil {
			return nil, err
		}
		return &backup.AzureStore{Client: c, Name: f.bucket}, nil
	}
}

// run verifies; an error is bad input or no access (exit 2).
func (f *backupFlags) run(ctx context.Context, progress io.Writer) (*backup.Report, error) {
	if err := f.validate(); err != nil {
		return nil, invalid(err)
	}
	st, err := f.store(ctx)
	if err != nil {
		return nil, invalid(fmt.Errorf("%s credentials: %w", f.cloud, err))
	}
	rep, err := backup.Verify(ctx, st, backup.Options{Prefix: f.prefix, MaxAge: f.since, MinRetention: f.retention,
		Parallel: f.parallel, StatePath: f.state, Progress: progress})
	if err != nil {
		return nil, invalid(err)
	}
	return rep, nil
}

func findingsExit(rep *backup.Report) error {
	if rep.OK() {
		return nil
	}
	return &exitError{code: ExitViolation, err: fmt.Errorf("%d findings in %s", len(rep.Findings), rep.Location)}
}

func newBackupVerifyCmd() *cobra.Command {
	var f backupFlags
	cmd := &cobra.Command{
		Use:   "verify --stack S [--tier bucket|offsite|all] [--since 48h] --bucket B --cloud C [--endpoint URL]",
		Short: "Verify every backup copy: present, fresh, SHA-256 and the cloud's checksum, lock in force",
		Long: `verify lists the bucket, reads every manifest (docs/backup-manifest.md) and
checks each file it names: present; the size; SHA-256 recomputed from the
bytes (streamed, --parallel at once) against the manifest; the checksum the
cloud recorded at write time against the manifest's cloudChecksum; with
--retention, the object lock in force and not ending before createdAt plus
the retention. The newest copy of each purpose must be younger than --since.
It only reads: nothing is written to or deleted from the store. Progress
(objects, bytes, rate) goes to stderr; --state makes a stopped run resumable.

` + backupExitCodes,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rep, err := f.run(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%s: %d manifests, %d objects read (%d MiB), %d resumed, in %s\n", rep.Location,
				rep.Manifests, rep.Objects, rep.Bytes>>20, rep.Resumed, rep.Elapsed.Round(time.Millisecond))
			for _, fd := range rep.Findings {
				fmt.Fprintf(w, "FINDING %s\n", fd)
			}
			return findingsExit(rep)
		},
	}
	f.register(cmd)
	return cmd
}

func newBackupReportCmd() *cobra.Command {
	var f backupFlags
	var format string
	cmd := &cobra.Command{
		Use:   "report --stack S [--format text|json] --bucket B --cloud C [--endpoint URL]",
		Short: "The compliance report: per purpose the last good copy, its age against the RPO, checksum and lock status",
		Long: `report runs the same checks as verify and prints, per backup purpose, the
newest copy and its age against --since (the RPO plus slack), and every
finding. Not built yet: the HTML chart and the totals over the last 30 days.

` + backupExitCodes,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return invalid(fmt.Errorf("--format %q: allowed are text, json", format))
			}
			rep, err := f.run(cmd.Context(), io.Discard)
			if err != nil {
				return err
			}
			if err := writeBackupReport(cmd.OutOrStdout(), f, rep, format); err != nil {
				return err
			}
			return findingsExit(rep)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

func writeBackupReport(w io.Writer, f backupFlags, rep *backup.Report, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Stack string `json:"stack"`
			Tier  string `json:"tier"`
			*backup.Report
		}{f.stack, f.tier, rep})
	}
	fmt.Fprintf(w, "Backups of %s, tier %s, %s\n", f.stack, f.tier, rep.Location)
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
	return nil
}
