package cli

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/internal/backup"
)

// sealFlags are seal's: the tier flags verify has, less what only reads.
type sealFlags struct {
	backupFlags
	identity string
	settle   time.Duration
}

func newBackupSealCmd() *cobra.Command {
	f := sealFlags{}
	cmd := &cobra.Command{
		Use:   "seal --stack S [--from stack|plan | --outputs FILE | --bucket B --cloud C] [--endpoint URL] [--identity WHO]",
		Short: "Write the SHA-256 manifest beside every database export in the db-exports bucket that has none",
		Long: `seal is the manifest writer (docs/backup-manifest.md). The clouds' own
export jobs write the database's copies (the RDS snapshot export, the Cloud
SQL export, the Backup vault's restore-as-files) and none of them can be
asked for a SHA-256; seal, run by the daily scheduled job after them, reads
each new copy back, hashes every file (streamed, --parallel at once), takes
the checksum the cloud recorded at write time, and writes the copy's
manifest once: on S3 with a SHA-256 additional checksum, on GCS with its
CRC32C and MD5, on Azure with its Content-MD5, never overwriting (a
conditional write). A copy with a file newer than --settle is still being
written and is left for the next run. Copies: each folder under --prefix
(FOLDER/manifest.json), each file directly under it (FILE.manifest.json).

Only the primary db-exports bucket is sealed: its replicas and the offsite
tier receive the manifest with the data.

` + backupTierSources + `

Exit codes: 0 every settled copy has a manifest; 1 a copy could not be
read or its manifest written (named); 2 bad arguments or the bucket cannot
be read.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return f.run(cmd, cmd.OutOrStdout()) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.stack, "stack", "", "stack whose exports these are (required)")
	fl.StringVar(&f.from, "from", "stack", "where the tiers come from: stack ('pulumi stack output') or plan (the offline plan)")
	fl.StringVar(&f.outputs, "outputs", "", "a file of the stack's 'pulumi stack output --json' (instead of --from)")
	fl.StringVar(&f.bucket, "bucket", "", "by hand: the db-exports bucket (container on Azure)")
	fl.StringVar(&f.cloud, "cloud", "", "by hand: aws, gcp or azure (required with --bucket)")
	fl.StringArrayVar(&f.endpoints, "endpoint", nil, "storage endpoint replacing the cloud's: cloud=URL (repeatable), or a bare URL for every cloud; on Azure by hand the account's blob URL")
	fl.StringVar(&f.prefix, "prefix", "database/", "the folder the exports land in")
	fl.StringVar(&f.identity, "identity", "wedsync-infra backup seal", "who writes, recorded as the manifest's writer (the scheduled job's identity)")
	fl.DurationVar(&f.settle, "settle", time.Hour, "a copy with a file younger than this is still being written: left for the next run")
	fl.IntVar(&f.parallel, "parallel", 4, "files read at once")
	return cmd
}

func (f *sealFlags) run(cmd *cobra.Command, out io.Writer) error {
	f.tier = "bucket"
	if err := f.validate(); err != nil {
		return invalid(err)
	}
	tiers, _, err := f.tiers(cmd)
	if err != nil {
		return invalid(err)
	}
	source := ""
	if f.bucket == "" {
		outputs, err := f.stackOutputs(cmd)
		if err != nil {
			return invalid(err)
		}
		if d, err := backup.DatabaseFromOutputs(outputs); err == nil {
			source = d.Target
		}
	}
	ep, _ := backup.ParseEndpoints(f.endpoints)
	failed := 0
	for _, t := range tiers {
		if f.bucket == "" && t.Purpose != "db-exports" {
			continue
		}
		st, err := backup.Open(commandContext(cmd), t, ep)
		if err != nil {
			return invalid(fmt.Errorf("%s credentials: %w", t.Cloud, err))
		}
		w, ok := st.(backup.Writer)
		if !ok {
			return invalid(fmt.Errorf("%s: the store cannot be written", st.Location()))
		}
		rep, err := backup.Seal(commandContext(cmd), w, backup.SealOptions{Prefix: f.prefix, Stack: f.stack, Purpose: "db-exports",
			Source: source, Identity: f.identity, Settle: f.settle, Parallel: f.parallel})
		var access *backup.AccessError
		if errors.As(err, &access) {
			return invalid(err)
		}
		writeSeal(out, t, rep, err)
		if err != nil {
			failed++
		}
	}
	if failed > 0 {
		return &exitError{code: ExitViolation, err: fmt.Errorf("%d buckets could not be sealed (see above)", failed)}
	}
	return nil
}

func writeSeal(w io.Writer, t backup.Tier, rep *backup.SealReport, err error) {
	if rep != nil {
		fmt.Fprintf(w, "%s %s: %d sealed (%d MiB read), %d already sealed, %d still being written\n",
			t.Name(), rep.Location, len(rep.Sealed), rep.Bytes>>20, rep.Already, len(rep.Waiting))
		for _, m := range rep.Sealed {
			fmt.Fprintf(w, "SEALED %s\n", m)
		}
		for _, m := range rep.Waiting {
			fmt.Fprintf(w, "WAITING %s\n", m)
		}
	}
	if err != nil {
		fmt.Fprintf(w, "FAILED %s: %v\n", t.Name(), err)
	}
}
