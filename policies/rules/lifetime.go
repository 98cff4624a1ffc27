package rules

import "fmt"

// lifetimeStack judges how long backups really live against the retention
// the store states (its lock), on every cloud.
func lifetimeStack(s *Stack, _ *Env) []Finding {
	var out []Finding
	add := func(r *Resource, problem, remedy string, args ...any) {
		out = append(out, Finding{URN: r.URN, Message: fix(problem, remedy, args...)})
	}
	for _, lc := range s.OfType(awsS3LifecycleV2) {
		if days, ok := s.s3Lifetime(lc); ok {
			if lock, ok := s.s3LockDays(lc); ok && days > lock+1 {
				add(lc, "backups live about %d days (current-version expiry plus noncurrent expiry) though the bucket states %d",
					"expire the current version at %d days and noncurrent versions after 1 day", days, lock, max(lock-1, 1))
			}
		}
	}
	for _, b := range s.lockedGCSBuckets() {
		retention, st := number(b.Props, "retentionPolicy", "retentionPeriod")
		if st != known {
			continue
		}
		if soft, st := number(b.Props, "softDeletePolicy", "retentionDurationSeconds"); st == known && soft > 86400 {
			add(b, "soft delete keeps every backup %d days past its %d-day retention", "set softDeletePolicy.retentionDurationSeconds: 0",
				int(soft/86400), int(retention/86400))
		}
		if age, ok := gcsDeleteAge(b); !ok || float64(age*86400) > retention+86400 {
			add(b, "no lifecycle Delete ends backups within a day of the %d-day retention (delete age %s)", "add a Delete rule with condition.age equal to the retention days",
				int(retention/86400), fmt.Sprint(age))
		}
	}
	for _, a := range s.OfType(azStorageAccount) {
		if !s.isBackupStore(a) {
			continue
		}
		services, _ := s.companions(a, "accountName", azBlobService)
		for _, svc := range services {
			on, st := boolean(svc.Props, "deleteRetentionPolicy", "enabled")
			days, _ := number(svc.Props, "deleteRetentionPolicy", "days")
			if st == known && on && days > 1 {
				add(svc, "blob soft delete keeps every deleted backup %d days past its retention", "set deleteRetentionPolicy.enabled: false (immutability already refuses early deletes)", int(days))
			}
		}
	}
	return out
}

// s3Lifetime is the days a backup lives under lc's rules: the current
// version's expiry plus the noncurrent expiry (a versioned bucket keeps the
// data as a noncurrent version after expiry).
func (s *Stack) s3Lifetime(lc *Resource) (int, bool) {
	v, st := lookup(lc.Props, "rules")
	if st != known || !v.IsArray() {
		return 0, false
	}
	longest, ok := 0, false
	for _, rule := range v.AsArray().All {
		if !rule.IsMap() {
			continue
		}
		m := rule.AsMap()
		exp, st1 := number(m, "expiration", "days")
		nc, st2 := number(m, "noncurrentVersionExpiration", "noncurrentDays")
		if st1 == known && st2 == known {
			longest, ok = max(longest, int(exp+nc)), true
		}
	}
	return longest, ok
}

// s3LockDays is the default lock retention of lc's bucket.
func (s *Stack) s3LockDays(lc *Resource) (int, bool) {
	bucket, st := str(lc.Props, "bucket")
	if st != known {
		return 0, false
	}
	for _, l := range s.OfType(awsS3ObjectLockV2) {
		if b, _ := str(l.Props, "bucket"); b == bucket {
			if days, st := number(l.Props, "rule", "defaultRetention", "days"); st == known {
				return int(days), true
			}
		}
	}
	return 0, false
}

// gcsDeleteAge is the age of the bucket's first Delete rule.
func gcsDeleteAge(b *Resource) (int, bool) {
	v, st := lookup(b.Props, "lifecycleRules")
	if st != known || !v.IsArray() {
		return 0, st == unknown
	}
	for _, rule := range v.AsArray().All {
		if !rule.IsMap() {
			continue
		}
		if t, _ := str(rule.AsMap(), "action", "type"); t == "Delete" {
			if age, st := number(rule.AsMap(), "condition", "age"); st == known {
				return int(age), true
			}
		}
	}
	return 0, false
}
