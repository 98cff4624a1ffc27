package dr

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/stacks"
)

// AWSReplicatedBackupsRPO is the documented RPO of the AWS replicated
// automated backups (the database tier of Status): RDS uploads transaction
// logs every 5 minutes and copies each to the DR region as soon as it is
// ready ("Replicating automated backups to another AWS Region",
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html);
// AWS gives no SLA, so 15 minutes is our stated figure.
const AWSReplicatedBackupsRPO = 15 * time.Minute

// awsLogUploadInterval is how often RDS uploads transaction logs (the
// same page; "Backup window" in USER_WorkingWithAutomatedBackups).
const awsLogUploadInterval = 5 * time.Minute

// ReplicationLagLimit is how old the replicated backups' latest
// restorable time may be before the check pages: the RPO plus one more log
// upload interval. Normal lag is one upload interval plus the copy (5 to
// 10 minutes), so one late upload does not page; two missed ones do.
const ReplicationLagLimit = AWSReplicatedBackupsRPO + awsLogUploadInterval

// awsReplicatingStatus is the Status of replicated automated backups while
// the replication runs, as the DR region's describe-db-instance-automated-backups
// shows it ("Finding information about replicated backups",
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/AutomatedBackups.Replicating.Describe.html).
// DescribeDBInstanceAutomatedBackups documents the others: active,
// creating, and retained, which is also what stopped replication leaves
// (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstanceAutomatedBackups.html).
const awsReplicatingStatus = "replicating"

// AutomatedBackups is the output of `aws rds describe-db-instance-automated-backups
// --output json`: the fields of the DBInstanceAutomatedBackup and
// RestoreWindow data types the check reads
// (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBInstanceAutomatedBackup.html,
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreWindow.html).
type AutomatedBackups struct {
	DBInstanceAutomatedBackups []AutomatedBackup `json:"DBInstanceAutomatedBackups"`
}

// AutomatedBackup is one DBInstanceAutomatedBackup.
type AutomatedBackup struct {
	DBInstanceAutomatedBackupsArn string         `json:"DBInstanceAutomatedBackupsArn"`
	Status                        string         `json:"Status"`
	KmsKeyID                      string         `json:"KmsKeyId"`
	BackupRetentionPeriod         int            `json:"BackupRetentionPeriod"`
	RestoreWindow                 *RestoreWindow `json:"RestoreWindow"`
}

// RestoreWindow is the earliest and latest time the backups restore to
// (timestamps, which the AWS CLI prints in ISO 8601).
type RestoreWindow struct {
	EarliestTime string `json:"EarliestTime"`
	LatestTime   string `json:"LatestTime"`
}

// ParseAutomatedBackups reads the AWS CLI's JSON; an error is bad input.
func ParseAutomatedBackups(data []byte) (AutomatedBackups, error) {
	var doc struct {
		DBInstanceAutomatedBackups *[]AutomatedBackup `json:"DBInstanceAutomatedBackups"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return AutomatedBackups{}, fmt.Errorf("not the JSON of describe-db-instance-automated-backups: %w", err)
	}
	if doc.DBInstanceAutomatedBackups == nil {
		return AutomatedBackups{}, errors.New("not the JSON of describe-db-instance-automated-backups: no DBInstanceAutomatedBackups list")
	}
	return AutomatedBackups{DBInstanceAutomatedBackups: *doc.DBInstanceAutomatedBackups}, nil
}

// ReplicationWant is what a stack's replicated backups must be.
type ReplicationWant struct {
	// ARN is the replicated automated backups' ARN (output database.sourceId).
	ARN string
	// Region is the DR region holding them.
	Region string
	// Key is the DR data key they must be encrypted with (output keys."dr.data").
	Key string
	// RetentionDays is wedsync:database.backupRetentionDays.
	RetentionDays int
}

// ReplicationWantOf reads what stack's replicated backups must be from its
// configuration and its outputs (pulumi stack output --json). An error:
// the stack has no cross-region backup replication, or outputs lack it.
func ReplicationWantOf(stack string, cfg stacks.Config, outputs map[string]any) (ReplicationWant, error) {
	if cfg.Cloud != core.AWS || cfg.DRRegion == "" || (cfg.Database.CrossRegionBackups != nil && !*cfg.Database.CrossRegionBackups) {
		return ReplicationWant{}, fmt.Errorf("%s: no AWS cross-region backup replication (it needs cloud aws, wedsync:drRegion and wedsync:database.crossRegionBackups)", stack)
	}
	w := ReplicationWant{Region: cfg.DRRegion, RetentionDays: cfg.Database.BackupRetentionDays}
	db, _ := outputs["database"].(map[string]any)
	keys, _ := outputs["keys"].(map[string]any)
	w.ARN, _ = db["sourceId"].(string)
	w.Key, _ = keys["dr.data"].(string)
	var problems []error
	if !strings.HasPrefix(w.ARN, "arn:aws:rds:"+w.Region+":") || !strings.Contains(w.ARN, ":auto-backup:") {
		problems = append(problems, fmt.Errorf("output database.sourceId %q: want the replicated automated backups' ARN in %s (arn:aws:rds:%s:ACCOUNT:auto-backup:ab-...)", w.ARN, w.Region, w.Region))
	}
	if w.Key == "" {
		problems = append(problems, errors.New(`output keys."dr.data" is missing: want the DR data key's ARN`))
	}
	return w, errors.Join(problems...)
}

