package core

// PostgresVersions are the PostgreSQL major versions a release may name and
// the database component builds: the ones every cloud offers through the
// pinned providers. One list, so promotion never admits a version the
// database then refuses at plan.
//   - 17: azure-native's dbforpostgresql v20240801 API (the one the database
//     uses) offers 11 to 16 only (its ServerVersion enum).
//   - 14: below 15, RDS standard support ends within the stacks' lifetime
//     (February 2027, docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html).
//
// A major upgrade is one edit of the release's postgresVersion, promoted
// like any release; each cloud snapshots before it: RDS takes a
// pre-upgrade snapshot when backups are retained (always, here) and the
// instance allows major upgrades; Cloud SQL and Azure Flexible Server back
// up the instance before an in-place major upgrade.
var PostgresVersions = []string{"15", "16"}
