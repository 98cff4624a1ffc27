package core

// LogRetentionDays is how long the stack's own logs (database logs, network
// flow logs) are kept, by environment: they can carry personal data
// (statements in errors, guests' addresses in flow records), so they
// expire, and a quarter is enough to investigate an incident in prod. The
// one setting every log group reads.
func LogRetentionDays(env Environment) int {
	if env.IsProd() {
		return 90
	}
	return 14
}
