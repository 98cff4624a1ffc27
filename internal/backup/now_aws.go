package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
)

// startAWS starts an AWS Backup on-demand job of the RDS instance into the
// stack's vault (StartBackupJob,
// https://docs.aws.amazon.com/aws-backup/latest/devguide/API_StartBackupJob.html),
// kept for the backup retention, as the backup role. The REST call is
// signed with the SDK's SigV4 signer and default credential chain, so no
// AWS Backup client module is added to the build. The export to S3
// (StartExportTask) needs the snapshot this job makes, so it is not started
// here: the daily export picks it up.
func startAWS(ctx context.Context, d Database, o NowOptions) ([]Job, error) {
	creds, base, err := awsBackupAPI(ctx, d.Region, o)
	if err != nil {
		return nil, err
	}
	body := map[string]any{
		"BackupVaultName":  d.Vault,
		"ResourceArn":      d.Target,
		"IamRoleArn":       d.JobIdentity,
		"IdempotencyToken": "wedsync-now-" + o.Now.UTC().Format("20060102T150405Z"),
	}
	if d.RetentionDays > 0 {
		body["Lifecycle"] = map[string]any{"DeleteAfterDays": d.RetentionDays}
	}
	var out struct{ BackupJobId string }
	if err := awsCall(ctx, o, creds, d.Region, http.MethodPut, base+"/backup-jobs", body, &out); err != nil {
		return nil, err
	}
	j := Job{Cloud: "aws", Kind: "backup", ID: out.BackupJobId, Target: d.Target,
		Watch: fmt.Sprintf("aws backup describe-backup-job --region %s --backup-job-id %s", d.Region, out.BackupJobId)}
	if o.Wait > 0 {
		err = poll(ctx, o, &j, o.Wait, func() (string, bool, bool, error) {
			var st struct{ State, PercentDone string }
			if err := awsCall(ctx, o, creds, d.Region, http.MethodGet, base+"/backup-jobs/"+url.PathEscape(j.ID), nil, &st); err != nil {
				return "", false, false, err
			}
			failed := st.State == "FAILED" || st.State == "ABORTED" || st.State == "EXPIRED"
			return st.State + " " + st.PercentDone + "%", failed || st.State == "COMPLETED", failed, nil
		})
	}
	return []Job{j}, err
}

// awsBackupAPI is the credentials (the default chain) and base URL of AWS
// Backup's REST API in region (o's "aws" endpoint when given, for tests).
func awsBackupAPI(ctx context.Context, region string, o NowOptions) (aws.Credentials, string, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return aws.Credentials{}, "", err
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, "", fmt.Errorf("aws credentials: %w", err)
	}
	base := o.Endpoints["aws"]
	if base == "" {
		base = "https://backup." + region + ".amazonaws.com"
	}
	return creds, base, nil
}

// awsCall sends one SigV4-signed JSON request to the AWS Backup API.
func awsCall(ctx context.Context, o NowOptions, creds aws.Credentials, region, method, u string, in, out any) error {
	var payload []byte
	if in != nil {
		payload, _ = json.Marshal(in)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256(payload)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "backup", region, time.Now()); err != nil {
		return err
	}
	resp, err := o.httpClient().Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("AWS Backup %s %s: %s: %s", method, req.URL.Path, resp.Status, bytes.TrimSpace(data))
	}
	return json.Unmarshal(data, out)
}
