package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
)

// Database is what `backup now` needs of a stack's outputs (database,
// databaseBackup, backupTiers): which database, which vault and identity,
// where exports go, how long a copy is kept.
type Database struct {
	Cloud, Region, Project string
	// Target is the RDS instance ARN, the Cloud SQL instance name or the
	// flexible server's resource id.
	Target string `json:"target"`
	// Vault and JobIdentity: the AWS Backup vault and the role it backs up as.
	Vault       string `json:"vault"`
	JobIdentity string `json:"jobIdentity"`
	// ExportPath is where exports land: s3://, gs:// or the container URL.
	ExportPath    string `json:"exportPath"`
	Name          string // the database's name
	RetentionDays int
}

// DatabaseFromOutputs reads the database's backup settings from a stack's
// outputs.
func DatabaseFromOutputs(outputs map[string]any) (Database, error) {
	var d Database
	raw, ok := outputs["databaseBackup"]
	if !ok {
		return d, errors.New("the stack has no databaseBackup output: deploy a version that exports it")
	}
	data, _ := json.Marshal(raw)
	if err := json.Unmarshal(data, &d); err != nil {
		return d, fmt.Errorf("databaseBackup output: %w", err)
	}
	d.Cloud, _ = outputs["cloud"].(string)
	d.Region, _ = outputs["region"].(string)
	d.Project, _ = outputs["databaseBackup"].(map[string]any)["project"].(string)
	if db, ok := outputs["database"].(map[string]any); ok {
		d.Name, _ = db["name"].(string)
	}
	if tiers, err := TiersFromOutputs(outputs, "bucket"); err == nil {
		d.RetentionDays = tiers[0].RetentionDays
	}
	if d.Target == "" {
		return d, errors.New("databaseBackup output has no target: deploy a version that exports it")
	}
	return d, nil
}

// Job is one job `backup now` started on a cloud.
type Job struct {
	Cloud  string `json:"cloud"`
	Kind   string `json:"kind"`   // backup or export
	ID     string `json:"id"`     // the cloud's job or operation id
	Target string `json:"target"` // what it backs up
	// Watch is the documented command that shows the job's progress.
	Watch string `json:"watch"`
	// State is the last state seen (when waited for); Failed when the
	// job ended without a copy.
	State  string `json:"state,omitempty"`
	Failed bool   `json:"failed,omitempty"`
}

// NowOptions say how to reach the clouds' APIs.
type NowOptions struct {
	Endpoints Endpoints
	// HTTPClient, when set, carries every request (tests: the fake's).
	HTTPClient *http.Client
	// AzureCredential, when set, replaces DefaultAzureCredential.
	AzureCredential azcore.TokenCredential
	Reason          string
	Now             time.Time
	// Wait polls each job until it ends, at most this long (0: do not
	// wait; GCP waits for its backup anyway: Cloud SQL runs one operation
	// at a time, and the export comes after it).
	Wait     time.Duration
	Poll     time.Duration
	Progress io.Writer
}

func (o NowOptions) httpClient() *http.Client {
	if o.HTTPClient != nil {
		return o.HTTPClient
	}
	return http.DefaultClient
}

// StartNow starts the on-demand backup (and, where the cloud has one, the
// export into the db-exports bucket) of the stack's database.
func StartNow(ctx context.Context, d Database, o NowOptions) ([]Job, error) {
	if o.Poll == 0 {
		o.Poll = 10 * time.Second
	}
	switch d.Cloud {
	case "aws":
		return startAWS(ctx, d, o)
	case "gcp":
		return startGCP(ctx, d, o)
	case "azure":
		return startAzure(ctx, d, o)
	}
	return nil, fmt.Errorf("cloud %q: allowed are aws, gcp, azure", d.Cloud)
}

// poll asks state until done says the job ended or the wait is over.
// jobState says the job's state, whether it ended, and whether it failed.
type jobState func() (s string, done, failed bool, err error)

func poll(ctx context.Context, o NowOptions, j *Job, within time.Duration, ask jobState) error {
	deadline := time.Now().Add(within)
	for {
		s, done, failed, err := ask()
		if err != nil {
			return fmt.Errorf("%s %s %s: %w", j.Cloud, j.Kind, j.ID, err)
		}
		j.State, j.Failed = s, failed
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "%s %s %s: %s\n", j.Cloud, j.Kind, j.ID, s)
		}
		if done || time.Now().After(deadline) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(o.Poll):
		}
	}
}
