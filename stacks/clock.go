package stacks

import (
	"fmt"
	"os"
	"time"
)

// NowEnv injects the clock (RFC3339), for tests, plans of a given day and
// rehearsals: `WEDSYNC_NOW=2026-06-13T15:00:00+01:00 make plan STACK=prod`.
const NowEnv = "WEDSYNC_NOW"

// Now is the instant the program plans for: NowEnv if set, else the
// current time. The program reads it once, so every schedule and freeze in
// one run agrees on what "now" is.
func Now() (time.Time, error) {
	raw := os.Getenv(NowEnv)
	if raw == "" {
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s = %q: not an RFC3339 time; use e.g. 2026-06-13T15:00:00+01:00", NowEnv, raw)
	}
	return t, nil
}
