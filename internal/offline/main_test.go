package offline

import (
	"os"
	"testing"

	"github.com/wedsync/wedsync-infra/stacks"
)

// A plan depends on the instant it is made for (schedules, the wedding-day
// freeze): tests plan for a fixed ordinary Wednesday, so they pass on
// Saturdays too. Freeze behaviour is tested with its own instants.
func TestMain(m *testing.M) {
	if err := os.Setenv(stacks.NowEnv, "2026-11-25T12:00:00Z"); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}
