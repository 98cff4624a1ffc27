package core

// LatestRestorableTime is the restore point that means "as late as the
// backups allow". A database restore, a recovery stack and the DR rebuild
// each take it or an RFC3339 time.
const LatestRestorableTime = "latest"