// Finding is one problem with the replication, and what to do. A warning
// is printed but does not page: it is expected for weeks after a deploy or
// a restart (the window grows back a day a day), and paging hourly for it
// would teach on-call to ignore the page.
type Finding struct {
	Problem string `json:"problem"`
	Fix     string `json:"fix"`
	// Warning is set after the literal (Finding{Problem: problem, Fix: fix} elsewhere).
	Warning bool `json:"warning,omitempty"`
}

// Fixes, from docs/runbooks/alarms/database.md "Cross-region automated backups".
const (
	fixRestart = "check both data keys are Enabled (aws kms describe-key), re-enable a disabled one, then `wedsync-infra up --stack STACK` starts the replication again (resource main-dr); a deleted key: see AutomatedXREGBackups.Troubleshooting"
	fixTell    = "tell the DR owner: a rebuild in the DR region now restores only up to the latest restorable time"
)

// CheckReplication judges the replicated backups at now against want. An
// error is bad input (a timestamp that does not parse).
func CheckReplication(doc AutomatedBackups, want ReplicationWant, now time.Time) ([]Finding, error) {
	var mine []AutomatedBackup
	for _, b := range doc.DBInstanceAutomatedBackups {
		if b.DBInstanceAutomatedBackupsArn == want.ARN {
			mine = append(mine, b)
		}
	}
	switch len(mine) {
	case 0:
		return []Finding{{Problem: fmt.Sprintf("no replicated automated backups %s in %s: the replication stopped and its backups were deleted, or never started", want.ARN, want.Region), Fix: fixRestart + "; " + fixTell}}, nil
	case 1:
	default:
		return []Finding{{Problem: fmt.Sprintf("%d replicated automated backups named %s: want exactly one", len(mine), want.ARN), Fix: "describe them by hand; delete the stale one (AutomatedBackups.Delete)"}}, nil
	}
	b := mine[0]
	var out []Finding
	if b.Status != awsReplicatingStatus {
		out = append(out, Finding{Problem: fmt.Sprintf("status %q: want %q (retained: the replication stopped)", b.Status, awsReplicatingStatus), Fix: fixRestart})
	}
	if !sameKey(b.KmsKeyID, want.Key) {
		out = append(out, Finding{Problem: fmt.Sprintf("encrypted with %q: want the DR data key %s", b.KmsKeyID, want.Key), Fix: "stop the replication and start it again under the DR data key: wedsync-infra up --stack STACK (resource main-dr)"})
	}
	if b.RestoreWindow == nil {
		return append(out, Finding{Problem: "no restore window: nothing can be restored from these backups yet", Fix: fixRestart + "; " + fixTell}), nil
	}
	latest, err := awsTime("RestoreWindow.LatestTime", b.RestoreWindow.LatestTime)
	if err != nil {
		return nil, err
	}
	earliest, err := awsTime("RestoreWindow.EarliestTime", b.RestoreWindow.EarliestTime)
	if err != nil {
		return nil, err
	}
	if lag := now.Sub(latest); lag > ReplicationLagLimit {
		out = append(out, Finding{Problem: fmt.Sprintf("latest restorable time %s is %s old: more than %s (the RPO %s plus one log upload)", latest.Format(time.RFC3339), lag.Round(time.Minute), ReplicationLagLimit, AWSReplicatedBackupsRPO), Fix: fixRestart + "; " + fixTell})
	}
	// The oldest kept snapshot may be up to a day younger than the
	// retention, as snapshots are daily.
	if want.RetentionDays > 0 {
		if short := now.AddDate(0, 0, -(want.RetentionDays - 1)); earliest.After(short) {
			out = append(out, Finding{Problem: fmt.Sprintf("earliest restorable time %s: want about %d days ago (wedsync:database.backupRetentionDays)", earliest.Format(time.RFC3339), want.RetentionDays), Fix: "the replication restarted or lost history: restores to before it are impossible in the DR region; " + fixTell + " (the window grows back a day a day)", Warning: true})
		}
	}
	return out, nil
}

// sameKey: KmsKeyId is the key's ARN, or its id when the API shortens it.
func sameKey(got, want string) bool {
	if got == "" {
		return false
	}
	return got == want || strings.HasSuffix(want, ":key/"+got) || strings.HasSuffix(want, "/"+got)
}

func awsTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: not an ISO 8601 time", field, s)
	}
	return t, nil
}
