package database

import (
	"strings"
	"time"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Restore creates the database from existing backups instead of empty: the
// disaster-recovery path. Set exactly one of SnapshotID or PointInTime.
type Restore struct {
	// SourceID is the database restored from. AWS: the ARN of automated
	// backups replicated into this region (arn:aws:rds:REGION:ACCOUNT:auto-backup:ab-...),
	// a DbiResourceId (db-...) or a DB instance identifier. GCP: the source
	// Cloud SQL instance name. Azure: the source server's resource id.
	SourceID string `json:"sourceId,omitempty"`
	// SnapshotID restores a snapshot. AWS: a DB snapshot identifier or ARN
	// (encrypted with this database's key). GCP: a backup run id of
	// SourceID. Azure has no snapshots: use PointInTime.
	SnapshotID string `json:"snapshotId,omitempty"`
	// PointInTime restores SourceID as it was at an RFC3339 time, or at the
	// latest restorable time with "latest" (not Azure: its API needs a time).
	PointInTime string `json:"pointInTime,omitempty"`
	// GeoRestore restores in this site's region from the cross-region
	// backups of a source in another region: the regional-outage case. AWS:
	// SourceID must be replicated automated backups in this region. Azure:
	// createMode GeoRestore. GCP restores other regions' backups by
	// SnapshotID instead.
	GeoRestore bool `json:"geoRestore,omitempty"`
}

// Validate returns every problem with r for a database on cloud in region.
func (r Restore) Validate(cloud core.Cloud, region string) error {
	p := &core.Problems{}
	switch {
	case r.SnapshotID == "" && r.PointInTime == "":
		p.Missing("snapshotId", "a restore needs snapshotId or pointInTime (a restored database is never created empty)")
	case r.SnapshotID != "" && r.PointInTime != "":
		p.Add("pointInTime", r.PointInTime, "set snapshotId or pointInTime, not both")
	}
	if r.PointInTime != "" {
		if r.PointInTime != core.LatestRestorableTime {
			if _, err := time.Parse(time.RFC3339, r.PointInTime); err != nil {
				p.Add("pointInTime", r.PointInTime, "use an RFC3339 time (2026-06-13T14:00:00Z) or %q", core.LatestRestorableTime)
			}
		}
		if r.SourceID == "" {
			p.Missing("sourceId", "a point-in-time restore needs the source database")
		}
	}
	if r.GeoRestore && r.SnapshotID != "" {
		p.Add("geoRestore", r.GeoRestore, "restores the latest cross-region backups at pointInTime; unset it to restore snapshotId")
	}
	r.cloudProblems(p, cloud, region)
	return p.Err()
}

// cloudProblems records what cloud, restoring into region, cannot do with r.
func (r Restore) cloudProblems(p *core.Problems, cloud core.Cloud, region string) {
	switch cloud {
	case core.AWS:
		replicated := strings.HasPrefix(r.SourceID, "arn:aws:rds:"+region+":") && strings.Contains(r.SourceID, ":auto-backup:")
		if r.GeoRestore && r.SourceID != "" && !replicated {
			p.Add("sourceId", r.SourceID, "a geo-restore on AWS reads the automated backups replicated into %s: use their ARN (arn:aws:rds:%s:ACCOUNT:auto-backup:ab-...)", region, region)
		}
	case core.GCP:
		if r.GeoRestore {
			p.Add("geoRestore", r.GeoRestore, "Cloud SQL restores another region's backup by id: set snapshotId (backup run id) and sourceId instead")
		}
		if r.SnapshotID != "" {
			if !isDigits(r.SnapshotID) {
				p.Add("snapshotId", r.SnapshotID, "a Cloud SQL backup run id is a number (gcloud sql backups list)")
			}
			if r.SourceID == "" {
				p.Missing("sourceId", "Cloud SQL finds a backup run by its instance: name the source instance")
			}
		}
	case core.Azure:
		if r.SnapshotID != "" {
			p.Add("snapshotId", r.SnapshotID, "Azure flexible servers restore from a point in time, not snapshots: set sourceId and pointInTime")
		}
		if r.PointInTime == core.LatestRestorableTime {
			p.Add("pointInTime", r.PointInTime, "Azure needs the time to restore to: use an RFC3339 time")
		}
		if r.SourceID != "" && !strings.Contains(strings.ToLower(r.SourceID), "/providers/microsoft.dbforpostgresql/flexibleservers/") {
			p.Add("sourceId", r.SourceID, "use the source flexible server's resource id (/subscriptions/.../providers/Microsoft.DBforPostgreSQL/flexibleServers/NAME)")
		}
	}
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
