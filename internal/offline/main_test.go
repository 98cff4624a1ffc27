package offline

import "time"

// A plan depends on the instant it is made for (schedules, the wedding-day
// freeze): tests plan for a fixed ordinary Wednesday, so they pass on
// Saturdays too. Freeze behaviour is tested with its own instants.
var wednesday = instant("2026-11-25T12:00:00Z")

func instant(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
