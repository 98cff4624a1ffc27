// Package rules is WedSync's infrastructure policy: the rules the Pulumi
// policy pack (policies/main.go) enforces in `pulumi preview`, and that the
// offline plan and `wedsync-infra policy check` run over a plan document.
// One rule set, three front ends, so a plan and a preview never disagree.
//
// The rules judge resources by type token and inputs (camelCase, as the
// engine sees them) and know nothing of WedSync's components: any program's
// S3 bucket, Cloud SQL instance or Key Vault is judged the same way. Rules
// that need a companion resource (an S3 bucket's encryption configuration,
// an Auto Scaling group's schedules) are stack rules, and a missing
// companion is a violation. A value that is unknown until deploy (a
// preview's computed output, or core.UnknownMarker and core.SecretMarker in
// recorded inputs) means "cannot judge yet" for the resources it can refer
// to, and only those: never a violation, never a crash. Types are matched
// through CanonicalType, which folds Azure Native's versioned modules into
// their default token.
//
// Concerns, one file each: encryption.go (customer-managed keys, key
// rotation, TLS), exposure.go (public access), dataprotection.go
// (retention, versioning, immutability, deletion protection, cross-region
// copies, data residency), capacity.go (seasonal capacity schedules run
// against the season calendar, prod), monitoring.go (alarms, prod) and
// freeze.go (the wedding-day change freeze, prod).
//
// # Configuration
//
// Config is the policy config, one JSON object (Pulumi policy config,
// stack config `wedsync:policy`, or `policy check --config FILE`):
//
//	{
//	  "minRetentionDays": 35,             // default 35 in prod, 7 elsewhere
//	  "allowedRegions": ["eu-west-2"],    // default: EU/EEA/UK/CH regions (core.InEurope) and GCP EU multi-regions
//	  "exemptions": [                      // default none
//	    {"urn": "urn:pulumi:prod::wedsync::...", "policy": "seasonal-capacity", "reason": "batch workers scale on queue depth"}
//	  ]
//	}
//
// The freeze rule also reads the stack config `wedsync:season` (the season
// calendar; `wedsync:timezone` is its zone when it names none) and
// `wedsync:emergencyOverride` ({reason, approvedBy, expires}). Prod rules
// apply when the environment is "prod": the stack config
// `wedsync:environment` in the pack (or a stack named prod or prod-*), the
// plan document's `environment` field offline.
package rules
