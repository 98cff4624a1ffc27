package rules

import (
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// Who read or wrote a backup is recorded (issue 16): every S3 bucket that
// holds backups or the erasure ledger, its DR replica included (the same
// guest data), is selected by a CloudTrail data-event selector of an event
// data store or trail in the same stack, for reads and writes, from its own
// region (a single-region store or trail records only the region it lives
// in: docs.aws.amazon.com/awscloudtrail/latest/userguide/query-event-data-store.html;
// selector fields: docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html).
const PolicyBackupAccessRecords = "backup-access-records"

const awsEventDataStore = "aws:cloudtrail/eventDataStore:EventDataStore"

func accessRecordPolicies() []*Policy {
	return []*Policy{{
		Name: PolicyBackupAccessRecords,
		Description: "Every S3 bucket holding backups or the erasure ledger (a bucket made by the backup component, DR replicas included) " +
			"is selected by an advanced event selector of a CloudTrail event data store in the stack: eventCategory Data, " +
			"resources.type AWS::S3::Object, resources.ARN absent or starting with a prefix of the bucket's objects, read and write events, " +
			"and multi-region when the bucket is in another region than the store.",
		Level:  Mandatory,
		Stack:  accessRecordsStack,
		Judges: slices.Clone(s3Buckets),
	}}
}

func accessRecordsStack(s *Stack, _ *Env) []Finding {
	var out []Finding
	recorders := s.OfType(awsEventDataStore)
	for _, b := range s.OfType(s3Buckets...) {
		if !s.isBackupStore(b) {
			continue
		}
		read, write := false, false
		for _, r := range recorders {
			rd, wr := recordsObjects(r, b)
			read, write = read || rd, write || wr
		}
		var missing []string
		if !read {
			missing = append(missing, "reads")
		}
		if !write {
			missing = append(missing, "writes and deletes")
		}
		if len(missing) > 0 {
			out = append(out, Finding{URN: b.URN, Message: fix("backup bucket %s: no CloudTrail data-event selector in the stack records the %s of its objects, so who touched a backup leaves no trail",
				"select arn:aws:s3:::BUCKET/ (resources.ARN startsWith) in the backup component's event data store, multi-region when the bucket is in another region",
				b.displayName(), strings.Join(missing, " and "))})
		}
	}
	return out
}

// recordsObjects reports whether event data store r records reads and
// writes of bucket b's objects. A selector whose ARNs are unknown (a preview) covers
// b when the engine records them as computed from b, or when it records
// nothing to say otherwise.
func recordsObjects(r, b *Resource) (read, write bool) {
	if on, st := boolean(r.Props, "multiRegionEnabled"); st == known && !on && r.Region != "" && b.Region != "" && r.Region != b.Region {
		return false, false
	}
	selectors, st := list(r.Props, "advancedEventSelectors")
	if st == unknown {
		return true, true
	}
	for _, sel := range selectors {
		rd, wr := selectorCovers(sel, r, b)
		read, write = read || rd, write || wr
	}
	return read, write
}

// selectorCovers judges one advanced event selector's field selectors.
func selectorCovers(sel property.Map, r, b *Resource) (read, write bool) {
	fields, st := list(sel, "fieldSelectors")
	if st != known {
		return st == unknown, st == unknown
	}
	has := func(field, want string) (bool, bool) { // present, holds want
		for _, f := range fields {
			if name, _ := str(f, "field"); name == field {
				eq, st := stringList(f, "equals")
				return true, st == unknown || slices.Contains(eq, want)
			}
		}
		return false, false
	}
	if _, ok := has("eventCategory", "Data"); !ok {
		return false, false
	}
	if _, ok := has("resources.type", "AWS::S3::Object"); !ok {
		return false, false
	}
	if !arnCovers(fields, r, b) {
		return false, false
	}
	present, readOnly := has("readOnly", "true")
	_, writeOnly := has("readOnly", "false")
	return !present || readOnly, !present || writeOnly
}

// arnCovers reports whether the resources.ARN field admits every object of
// b: absent (every bucket), or a startsWith prefix of arn:aws:s3:::b/.
func arnCovers(fields []property.Map, r, b *Resource) bool {
	for _, f := range fields {
		if name, _ := str(f, "field"); name != "resources.ARN" {
			continue
		}
		prefixes, st := stringList(f, "startsWiths")
		if st == unknown {
			deps := r.Deps["advancedEventSelectors"]
			return len(deps) == 0 || slices.Contains(deps, b.URN)
		}
		for _, p := range prefixes {
			for _, n := range b.names() {
				if strings.HasPrefix("arn:aws:s3:::"+n+"/", p) {
					return true
				}
			}
		}
		return false
	}
	return true
}
